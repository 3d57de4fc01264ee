"""The cancel preview answers exactly what the real cancel then does, commits nothing, and lists QBO documents."""
import pytest

from tests.conftest import make_account
from tests.ledger_helpers import credit, get_credit, invoice, order, pay

STAMPS = ("updated_at",)


def _mark_synced(account, kind: str, object_id: str, qbo_id: str) -> None:
    """Give an object the QBO id a push would have stored (tests/qbo/test_cancel_preview_books.py pushes for real)."""
    from chalicelib.store.models import CreditItem, CreditUseItem, InvoiceItem, account_pk

    model, prefix = {"credit": (CreditItem, "CREDIT#"), "invoice": (InvoiceItem, "INV#"),
                     "use": (CreditUseItem, "USE#")}[kind]
    item = model.get(account_pk(account.id), f"{prefix}{object_id}")
    item.qbo_id = qbo_id
    item.save()


def _without_stamps(payload: dict) -> dict:
    return {k: v for k, v in payload.items() if k not in STAMPS}


@pytest.fixture
def used_credit(account):
    """A 50.00 credit paying invoice A fully (20.00) and 30.00 of invoice B (40.00, with 10.00 cash)."""
    c = credit(account, "50.00")
    a, b = order(account, "20.00")["invoice_id"], order(account, "40.00")["invoice_id"]
    pay(account, a, credits=[{"credit_id": c["id"]}])
    pay(account, b, "10.00", credits=[{"credit_id": c["id"]}])
    return c["id"], a, b


@pytest.mark.parametrize("mode", ["revert", "balance_only"])
def test_preview_equals_what_the_cancel_then_does(account, used_credit, mode):
    credit_id, a, b = used_credit
    before = {i: invoice(account, i) for i in (a, b)}
    preview = account.owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": mode})
    assert preview.status == 200, preview.body
    preview = preview.json
    assert get_credit(account, credit_id)["status"] == "active"  # nothing committed
    assert {i: invoice(account, i) for i in (a, b)} == before
    canceled = account.owner.post(f"/credits/{credit_id}/cancel", {"mode": mode})
    assert canceled.status == 200
    assert _without_stamps(preview["credit"]) == _without_stamps(canceled.json)
    after = {i: invoice(account, i) for i in (a, b)}
    assert {i["id"]: (i["balance_after"], i["status_after"]) for i in preview["invoices"]} == {
        i: (after[i]["balance"], after[i]["status"]) for i in (a, b) if after[i]["balance"] != before[i]["balance"]}
    voided_now = {u["id"] for i in (a, b) for p in after[i]["payments"] for u in p["credit_uses"] if u["voided_at"]}
    assert {u["id"] for u in preview["voided_uses"]} == voided_now
    if mode == "revert":
        assert [(i["balance_before"], i["balance_after"]) for i in preview["invoices"]] == [("0.00", "20.00"),
                                                                                          ("0.00", "30.00")]
    else:
        assert preview["invoices"] == [] and preview["voided_uses"] == []
    assert preview["qbo_documents"] == []  # not synced


def test_preview_shows_adjustment_credits_the_reopened_invoice_undoes(account):
    c = credit(account, "30.00")
    inv = order(account, "30.00")["invoice_id"]
    pay(account, inv, credits=[{"credit_id": c["id"]}])
    edited = account.owner.patch(f"/invoices/{inv}", {"lines": [{"quantity": 1, "unit_price": "20.00"}]}).json
    adjustment_id = edited["adjustment_credit_ids"][0]
    preview = account.owner.post(f"/credits/{c['id']}/cancel/preview", {"mode": "revert"}).json
    assert [(x["id"], x["status_before"], x["status_after"], x["remaining_after"]) for x in preview["credits"]] == [
        (adjustment_id, "active", "voided", "0.00")]
    account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "revert"})
    assert get_credit(account, adjustment_id)["status"] == "voided"


def test_preview_lists_qbo_documents_for_a_synced_credit(account, used_credit):
    credit_id, a, b = used_credit
    _mark_synced(account, "credit", credit_id, "CM-77")
    _mark_synced(account, "invoice", a, "INV-5")
    for invoice_id, payment_qbo_id in ((a, "PAY-9"), (b, "PAY-10")):
        [use] = [u for p in invoice(account, invoice_id)["payments"] for u in p["credit_uses"]]
        _mark_synced(account, "use", f"{credit_id}#{use['id']}", payment_qbo_id)
    revert = account.owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": "revert"}).json["qbo_documents"]
    assert [(d["action"], d["qbo_type"], d["qbo_id"]) for d in revert] == [
        ("delete", "Payment", "PAY-9"), ("delete", "Payment", "PAY-10"), ("update", "Invoice", "INV-5"),
        ("delete", "CreditMemo", "CM-77")]  # invoice B is not in QBO (here): nothing to say of its Balance
    assert revert[2]["effect"] == "Balance rises by 20.00: the deleted links paid that"
    assert "no void for CreditMemo" in revert[3]["effect"]
    keep = account.owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": "balance_only"}).json["qbo_documents"]
    assert keep == []  # its uses took all 50.00: the memo already has RemainingCredit 0 and stays as it is
    account.owner.patch(f"/credits/{credit_id}", {"amount": "60.00"})
    keep = account.owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": "balance_only"}).json["qbo_documents"]
    assert [(d["action"], d["qbo_type"], d["qbo_id"], d["effect"]) for d in keep] == [
        ("reduce", "CreditMemo", "CM-77", "reduced so RemainingCredit is 0 (its uses stay)")]


def test_preview_refuses_what_cancel_refuses_and_checks_permissions(http, account, used_credit):
    credit_id, a, _ = used_credit
    over = pay(account, order(account, "5.00")["invoice_id"], "8.00")["overpayment_credit_id"]
    reply = account.owner.post(f"/credits/{over}/cancel/preview", {"mode": "revert"})
    assert reply.status == 409 and reply.json["error"]["code"] == "overpayment_credit_immutable"
    assert make_account(http).owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": "revert"}).status == 404
    role = account.owner.post("/roles", {"name": "viewer", "permissions": ["view_credits"]}).json
    account.owner.put("/users/viewer", {"role_id": role["id"]})
    assert account.user("viewer").post(f"/credits/{credit_id}/cancel/preview", {"mode": "revert"}).status == 403


def test_delete_preview_commits_nothing_and_refuses_what_delete_refuses(http, account, used_credit):
    used_id, _, _ = used_credit
    unused = credit(account, "12.00")
    preview = account.owner.post(f"/credits/{unused['id']}/delete/preview")
    assert preview.status == 200, preview.body
    assert (preview.json["credit"]["status"], preview.json["qbo_documents"]) == ("deleted", [])  # not in QBO
    assert get_credit(account, unused["id"])["status"] == "active"
    reply = account.owner.post(f"/credits/{used_id}/delete/preview")
    assert reply.status == 409 and reply.json["error"]["code"] == "credit_already_used"
    _mark_synced(account, "credit", unused["id"], "CM-8")
    [memo] = account.owner.post(f"/credits/{unused['id']}/delete/preview").json["qbo_documents"]
    assert (memo["action"], memo["qbo_type"], memo["qbo_id"]) == ("delete", "CreditMemo", "CM-8")
    assert make_account(http).owner.post(f"/credits/{unused['id']}/delete/preview").status == 404
    role = account.owner.post("/roles", {"name": "editor", "permissions": ["view_credits", "edit_credits"]}).json
    account.owner.put("/users/editor", {"role_id": role["id"]})
    assert account.user("editor").post(f"/credits/{unused['id']}/delete/preview").status == 403
