"""DynamoDB requests per page of every list route as the account grows to 100, 1,000 and 10,000 objects.

Objects (customers, invoices, payments, returns in equal parts) are written straight into the table the way
the repositories write them (BatchWriteItem, to grow the account quickly); the pages are then read through
the API. Counted like bench/dynamodb_calls.py: every DynamoDB call either client makes, auth included.
"""
from __future__ import annotations

import json
import sys

from support import CallCounter, local_table

SIZES = (100, 1_000, 10_000)
PAGE = 25


def _grow(account_id: str, customer_ids: list[str], start: int, stop: int) -> None:
    """Add objects start..stop-1 (round-robin over the kinds), a fifth of invoices fully paid, voided payments rare."""
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.payments import Payment, PaymentStatus, Tender, TenderMethod
    from chalicelib.domain.returns import CustomerReturn, ReturnLine, ReturnStatus
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CustomerItem, account_pk
    from chalicelib.store.reads import index_customer_name
    from chalicelib.store.uow import UnitOfWork

    book = Ledger(UnitOfWork(account_id))
    pk, now = account_pk(account_id), "2026-11-01T00:00:00.000000Z"
    items = []
    for n in range(start, stop):
        kind, customer_id = n % 4, customer_ids[(n // 4) % len(customer_ids)]
        if kind == 0:
            item = CustomerItem(pk, f"CUST#{new_id()}", name=f"Customer {n:05d}", created_at=now)
            item.id = item.sk.split("#", 1)[1]
            index_customer_name(account_id, item)
        elif kind == 1:
            invoice = Invoice(id=new_id(), number=f"INV-{n}", sales_order_id=new_id(), customer_id=customer_id,
                              lines=[Line("goods", "1", 100_00)], charges=[], created_at=now,
                              paid=100_00 if n % 20 == 1 else 0)
            item = book.invoices.model(pk, book.invoices.sk(invoice.id))
            book.invoices.to_item(invoice, item)
        elif kind == 2:
            payment = Payment(id=new_id(), number=f"PAY-{n}", invoice_id=f"INV{(n // 4) % 10}", customer_id=customer_id,
                              tenders=[Tender(TenderMethod.CASH, 10_00)], credit_uses=[], tender_applied=10_00,
                              created_at=now, status=PaymentStatus.VOIDED if n % 200 == 2 else PaymentStatus.ACTIVE)
            item = book.payments.model(pk, book.payments.sk(payment.id))
            book.payments.to_item(payment, item)
        else:
            ret = CustomerReturn(id=new_id(), number=f"RET-{n}", customer_id=customer_id, created_at=now,
                                 lines=[ReturnLine("P", None, None, "1", 5_00)],
                                 status=ReturnStatus.COMPLETED if n % 40 == 3 else ReturnStatus.OPEN)
            item = book.returns.model(pk, book.returns.sk(ret.id))
            book.returns.to_item(ret, item)
        items.append(item)
    with CustomerItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def main() -> None:
    with local_table():
        from chalice.test import Client

        from app import app
        from devstack.seed import seed

        demo = seed()
        owner = {"Authorization": f"Bearer {demo.tokens['owner']}"}
        customer = demo.customer_ids[0]
        pages = {
            "customers": "/customers",
            "customers?q=customer 0": "/customers?q=customer%200",
            "invoices": "/invoices",
            "invoices?customer_id": f"/invoices?customer_id={customer}",
            "invoices?status=fully_paid (1 in 5 match)": "/invoices?status=fully_paid",
            "payments": "/payments",
            "payments?invoice_id": "/payments?invoice_id=INV1",
            "payments?customer_id": f"/payments?customer_id={customer}",
            "payments?status=voided (1 in 50 match)": "/payments?status=voided",
            "returns?customer_id&status=completed (1 in 10)": f"/returns?customer_id={customer}&status=completed",
            "roles": "/roles",
            "users": "/users",
        }
        rows: dict[str, list[str]] = {name: [] for name in pages}
        counter = CallCounter()
        grown = 0
        with Client(app) as client:
            client.http.get("/customers", headers=owner)  # warm connections
            for size in SIZES:
                _grow(demo.account_id, demo.customer_ids, grown, size)
                grown = size
                for name, path in pages.items():
                    with counter.measure() as calls:
                        reply = client.http.get(f"{path}{'&' if '?' in path else '?'}limit={PAGE}", headers=owner)
                    assert reply.status_code == 200, reply.body
                    got = len(json.loads(reply.body)["data"])
                    rows[name].append(f"{sum(calls.values())} ({got} items)")
        print(f"DynamoDB requests per page of {PAGE} (auth included: 1 BatchGetItem) at "
              f"{' / '.join(f'{s:,}' for s in SIZES)} objects")
        width = max(map(len, rows))
        for name, cells in rows.items():
            print(f"  {name.ljust(width)}  " + " | ".join(c.ljust(16) for c in cells))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
