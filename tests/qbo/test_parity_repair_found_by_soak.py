"""Parity repairs the soak found failing (issue 12 §3), as the accountant through the emulator and our users
through HTTP: after the repair the check says 0."""
from __future__ import annotations

import uuid

from tests.qbo.conftest import SyncedAccount


def _key() -> dict:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _check(synced: SyncedAccount) -> list[dict]:
    reply = synced.account.owner.get("/qbo/parity")
    assert reply.status == 200, reply.body
    return reply.json["differences"]


def test_a_voided_overpaid_payment_of_a_reduced_invoice_is_recreated(synced):
    """Seed 2, N=300: our Payment (overpaid, with a credit use, its invoice then reduced below what was paid) voided
    by the accountant. The repair pushes the invoice first, which pushes the Payment (it holds the adjustment
    credit's money) before the Payment's own retry: its create must not reuse the requestid of the Payment's first
    create, which QBO answers with that first answer, the document now voided."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "33.50"}).json
    order = owner.post("/sales-orders", {"customer_id": customer, "charges": [], "lines": [
        {"description": "case", "quantity": "1", "unit_price": "78.04"}]}).json
    assert synced.push().parked == []
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments", {
        "tenders": [{"method": "transfer", "amount": "51.26"}, {"method": "check", "amount": "60.70"}],
        "credits": [{"credit_id": credit["id"], "amount": "9.64"}]})
    assert paid.status == 201, paid.body
    assert owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "recounted", "quantity": "1", "unit_price": "8.14"}]}).status == 200
    assert synced.push().parked == []
    assert _check(synced) == []
    ours = synced.one("Payment", PaymentRefNum=paid.json["number"])
    synced.realm.control("POST", f"objects/Payment/{ours['Id']}/void")
    found = {d["kind"] for d in _check(synced)}
    assert "voided_in_qbo" in found, found
    done = owner.post("/qbo/parity/repair", {}, headers=_key())
    assert done.status == 200 and not done.json["failed"] and done.json["remaining"] == 0, done.json
    assert _check(synced) == []
