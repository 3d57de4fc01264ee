"""Two sync defects the soak found, driven as the accountant through the emulator and as our users through HTTP:

A. a credit imported from the accountant's Payment (its UnappliedAmt) is spent as a line linking our invoice on that
   very Payment, the way QBO applies an unapplied payment amount, never as a Payment linking a CreditMemo of its id;
B. a credit use's linking Payment voided or deleted by the accountant is our document changed there: drift on the
   status panel and in the parity report, and the parity repair pushes ours again.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from tests.qbo.conftest import emulator_env
from tests.qbo.inbound_stack import VERIFIER, InboundStack, Receiver, connect, fifo_queue


@pytest.fixture
def stack(http, realm, monkeypatch) -> InboundStack:
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}}):
        from chalicelib.workers import queue

        url = fifo_queue(queue.sqs_client(), "sync-imported-payments")
        monkeypatch.setenv("SYNC_QUEUE_URL", url)
        monkeypatch.setenv("QBO_WEBHOOK_VERIFIER", VERIFIER)
        emulator_env(realm, monkeypatch)  # GET /qbo/parity and the repair reach the same realm
        account, store = connect(http, realm)
        receiver = Receiver()
        found = InboundStack(account, realm, store, http, receiver, url)
        found.webhooks(url=receiver.url, verifier=VERIFIER)
        found.pull()  # the first read: a full read of an empty company sets the watermark
        yield found
        receiver.stop()


def _parity(stack: InboundStack) -> list[dict]:
    reply = stack.account.owner.get("/qbo/parity")
    assert reply.status == 200 and reply.json["status"] == "done", reply.body
    return reply.json["differences"]


def _repair(stack: InboundStack) -> dict:
    reply = stack.account.owner.post("/qbo/parity/repair", {}, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert reply.status == 200, reply.body
    return reply.json


def _doc(stack: InboundStack, entity: str, qbo_id: str) -> dict:
    return next(d for d in stack.books(entity) if d["Id"] == qbo_id)


def _our_invoice(stack: InboundStack, amount: str) -> tuple[dict, dict]:
    """Our invoice of customer 0, pushed: (ours, the emulator's)."""
    owner = stack.account.owner
    order = owner.post("/sales-orders", {"customer_id": stack.account.customers[0], "lines": [
        {"description": "Pallet", "quantity": "1", "unit_price": amount}], "charges": []}).json
    stack.push()
    ours = owner.get(f"/invoices/{order['invoice_id']}").json
    return ours, next(i for i in stack.books("Invoice") if i["DocNumber"] == ours["number"])


def _parked(stack: InboundStack) -> list[tuple[str, str]]:
    from chalicelib.store.sync_state import pending_objects

    return [(p.kind, p.object_id) for p in pending_objects(stack.account.id) if p.parked]


def _pay_with_credit(stack: InboundStack, invoice_id: str, credit_id: str, amount: str) -> dict:
    paid = stack.account.owner.post(f"/invoices/{invoice_id}/payments",
                                    {"tenders": [], "credits": [{"credit_id": credit_id, "amount": amount}]})
    assert paid.status == 201, paid.body
    return paid.json


# A. a credit imported from the accountant's unapplied Payment ----------------------------------------------------

def _imported_payment_credit(stack: InboundStack, customer_ref: dict, total: str) -> tuple[dict, dict]:
    """The accountant records a Payment applied to nothing; the inbound sync imports its UnappliedAmt."""
    payment = stack.realm.user_create("Payment", {"CustomerRef": customer_ref, "TotalAmt": total, "Line": []})
    stack.deliver(1)
    stack.drain()
    [credit] = stack.credits(source="qbo")
    assert credit["qbo_id"] == payment["Id"] and credit["remaining"] == total
    return payment, credit


def test_a_use_of_a_credit_imported_from_an_unapplied_payment_is_a_line_on_that_payment(stack):
    ours, theirs = _our_invoice(stack, "50.00")
    payment, credit = _imported_payment_credit(stack, theirs["CustomerRef"], "80.00")
    paid = _pay_with_credit(stack, ours["id"], credit["id"], "30.00")
    report = stack.push()
    assert report.parked == [] and _parked(stack) == [], report
    assert ("use", f"{credit['id']}#{paid['credit_uses'][0]['id']}") in report.pushed, report
    assert len(stack.books("Payment")) == 1  # no Payment linking "CreditMemo <payment id>"
    qbo_payment, qbo_invoice = _doc(stack, "Payment", payment["Id"]), _doc(stack, "Invoice", theirs["Id"])
    assert (qbo_invoice["Balance"], qbo_payment["UnappliedAmt"], qbo_payment["TotalAmt"]) == (
        Decimal("20.00"), Decimal("50.00"), Decimal("80.00"))
    assert [(line["Amount"], line["LinkedTxn"]) for line in qbo_payment["Line"]] == [
        (Decimal("30.00"), [{"TxnId": theirs["Id"], "TxnType": "Invoice"}])]

    stack.deliver(1)  # our line on the accountant's Payment comes back: ours, neither their payment nor applied twice
    stack.drain()
    stack.pull()
    shown = stack.account.owner.get(f"/credits/{credit['id']}").json
    assert (shown["amount"], shown["used"], shown["remaining"], shown["sync_status"]) == (
        "80.00", "30.00", "50.00", "synced")
    invoice = stack.account.owner.get(f"/invoices/{ours['id']}").json
    assert invoice["balance"] == "20.00" and [p["id"] for p in invoice["payments"]] == [paid["id"]]
    assert _parity(stack) == []

    voided = stack.account.owner.post(f"/payments/{paid['id']}/void", {})
    assert voided.status == 200, voided.body
    assert stack.push().parked == []
    qbo_payment, qbo_invoice = _doc(stack, "Payment", payment["Id"]), _doc(stack, "Invoice", theirs["Id"])
    assert (qbo_invoice["Balance"], qbo_payment["UnappliedAmt"], qbo_payment["Line"]) == (
        Decimal("50.00"), Decimal("80.00"), [])
    stack.pull()
    shown = stack.account.owner.get(f"/credits/{credit['id']}").json
    assert (shown["used"], shown["remaining"]) == ("0.00", "80.00")
    assert stack.account.owner.get(f"/invoices/{ours['id']}").json["balance"] == "50.00"
    assert _parity(stack) == []


def test_the_accountants_own_lines_on_that_payment_stay_and_count_as_applied_in_qbo(stack):
    """The accountant had applied part of the Payment to their own invoice: that line stays, ours is added."""
    ours, theirs = _our_invoice(stack, "50.00")
    item = next(i["Id"] for i in stack.books("Item") if i["Name"] == "Services")
    their_invoice = stack.realm.user_create("Invoice", {"CustomerRef": theirs["CustomerRef"], "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": "10.00",
        "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": "10.00"}}]})
    payment = stack.realm.user_create("Payment", {"CustomerRef": theirs["CustomerRef"], "TotalAmt": "40.00", "Line": [
        {"Amount": "10.00", "LinkedTxn": [{"TxnId": their_invoice["Id"], "TxnType": "Invoice"}]}]})
    stack.pull()
    [credit] = stack.credits(source="qbo")
    assert credit["remaining"] == "30.00"
    _pay_with_credit(stack, ours["id"], credit["id"], "25.00")
    assert stack.push().parked == []
    qbo_payment = _doc(stack, "Payment", payment["Id"])
    assert qbo_payment["UnappliedAmt"] == Decimal("5.00")
    assert sorted((line["LinkedTxn"][0]["TxnId"], line["Amount"]) for line in qbo_payment["Line"]) == sorted(
        [(their_invoice["Id"], Decimal("10.00")), (theirs["Id"], Decimal("25.00"))])
    assert _doc(stack, "Invoice", their_invoice["Id"])["Balance"] == Decimal("0.00")
    stack.pull()
    shown = stack.account.owner.get(f"/credits/{credit['id']}").json
    assert (shown["used"], shown["remaining"]) == ("25.00", "5.00")
    assert _parity(stack) == []


# B. the accountant voids or deletes a credit use's linking Payment -----------------------------------------------

@pytest.mark.parametrize("change", ["void", "delete"])
@pytest.mark.parametrize("echo_read", [True, False], ids=["echo-read", "echo-unread"])
def test_a_voided_or_deleted_linking_payment_is_drift_and_the_repair_pushes_ours(stack, change, echo_read):
    owner = stack.account.owner
    ours, theirs = _our_invoice(stack, "50.00")
    credit = owner.post("/credits", {"customer_id": stack.account.customers[0], "amount": "25.00"}).json
    paid = _pay_with_credit(stack, ours["id"], credit["id"], "12.00")
    stack.push()
    if echo_read:
        stack.deliver(2)  # the memo's and the linking Payment's webhooks: echoes
        stack.drain()
    else:
        stack.receiver.take()
    [linking] = stack.books("Payment")
    memo = next(m for m in stack.books("CreditMemo") if m["DocNumber"] == credit["number"])
    assert (_doc(stack, "Invoice", theirs["Id"])["Balance"], memo["RemainingCredit"]) == (
        Decimal("38.00"), Decimal("13.00"))
    assert _parity(stack) == []

    if change == "void":
        stack.accountant("POST", f"objects/Payment/{linking['Id']}/void")
    else:
        stack.accountant("DELETE", f"objects/Payment/{linking['Id']}")
    stack.pull()
    assert _doc(stack, "Invoice", theirs["Id"])["Balance"] == Decimal("50.00")  # QBO disagrees with our ledger

    status = owner.get("/qbo/status").json
    [drift] = [e for e in status["errors"] if e["code"] == "qbo_drift"]
    assert (drift["object_type"], drift["object_id"]) == ("payment", paid["id"]) and linking["Id"] in drift["message"]
    found = _parity(stack)
    [reported] = [d for d in found if d["kind"] == "drift"]
    assert (reported["object_type"], reported["qbo_id"], reported["repair"]["action"]) == (
        "use", linking["Id"], "push_ours")

    done = _repair(stack)
    assert done["failed"] == [] and done["remaining"] == 0, done
    assert _parity(stack) == []
    assert [e for e in owner.get("/qbo/status").json["errors"] if e["code"] == "qbo_drift"] == []
    memo = next(m for m in stack.books("CreditMemo") if m["DocNumber"] == credit["number"])
    assert (_doc(stack, "Invoice", theirs["Id"])["Balance"], memo["RemainingCredit"]) == (
        Decimal("38.00"), Decimal("13.00"))
    live = [p for p in stack.books("Payment") if not (p.get("PrivateNote") or "").startswith("Voided")]
    assert len(live) == 1 and live[0]["Id"] != linking["Id"]
    assert owner.get(f"/invoices/{ours['id']}").json["balance"] == "38.00"
    stack.pull()  # the repair's own push comes back as an echo, not as new drift
    assert _parity(stack) == []
