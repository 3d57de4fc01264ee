"""Issue 21: one-way sync (connected, two-way credit sync off), the switch to two-way and back. Through the API, the
push and pull use cases and the emulator, with the account connected through consent."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests

from tests.conftest import Account
from tests.qbo import consent
from tests.qbo.conftest import Realm
from tests.qbo.inbound_stack import memo_body


@pytest.fixture
def one_way(http, credits_table, realm, monkeypatch) -> Account:
    """A connected account whose two-way credit sync is off: the integration accounts had before credits."""
    from chalicelib.services.sync import jobs

    consent.point_at(realm, monkeypatch)
    hints: list[str] = []
    monkeypatch.setattr(jobs, "send_hint", lambda job: hints.append(job.id))
    account = consent.connected_account(http, realm, credit_sync=False)
    account.hints = hints
    return account


def _push(account: Account):
    from chalicelib.services.sync.push import push_pending

    return push_pending(account.id)


def _pull(realm: Realm):
    from chalicelib.services.sync.pull import pull_changes

    return pull_changes(realm.realm_id)


def _sale(owner, customer_id: str, amount: str) -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "charges": [],
                                         "lines": [{"description": "Crate", "quantity": "1", "unit_price": amount}]})
    assert reply.status == 201, reply.body
    return reply.json


def _pay(owner, invoice_id: str, cash: str | None, credits=None) -> dict:
    tenders = [{"method": "cash", "amount": cash}] if cash else []
    reply = owner.post(f"/invoices/{invoice_id}/payments", {"tenders": tenders, "credits": credits})
    assert reply.status == 201, reply.body
    return reply.json


def _books(realm: Realm, entity: str) -> list[dict]:
    return realm.books()["objects"].get(entity, [])


def _invoice_in_qbo(realm: Realm, number: str) -> dict:
    return next(i for i in _books(realm, "Invoice") if i["DocNumber"] == number)


def _drain(account: Account) -> dict:
    """The worker: run the switch's job steps until it ends."""
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync.jobs import run_job

    job = None
    for _ in range(100):
        job_id = account.hints[-1]
        job = run_job(job_id, client_factory=build_client)
        if job.status != "running":
            break
    return account.staff.get(f"/qbo/jobs/{job.id}").json


def _ledger(account: Account) -> dict:
    owner = account.owner
    credit = owner.post("/credits", {"customer_id": account.customers[0], "amount": "30.00"}).json
    partly = _sale(owner, account.customers[0], "50.00")
    _pay(owner, partly["invoice_id"], "30.00", credits=[{"credit_id": credit["id"], "amount": "20.00"}])
    over = _sale(owner, account.customers[1], "40.00")
    overpaid = _pay(owner, over["invoice_id"], "55.00")
    return {"credit": credit, "partly": partly, "over": over, "overpaid": overpaid}


def test_a_one_way_account_pushes_customers_invoices_and_tender_payments_and_nothing_of_credits(one_way, realm):
    owner = one_way.owner
    status = owner.get("/qbo/status").json
    assert (status["connected"], status["sync_mode"]) == (True, "one_way") and "credits" in status["note"]
    made = _ledger(one_way)
    assert made["credit"]["sync_status"] == "not_synced"
    report = _push(one_way)
    assert report.parked == [] and not [k for k, _ in report.pushed if k in ("credit", "use")], report

    assert _books(realm, "CreditMemo") == []  # credits stay here
    payments = {p["PaymentRefNum"]: p for p in _books(realm, "Payment")}
    paid = owner.get(f"/invoices/{made['partly']['invoice_id']}").json
    tender = payments[paid["payments"][0]["number"]]
    assert tender["TotalAmt"] == Decimal("30.00")
    assert _invoice_in_qbo(realm, paid["number"])["Balance"] == Decimal("20.00")  # the credit part stays open there
    assert paid["balance"] == "0.00"
    over = payments[made["overpaid"]["number"]]
    assert (over["TotalAmt"], over["UnappliedAmt"]) == (Decimal("55.00"), Decimal("15.00"))
    assert owner.get(f"/credits/{made['credit']['id']}").json["sync_status"] == "not_synced"

    panel = owner.get("/qbo/status").json
    assert panel["invoices_open_for_credits"] == 1 and panel["pending"] == 0 and panel["errors"] == []
    parity = owner.get("/qbo/parity").json
    assert parity["differences"] == [], parity["differences"]
    retry = owner.post(f"/qbo/objects/credit/{made['credit']['id']}/retry", {})
    assert retry.status == 409 and retry.json["error"]["code"] == "qbo_sync_off"


def test_a_one_way_account_reads_nothing_back(one_way, realm):
    customer = realm.customer()
    item = next(i["Id"] for i in _books(realm, "Item") if i["Name"] == "Services")
    realm.user_create("CreditMemo", memo_body(customer["Id"], "12.00", item_id=item))
    report = _pull(realm)  # what a webhook or the CDC sweep asks for
    assert report.account_id is None and report.qbo_requests == 0
    assert one_way.owner.get("/credits?source=qbo").json["data"] == []
    assert one_way.owner.get("/qbo/status").json["last_pull_at"] is None


def test_staff_switch_two_way_on_pushes_every_credit_and_use_and_ends_in_parity(one_way, realm):
    owner = one_way.owner
    made = _ledger(one_way)
    _push(one_way)
    invoice_number = owner.get(f"/invoices/{made['partly']['invoice_id']}").json["number"]
    assert _invoice_in_qbo(realm, invoice_number)["Balance"] == Decimal("20.00")

    assert owner.patch("/settings", {"qbo_credit_sync": True}).status == 403  # staff only
    switched = one_way.staff.patch("/settings", {"qbo_credit_sync": True})
    assert switched.status == 200, switched.body
    job = switched.json["qbo_sync_job"]
    assert job["kind"] == "credit_sync" and job["status"] == "running" and one_way.hints == [job["id"]]
    status = owner.get("/qbo/status").json
    assert status["sync_mode"] == "two_way" and status["cdc_watermark"]  # CDC starts from the switch
    finished = _drain(one_way)
    assert (finished["status"], finished["failed"]) == ("done", 0), finished
    assert finished["done"] == finished["total"]

    [memo] = _books(realm, "CreditMemo")
    assert memo["DocNumber"] == made["credit"]["number"] and memo["RemainingCredit"] == Decimal("10.00")
    assert _invoice_in_qbo(realm, invoice_number)["Balance"] == Decimal("0.00")  # closed in QBO too
    shown = owner.get(f"/credits/{made['credit']['id']}").json
    assert shown["sync_status"] == "synced" and shown["qbo_id"] == memo["Id"]
    assert owner.get("/qbo/parity").json["differences"] == []

    later = realm.user_create("CreditMemo", memo_body(realm.customer()["Id"], "9.00", item_id=next(
        i["Id"] for i in _books(realm, "Item") if i["Name"] == "Services")))
    _pull(realm)
    assert [c["qbo_id"] for c in owner.get("/credits?source=qbo").json["data"]] == [later["Id"]]


def test_switching_two_way_off_goes_back_to_one_way_and_deletes_nothing_in_qbo(one_way, realm):
    owner = one_way.owner
    one_way.staff.patch("/settings", {"qbo_credit_sync": True})
    first = owner.post("/credits", {"customer_id": one_way.customers[0], "amount": "8.00"}).json
    _drain(one_way)
    _push(one_way)
    assert [m["DocNumber"] for m in _books(realm, "CreditMemo")] == [first["number"]]

    off = owner.patch("/settings", {"qbo_credit_sync": False})
    assert off.status == 200 and off.json["qbo_sync_job"] is None
    panel = owner.get("/qbo/status").json
    assert panel["sync_mode"] == "one_way" and "stay here" in panel["note"]
    later = owner.post("/credits", {"customer_id": one_way.customers[0], "amount": "5.00"}).json
    owner.patch(f"/credits/{first['id']}", {"internal_note": "edited after the switch"})
    _push(one_way)
    assert [m["DocNumber"] for m in _books(realm, "CreditMemo")] == [first["number"]]  # nothing deleted, nothing new
    assert owner.get(f"/credits/{later['id']}").json["sync_status"] == "not_synced"
    assert owner.get("/qbo/parity").json["differences"] == []


def _worker(account: Account) -> None:
    """What the sync worker does meanwhile: the switch's job steps it was handed, then the account's pushes."""
    if account.hints and account.staff.get(f"/qbo/jobs/{account.hints[-1]}").json["status"] == "running":
        _drain(account)
    for _ in range(3):
        _push(account)


def test_switching_two_way_on_while_softly_disconnected_pushes_the_credits_once_reconnected(one_way, realm):
    """Found by the soak: staff switched two-way on while the account was softly disconnected; once reconnected it
    read two_way with nothing pending, while its credits and uses never reached QBO (parity: missing_in_qbo)."""
    owner, staff = one_way.owner, one_way.staff
    made = _ledger(one_way)
    _push(one_way)
    assert staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    switched = staff.patch("/settings", {"qbo_credit_sync": True})
    assert switched.status == 200 and switched.json["qbo_sync_job"]["kind"] == "credit_sync", switched.body
    _worker(one_way)  # marked while paused: pending, nothing pushed
    job = staff.get(f"/qbo/jobs/{one_way.hints[-1]}").json
    assert (job["status"], job["stopped"]) == ("done", "paused"), job
    # the manual credit, its use and the overpayment credit wait for the reconnect
    assert owner.get("/qbo/status").json["pending"] == 3 and _books(realm, "CreditMemo") == []

    consent.connect(owner, realm)
    _worker(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []
    assert owner.get(f"/credits/{made['credit']['id']}").json["sync_status"] == "synced"
    assert _invoice_in_qbo(realm, owner.get(f"/invoices/{made['partly']['invoice_id']}").json["number"])[
        "Balance"] == Decimal("0.00")


def test_a_soft_disconnect_while_the_switch_runs_leaves_its_credits_to_the_reconnect(one_way, realm):
    """A soft disconnect used to stop the switch's job half way: what it had not marked yet stayed out of QBO, and
    with two-way already on, no new switch could start it again."""
    owner, staff = one_way.owner, one_way.staff
    made = _ledger(one_way)
    _push(one_way)
    switched = staff.patch("/settings", {"qbo_credit_sync": True})
    assert switched.status == 200
    assert staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200  # before any step of the job ran
    _worker(one_way)
    consent.connect(owner, realm)
    _worker(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []
    assert owner.get(f"/credits/{made['credit']['id']}").json["sync_status"] == "synced"


def test_switching_two_way_on_again_removes_what_one_way_voided_meanwhile(one_way, realm):
    """Found by the soak: a credit use pushed while two-way was on, voided after switching off (one-way pushes no
    use), stayed in QBO after switching on again: its linking Payment (or its line on an overpayment's Payment)
    kept the invoice paid there. The switch's job pushes every use QBO still holds, voided ones too."""
    owner, staff = one_way.owner, one_way.staff
    staff.patch("/settings", {"qbo_credit_sync": True})
    _worker(one_way)
    credit = owner.post("/credits", {"customer_id": one_way.customers[0], "amount": "30.00"}).json
    sale = _sale(owner, one_way.customers[0], "50.00")
    by_memo = _pay(owner, sale["invoice_id"], "10.00", credits=[{"credit_id": credit["id"], "amount": "20.00"}])
    over = _pay(owner, _sale(owner, one_way.customers[1], "40.00")["invoice_id"], "60.00")
    other = _sale(owner, one_way.customers[1], "15.00")
    by_line = _pay(owner, other["invoice_id"], None,
                   credits=[{"credit_id": over["overpayment_credit_id"], "amount": "15.00"}])
    _worker(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []

    assert staff.patch("/settings", {"qbo_credit_sync": False}).status == 200
    for payment in (by_memo, by_line):
        assert owner.post(f"/payments/{payment['id']}/void", {}).status == 200
    _worker(one_way)
    assert staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    _worker(one_way)
    job = staff.get(f"/qbo/jobs/{one_way.hints[-1]}").json
    assert (job["status"], job["failed"]) == ("done", 0), job
    assert owner.get("/qbo/parity").json["differences"] == []
    for invoice in (sale, other):
        shown = owner.get(f"/invoices/{invoice['invoice_id']}").json
        assert _invoice_in_qbo(realm, shown["number"])["Balance"] == Decimal(shown["balance"])


def test_switching_two_way_on_again_pushes_the_uses_of_credits_imported_from_qbo(one_way, realm):
    """Found by the soak: the switch's job skipped credits the accountant's CreditMemo owns, and their uses with
    them; but those uses are ours (our linking Payments). One voided while one-way kept its Payment in QBO (the
    deleted order's invoice could then not be voided there: 6000 "has linked payments"); one made while one-way
    never reached QBO."""
    owner, staff = one_way.owner, one_way.staff
    staff.patch("/settings", {"qbo_credit_sync": True})
    _worker(one_way)
    order = owner.post("/sales-orders", {"customer_id": one_way.customers[0], "charges": [],
                                         "lines": [{"description": "Crate", "quantity": "1", "unit_price": "25.00"}]})
    _worker(one_way)
    customer_ref = _invoice_in_qbo(realm, owner.get(f"/invoices/{order.json['invoice_id']}").json["number"])[
        "CustomerRef"]["value"]
    item = next(i["Id"] for i in _books(realm, "Item") if i["Name"] == "Services")
    memo = realm.user_create("CreditMemo", memo_body(customer_ref, "40.00", item_id=item))
    _pull(realm)
    [imported] = owner.get("/credits?source=qbo").json["data"]
    assert imported["qbo_id"] == memo["Id"]
    _pay(owner, order.json["invoice_id"], None, credits=[{"credit_id": imported["id"], "amount": "25.00"}])
    _worker(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []

    assert staff.patch("/settings", {"qbo_credit_sync": False}).status == 200
    assert owner.delete(f"/sales-orders/{order.json['id']}").status == 200  # its payment and the use voided here
    later = _sale(owner, one_way.customers[0], "12.00")
    _pay(owner, later["invoice_id"], None, credits=[{"credit_id": imported["id"], "amount": "12.00"}])
    _worker(one_way)
    assert staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    _worker(one_way)
    from chalicelib.services.sync.sweep import sweep  # the sweeper retries the invoice QBO refused to void
    sweep(datetime.now(timezone.utc) + timedelta(hours=2), lambda hints: None)
    _worker(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []
    shown = owner.get(f"/invoices/{later['invoice_id']}").json
    assert shown["sync_status"] == "synced" and _invoice_in_qbo(realm, shown["number"])["Balance"] == Decimal("0.00")


def _jobs(account: Account) -> None:
    """The worker: every job step it was handed (a hard disconnect's clearing, a re-sync, the switch's push)."""
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync.jobs import run_job

    for _ in range(100):
        running = [j for j in dict.fromkeys(account.hints)
                   if account.staff.get(f"/qbo/jobs/{j}").json["status"] == "running"]
        if not running:
            return
        run_job(running[0], client_factory=build_client, sleep=lambda seconds: None)


def _two_way_sale_in_qbo(account, realm) -> tuple[dict, str]:
    """Two-way switched on (its job run), a 30.00 sale pushed: the sale, and its customer's id in QBO."""
    account.staff.patch("/settings", {"qbo_credit_sync": True})
    _jobs(account)
    sale = _sale(account.owner, account.customers[0], "30.00")
    _push(account)
    invoice = _invoice_in_qbo(realm, account.owner.get(f"/invoices/{sale['invoice_id']}").json["number"])
    return sale, invoice["CustomerRef"]["value"]


def _credit_sync_off_hard_disconnect_and_connect_a_new_company(account, realm) -> Realm:
    """Credit sync off, a hard disconnect (its job run), then consent to a new company of the same OAuth client."""
    assert account.staff.patch("/settings", {"qbo_credit_sync": False}).status == 200
    assert account.staff.post("/qbo/disconnect", {"mode": "hard"}).status == 200
    _jobs(account)
    other = requests.post(f"{realm.emulator.url}/_control/companies", json={"client_id": realm.info["client_id"]},
                          timeout=10).json()
    new = Realm(realm.emulator, other)
    new.limits(enabled=False)
    consent.connect(account.owner, realm, other["realm_id"])
    return new


def test_the_switch_after_a_new_company_says_what_waits_for_the_re_sync(one_way, realm):
    """Found by the soak: switched on for a company connected after a hard disconnect, before its re-sync, the job
    ended `failed` with `failed: 0` and no errors: a use of a credit imported from the accountant's Payment in the
    old company waited, unseen, for a document only the re-sync makes. The job lists what still waits and why, the
    use says at once that the re-sync reissues its credit, and the re-sync then brings everything in line."""
    owner, staff = one_way.owner, one_way.staff
    sale, customer_ref = _two_way_sale_in_qbo(one_way, realm)
    unapplied = realm.user_create("Payment", {"CustomerRef": {"value": customer_ref}, "TotalAmt": "25.00", "Line": []})
    _pull(realm)
    [imported] = owner.get("/credits?source=qbo").json["data"]
    assert imported["qbo_id"] == unapplied["Id"]
    _pay(owner, sale["invoice_id"], "10.00", credits=[{"credit_id": imported["id"], "amount": "20.00"}])
    _push(one_way)

    _credit_sync_off_hard_disconnect_and_connect_a_new_company(one_way, realm)
    assert staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    _jobs(one_way)
    job = staff.get(f"/qbo/jobs/{one_way.hints[-1]}").json
    assert job["status"] == "failed" and job["failed"] == len(job["errors"]) >= 1, job
    assert all("re-sync" in error["message"] for error in job["errors"]), job["errors"]
    shown = owner.get("/qbo/status").json["errors"]
    assert shown and all("re-sync" in error["message"] for error in shown), shown

    resync = staff.post("/qbo/resyncs", {})
    assert resync.status == 202, resync.body
    one_way.hints.append(resync.json["id"])
    _jobs(one_way)
    assert staff.get(f"/qbo/resyncs/{resync.json['id']}").json["failed"] == 0
    for _ in range(3):
        _push(one_way)
    assert owner.get("/qbo/parity").json["differences"] == []
    assert owner.get("/qbo/status").json["errors"] == []


def test_a_one_way_re_sync_to_a_new_company_makes_the_old_companys_credits_ours_for_the_switch(one_way, realm):
    """Found by the soak: re-synced while one-way (no credits pushed), then switched two-way on, an account left the
    credits imported from the old company (its accountant's CreditMemo, the unapplied amount of their Payment) with
    no document in the new company, and the switch's job still ended `done`: nothing had made them ours. A re-sync
    to a new company makes them ours in either mode (DESIGN §5); the switch then pushes their memos and uses."""
    owner, staff = one_way.owner, one_way.staff
    sale, customer_ref = _two_way_sale_in_qbo(one_way, realm)
    item = next(i["Id"] for i in _books(realm, "Item") if i["Name"] == "Services")
    realm.user_create("CreditMemo", memo_body(customer_ref, "16.18", item_id=item))
    realm.user_create("Payment", {"CustomerRef": {"value": customer_ref}, "TotalAmt": "25.00", "Line": []})
    _pull(realm)
    imported = {c["amount"]: c for c in owner.get("/credits?source=qbo").json["data"]}
    assert set(imported) == {"16.18", "25.00"}, imported
    _pay(owner, sale["invoice_id"], "10.00", credits=[{"credit_id": imported["25.00"]["id"], "amount": "20.00"}])
    _push(one_way)

    new = _credit_sync_off_hard_disconnect_and_connect_a_new_company(one_way, realm)
    resync = staff.post("/qbo/resyncs", {})
    assert resync.status == 202, resync.body
    one_way.hints.append(resync.json["id"])
    _jobs(one_way)
    done = staff.get(f"/qbo/resyncs/{resync.json['id']}").json
    assert (done["status"], done["failed"], done["done"]) == ("done", 0, done["total"]), done
    assert _books(new, "CreditMemo") == []  # one-way: still no credit of ours in QBO

    assert staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    _jobs(one_way)
    job = staff.get(f"/qbo/jobs/{one_way.hints[-1]}").json
    assert (job["status"], job["failed"], job["errors"]) == ("done", 0, []), job
    assert owner.get("/qbo/parity").json["differences"] == []
    memos = sorted(Decimal(str(memo["RemainingCredit"])) for memo in _books(new, "CreditMemo"))
    assert memos == [Decimal("5"), Decimal("16.18")]  # what is left of each: 25.00 less the 20.00 used
    assert owner.get("/qbo/status").json["errors"] == []
