"""HTTP shortcuts for ledger tests."""
from __future__ import annotations


def order(account, total="100.00", customer=0, charges=()):
    reply = account.owner.post("/sales-orders", {
        "customer_id": account.customers[customer],
        "lines": [{"description": "goods", "quantity": 1, "unit_price": total}],
        "charges": [{"description": d, "amount": a} for d, a in charges]})
    assert reply.status == 201, reply.body
    return reply.json


def invoice(account, invoice_id):
    reply = account.owner.get(f"/invoices/{invoice_id}")
    assert reply.status == 200, reply.body
    return reply.json


def credit(account, amount="10.00", customer=0):
    reply = account.owner.post("/credits", {"customer_id": account.customers[customer], "amount": amount})
    assert reply.status == 201, reply.body
    return reply.json


def get_credit(account, credit_id):
    return account.owner.get(f"/credits/{credit_id}").json


def pay(account, invoice_id, cash=None, credits=None, expect=201, **extra):
    body = {"tenders": [{"method": "cash", "amount": cash}] if cash else [], **extra}
    if credits is not None:
        body["credits"] = credits
    reply = account.owner.post(f"/invoices/{invoice_id}/payments", body)
    assert reply.status == expect, reply.body
    return reply.json
