"""Concurrent payments from the same few credits: no credit over-used, every cent accounted for."""
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.invariants import all_credits, cents, check_ledger
from tests.ledger_helpers import credit, get_credit, order

THREADS = 8


def test_eight_threads_paying_from_the_same_credits(account):
    credits = [credit(account, "25.00")["id"] for _ in range(3)]
    invoices = [order(account, f"{random.randint(5, 30)}.00")["invoice_id"] for _ in range(16)]

    def pay(i):
        invoice_id = invoices[i % len(invoices)]
        if i % 3 == 0:
            body = {"credits": [{"credit_id": credits[i % 3], "amount": "7.00"}]}
        elif i % 3 == 1:
            body = {"credits": "fifo", "tenders": [{"method": "cash", "amount": "2.00"}]}
        else:
            body = {"credits": "fifo"}
        return account.owner.post(f"/invoices/{invoice_id}/payments", body)

    with ThreadPoolExecutor(THREADS) as pool:
        replies = list(pool.map(pay, range(48)))
    assert {r.status for r in replies} <= {201, 400, 409}, [r.body for r in replies if r.status >= 500]
    assert any(r.status == 201 for r in replies)
    # overpayment credits born in this run (cash above a small balance) are spent by FIFO too
    spent = sum(cents(c["used"]) for c in all_credits(account))
    applied_from_credits = sum(cents(u["amount"]) for r in replies if r.status == 201 for u in r.json["credit_uses"])
    assert spent == applied_from_credits
    assert sum(cents(get_credit(account, c)["used"]) for c in credits) <= 75_00
    check_ledger(account, invoices)


def test_concurrent_voids_and_payments_keep_invariants(account):
    credits = [credit(account, "40.00")["id"] for _ in range(2)]
    invoices = [order(account, "15.00")["invoice_id"] for _ in range(8)]
    with ThreadPoolExecutor(THREADS) as pool:
        first = list(pool.map(lambda inv: account.owner.post(f"/invoices/{inv}/payments", {"credits": "fifo"}),
                              invoices))
    paid = [r.json["id"] for r in first if r.status == 201]

    def churn(i):
        if i < len(paid):
            return account.owner.post(f"/payments/{paid[i]}/void")
        return account.owner.post(f"/invoices/{invoices[i % len(invoices)]}/payments",
                                  {"credits": "fifo", "tenders": [{"method": "check", "amount": "1.00"}]})

    with ThreadPoolExecutor(THREADS) as pool:
        replies = list(pool.map(churn, range(len(paid) + 12)))
    assert all(r.status < 500 for r in replies)
    check_ledger(account, invoices)
    assert sum(cents(get_credit(account, c)["used"]) for c in credits) <= 80_00


def test_same_idempotency_key_on_payments_has_one_effect(account):
    invoice_id = order(account, "50.00")["invoice_id"]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"tenders": [{"method": "cash", "amount": "10.00"}]}
    with ThreadPoolExecutor(THREADS) as pool:
        replies = list(pool.map(lambda _: account.owner.post(f"/invoices/{invoice_id}/payments", body, headers=key),
                                range(THREADS)))
    assert {r.status for r in replies} <= {201, 409}
    assert len({r.json["id"] for r in replies if r.status == 201}) == 1
    inv = account.owner.get(f"/invoices/{invoice_id}").json
    assert len(inv["payments"]) == 1 and inv["paid"] == "10.00"
