"""`python -m chalicelib.ops parity check|repair` over real HTTP against an emulator company (fixtures of
tests/test_ops_cli.py): a deliberately corrupted QBO document is found with both values and repaired in one command,
small accounts checked within the request, large ones followed through their background check."""
from __future__ import annotations

from tests.qbo.conftest import qbo_emulator, realm  # noqa: F401 (fixtures)
from tests.test_ops_cli import api_url, history, ops  # noqa: F401 (fixtures)


def synced_history(ops) -> dict:
    """A history the re-sync brought into QBO; the memo of the first credit."""
    history(ops.account, credits=2)
    code, job = ops.json("resync", "start")
    assert code == 0 and job["status"] == "done", job
    credit = min(ops.account.owner.get("/credits").json["data"], key=lambda c: c["number"])
    memo = next(m for m in ops.books("CreditMemo") if m["DocNumber"] == credit["number"])
    return {"credit": credit, "memo": memo}


def corrupt(ops, memo: dict, amount: int = 90) -> None:
    """The accountant rewrites our memo's amount in QBO."""
    ops.realm.control("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": amount,
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount}}]})


def test_a_clean_account_checks_zero_and_exits_0(ops):
    synced_history(ops)
    code, out, _ = ops("parity", "check")
    assert code == 0 and out.startswith("parity: 0 differences (checked at ")
    code, report = ops.json("parity", "check")
    assert code == 0 and report["status"] == "done" and report["differences"] == []


def test_a_corrupted_memo_is_listed_exit_4_and_repaired_in_one_command(ops):
    made = synced_history(ops)
    corrupt(ops, made["memo"])
    code, out, _ = ops("parity", "check")
    source = next(line for line in out.splitlines() if "credit_source:" in line)
    assert code == 4 and f"ours credit {made['credit']['id']} = 10.00, QBO CreditMemo {made['memo']['Id']} = 90.00" \
        in source and source.endswith("repair: push_ours")
    code, report = ops.json("parity", "check")
    assert code == 4 and ("credit_source", made["credit"]["id"], "10.00", "90.00") in [
        (d["kind"], d["object_id"], d["ours"], d["theirs"]) for d in report["differences"]]

    code, out, _ = ops("parity", "repair")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == f"repaired {len(report['differences'])}, refused 0, failed 0"
    assert lines[1].startswith("parity: 0 differences")
    memo = next(m for m in ops.books("CreditMemo") if m["Id"] == made["memo"]["Id"])
    assert float(memo["TotalAmt"]) == 10.0


def test_repair_of_chosen_differences_json(ops):
    made = synced_history(ops)
    corrupt(ops, made["memo"], 55)
    _, report = ops.json("parity", "check")
    chosen = next(d["id"] for d in report["differences"] if d["kind"] == "credit_source")
    code, answer = ops.json("parity", "repair", "-d", chosen, "--difference", "no-such-difference")
    assert code == 0, answer
    assert answer["repair"]["repaired"] == [chosen] and answer["repair"]["already_resolved"] == ["no-such-difference"]
    assert answer["check"]["differences"] == []  # one push of the memo repaired the customer's total as well
    code, answer = ops.json("parity", "repair", "--no-check")
    assert code == 0 and answer["check"] is None and answer["repair"]["repaired"] == []


def test_a_large_account_is_followed_through_its_background_check(ops, monkeypatch):
    made = synced_history(ops)
    corrupt(ops, made["memo"])
    monkeypatch.setenv("QBO_PARITY_SYNC_LIMIT", "1")  # this account is checked in the background
    steps = ops.steps  # the re-sync's
    code, running = ops.json("parity", "check", "--no-watch")
    assert code == 0 and running["status"] == "running" and running["job_id"] == ops.hints[0]
    code, out, _ = ops("parity", "check")  # follows the running check: the worker runs it between two polls
    assert code == 4 and out.startswith("parity: 2 differences") and ops.steps == steps + 1
    assert {"credit_source", "customer_credit"} <= {line.split()[1].rstrip(":") for line in out.splitlines()[1:]}


def test_repairing_a_large_account_never_checked_checks_first_then_repairs_and_checks_again(ops, monkeypatch):
    made = synced_history(ops)
    corrupt(ops, made["memo"])
    monkeypatch.setenv("QBO_PARITY_SYNC_LIMIT", "1")
    steps = ops.steps
    code, answer = ops.json("parity", "repair")  # 409 parity_not_checked → check, repair, check again
    assert code == 0, answer
    assert len(answer["repair"]["repaired"]) == 2 and answer["check"]["differences"] == []
    assert ops.steps == steps + 2  # two background checks, each run by the worker between polls


def test_parity_of_an_account_not_connected_is_the_service_error(ops):
    ops("disconnect", "soft")
    code, out, err = ops("parity", "check")
    assert code == 1 and out == "" and err.startswith("error: not_connected (HTTP 409)")
    code, answer = ops.json("parity", "repair")
    assert code == 1 and answer["error"]["code"] == "not_connected"
