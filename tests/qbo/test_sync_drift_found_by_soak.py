"""Drift is the accountant's change to the money of a document we own (DESIGN §7), never our own push read back:
cases the soak found (issue 12 §3), driven through HTTP and the emulator."""
from __future__ import annotations

import pytest

from tests.qbo.test_sync_imported_payments import _our_invoice, _parity, stack  # noqa: F401 - the shared fixture


class Crash(Exception):
    """The worker died between its QBO write and recording it."""


def test_our_void_of_an_invoice_read_back_before_we_recorded_it_is_an_echo_not_drift(stack, monkeypatch):
    """Soak seed 2 (N=300, without acct_payment): the order was deleted, its invoice voided in QBO, and the worker
    died before recording the void's SyncToken; the void read back was drift "ours: none, QuickBooks: 0.00", since our
    side of a deleted invoice said "no document" and QBO's voided invoice "a document of 0"."""
    from chalicelib.services.sync import documents
    from chalicelib.store.inbound import drifts

    ours, theirs = _our_invoice(stack, "42.00")
    assert stack.account.owner.delete(f"/sales-orders/{ours['sales_order_id']}").status == 200
    push_invoice = documents.PUSHERS["invoice"]

    def crashing(ctx, invoice):
        push_invoice(ctx, invoice)
        raise Crash(f"killed after voiding invoice {invoice.id} in QBO")

    monkeypatch.setitem(documents.PUSHERS, "invoice", crashing)
    with pytest.raises(Crash):
        stack.push()
    monkeypatch.setitem(documents.PUSHERS, "invoice", push_invoice)
    voided = next(i for i in stack.books("Invoice") if i["Id"] == theirs["Id"])
    assert str(voided["PrivateNote"]).startswith("Voided") and not voided["TotalAmt"]
    stack.pull()  # our void comes back before we recorded it
    assert [(d.kind, d.ours, d.theirs) for d in drifts(stack.account.id)] == []
    assert stack.push().parked == []
    stack.pull()
    assert [(d.kind, d.ours, d.theirs) for d in drifts(stack.account.id)] == []
    assert _parity(stack) == []


@pytest.mark.parametrize("change", ["cancel", "edit"])
def test_the_accountants_note_on_our_memo_while_our_own_change_waits_is_not_drift(stack, change):
    """Soak seed 3 (N=300): a credit canceled here, the cancel not pushed yet; the accountant's message on its memo
    gave the memo a new SyncToken, and reading it compared QBO's money (what we pushed) with our canceled credit ("no
    memo"): drift no accountant made. Our change on its way is what QBO will show; it is judged when it lands."""
    from chalicelib.store.inbound import drifts

    owner = stack.account.owner
    credit = owner.post("/credits", {"customer_id": stack.account.customers[0], "amount": "30.00"}).json
    assert stack.push().parked == []
    stack.pull()
    if change == "cancel":
        assert owner.post(f"/credits/{credit['id']}/cancel", {"mode": "revert"}).status == 200
    else:
        assert owner.patch(f"/credits/{credit['id']}", {"amount": "35.00"}).status == 200
    [memo] = stack.books("CreditMemo")
    stack.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"CustomerMemo": {"value": "thanks, the accountant"}})
    stack.pull()
    assert [(d.kind, d.ours, d.theirs) for d in drifts(stack.account.id)] == []
    assert stack.push().parked == []
    stack.pull()
    assert drifts(stack.account.id) == [] and _parity(stack) == []
    assert stack.books("CreditMemo") == [] if change == "cancel" else stack.books("CreditMemo")[0]["TotalAmt"] == 35


def test_the_accountants_amount_on_our_memo_is_still_drift_when_nothing_of_ours_waits(stack):
    from chalicelib.store.inbound import drifts

    credit = stack.account.owner.post("/credits", {"customer_id": stack.account.customers[0], "amount": "30.00"}).json
    assert stack.push().parked == []
    [memo] = stack.books("CreditMemo")
    stack.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": 12, "SalesItemLineDetail": {"ItemRef": {"value": "1"},
                                                                                  "Qty": 1, "UnitPrice": 12}}]})
    stack.pull()
    assert [(d.object_id, d.ours, d.theirs) for d in drifts(stack.account.id)] == [
        (credit["id"], {"exists": True, "total": 3000}, {"exists": True, "total": 1200})]


def test_the_accountants_note_on_a_memo_that_gave_up_a_removed_adjustment_credits_money_is_not_drift(stack):
    """A memo shrunk by a canceled adjustment credit (its money had gone back into the memo) shows our credit's amount
    less what it gave up: the accountant's message on it leaves that money as we pushed it, so it is no drift."""
    from chalicelib.store.inbound import drifts

    owner, customer = stack.account.owner, stack.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = owner.post("/sales-orders", {"customer_id": customer, "charges": [], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "40.00"}]}).json
    assert owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [], "credits": [{"credit_id": credit["id"]}]}).status == 201
    reduced = owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "fewer", "quantity": "1", "unit_price": "30.00"}]}).json
    [adjustment] = reduced["adjustment_credit_ids"]
    assert owner.post(f"/credits/{adjustment}/cancel", {"mode": "balance_only"}).status == 200
    for _ in range(4):
        if not stack.push().waiting:
            break
    stack.pull()
    [memo] = stack.books("CreditMemo")
    assert memo["TotalAmt"] == 40 and memo["RemainingCredit"] == 10
    stack.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"CustomerMemo": {"value": "thanks, the accountant"}})
    stack.pull()
    assert [(d.kind, d.ours, d.theirs) for d in drifts(stack.account.id)] == []
    assert _parity(stack) == []


@pytest.mark.parametrize("entity", ["CreditMemo", "Invoice"])
def test_the_accountant_deleting_our_new_document_before_any_echo_is_read_is_drift(stack, entity):
    """Issue 20's widened soak (seed 766040444): right after the two-way switch pushed a credit, the accountant
    deleted its memo before any read of QBO saw it; the next read found a tombstone (no marker left) it could not
    tie to our credit, so no drift was recorded and the credit read `synced` with no memo in QBO. The document is
    ours from the moment our push learns its id, as a credit use's linking Payment already was."""
    from tests.qbo.test_sync_imported_payments import _repair

    owner = stack.account.owner
    if entity == "CreditMemo":
        made = owner.post("/credits", {"customer_id": stack.account.customers[0], "amount": "30.00"}).json
        path = f"/credits/{made['id']}"
        assert stack.push().parked == []
        [doc] = stack.books("CreditMemo")
    else:
        ours, doc = _our_invoice(stack, "42.00")
        path = f"/invoices/{ours['id']}"
    stack.accountant("DELETE", f"objects/{entity}/{doc['Id']}")
    stack.pull()  # our create and their delete in one read: a tombstone
    shown = owner.get(path).json
    assert shown["sync_status"] == "drift" and doc["Id"] in shown["sync_error"], shown
    assert [e["code"] for e in owner.get("/qbo/status").json["errors"]] == ["qbo_drift"]
    assert _repair(stack)["failed"] == []
    stack.pull()
    assert _parity(stack) == [] and owner.get(path).json["sync_status"] == "synced"


def test_a_payment_recreated_after_the_accountant_voided_it_never_adopts_the_voided_one(stack, monkeypatch):
    """Issue 20's widened soak (seed 238783207): the accountant voided our Payment; the repair forgot it to create a
    new one, but that create failed for now (QBO 5xx), and the next try looked for a document an earlier try might
    have made by its marker, found the voided Payment (it keeps our marker), adopted it and tried to update it:
    6000 "A voided payment cannot be changed", taken for a wait, for ever. A voided document is never adopted."""
    from chalicelib.qbo.errors import QboTransientError
    from chalicelib.services.sync import documents
    from tests.qbo.test_sync_imported_payments import _repair

    owner = stack.account.owner
    ours, _ = _our_invoice(stack, "60.00")
    paid = owner.post(f"/invoices/{ours['id']}/payments", {"tenders": [{"method": "check", "amount": "60.00"}],
                                                            "credits": None})
    assert paid.status == 201 and stack.push().parked == []
    payment = owner.get(f"/payments/{paid.json['id']}").json
    stack.accountant("POST", f"objects/Payment/{payment['qbo_id']}/void")
    stack.pull()
    assert owner.get(f"/payments/{payment['id']}").json["sync_status"] == "drift"

    push_payment = documents.PUSHERS["payment"]

    def unreachable(ctx, payment):  # QuickBooks is down when the repair creates the new Payment
        raise QboTransientError("QBO answered 503", status=503)

    monkeypatch.setitem(documents.PUSHERS, "payment", unreachable)
    repaired = _repair(stack)
    assert repaired["failed"], repaired
    monkeypatch.setitem(documents.PUSHERS, "payment", push_payment)
    with_a_new_payment = stack.push()  # the worker's next try
    assert with_a_new_payment.parked == [] and ("payment", payment["id"]) in with_a_new_payment.pushed
    shown = owner.get(f"/payments/{payment['id']}").json
    assert shown["sync_status"] == "synced" and shown["qbo_id"] != payment["qbo_id"], shown
    voided = next(p for p in stack.books("Payment") if p["Id"] == payment["qbo_id"])
    assert not voided["TotalAmt"]  # still the accountant's void


def test_a_repair_that_qbo_cannot_take_yet_leaves_no_drift_behind_once_ours_is_pushed(stack, monkeypatch):
    """Issue 20's widened soak (seed 238783207): a repair chose ours over the accountant's change while QBO was down;
    the worker pushed ours later and the memo read `synced`, but the recorded drift stayed, so parity still listed
    a `drift` difference for a document that matched. A person's choice of ours ends the drift at once."""
    from chalicelib.qbo.errors import QboTransientError
    from chalicelib.services.sync import documents
    from tests.qbo.test_sync_imported_payments import _repair

    owner = stack.account.owner
    credit = owner.post("/credits", {"customer_id": stack.account.customers[0], "amount": "40.00"}).json
    assert stack.push().parked == []
    stack.pull()
    [memo] = stack.books("CreditMemo")
    line = {"DetailType": "SalesItemLineDetail", "Amount": "30.00",
            "SalesItemLineDetail": {"ItemRef": memo["Line"][0]["SalesItemLineDetail"]["ItemRef"], "Qty": 1,
                                    "UnitPrice": "30.00"}}
    stack.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": [line]})
    stack.pull()
    assert owner.get(f"/credits/{credit['id']}").json["sync_status"] == "drift"

    push_credit = documents.PUSHERS["credit"]

    def unreachable(ctx, credit):  # QuickBooks is down when the repair pushes ours
        raise QboTransientError("QBO answered 503", status=503)

    monkeypatch.setitem(documents.PUSHERS, "credit", unreachable)
    assert _repair(stack)["failed"]
    monkeypatch.setitem(documents.PUSHERS, "credit", push_credit)
    assert ("credit", credit["id"]) in stack.push().pushed  # the worker's next try
    stack.pull()
    assert owner.get(f"/credits/{credit['id']}").json["sync_status"] == "synced"
    assert _parity(stack) == []
