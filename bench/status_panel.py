"""DynamoDB requests per GET /qbo/status as an account grows, and as what waits for QBO grows.

The panel reads the account item and one paged Query of the account's sparse pending index (gsi4): objects that are
synced (or never synced) are not in that index, so the account's size must not change the count; only what is
pending or parked does (one more Query page per ~1 MB of index entries). Invoices are written straight into the
table the way the repository writes them (BatchWriteItem). Counted like bench/reads.py: every DynamoDB call,
auth included.
"""
from __future__ import annotations

import json
import sys

from support import CallCounter, connected_account, local_table

# (objects out of the index, pending, parked) added on top of what the previous step left
STEPS = ((10_000, 0, 0), (0, 10, 2), (0, 990, 48), (0, 9_000, 50))


def _grow(account_id: str, customer_id: str, start: int, synced: int, pending: int, parked: int) -> int:
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.sync import SyncState
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import InvoiceItem, account_pk
    from chalicelib.store.uow import UnitOfWork

    book = Ledger(UnitOfWork(account_id))
    pk, now = account_pk(account_id), "2026-11-01T00:00:00.000000Z"
    states = ([SyncState(qbo_id="1", version=1, synced_version=1)] * synced + [SyncState(version=1)] * pending
              + [SyncState(version=1, error_code="2500", error="Invalid Reference Id", attempts=1)] * parked)
    with InvoiceItem.batch_write() as batch:
        for n, state in enumerate(states, start=start):
            invoice = Invoice(id=new_id(), number=f"INV-{n}", sales_order_id=new_id(), customer_id=customer_id,
                              lines=[Line("goods", "1", 100_00)], charges=[], created_at=now,
                              sync=SyncState(**vars(state)))
            item = book.invoices.model(pk, book.invoices.sk(invoice.id))
            book.invoices.to_item(invoice, item)
            batch.save(item)
    return start + len(states)


def main() -> None:
    with local_table():
        import requests
        from chalice.test import Client

        from app import app
        from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
        from chalicelib.login_tokens import issue_token
        from chalicelib.services import customers
        from devstack.qbo_emulator import start_emulator

        emulator = start_emulator(port=0)  # the panel counts what waits for a connected company
        company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
        account_id = connected_account(emulator.url, company, name="Status panel bench")
        staff = Principal("bench-staff", account_id, ALL_PERMISSIONS, staff=True, credits_enabled=True)
        customer_id = customers.create_customer(staff, name="Panel Customer").id
        owner = {"Authorization": f"Bearer {issue_token('bench-owner', account_id)}"}
        counter = CallCounter()
        print("GET /qbo/status: DynamoDB requests (auth BatchGetItem 1 + account GetItem 1 + gsi4 Query pages)")
        print(f"  {'objects':>8} {'pending':>8} {'parked':>7}  requests")
        written = totals = pending = parked = 0
        with Client(app) as client:
            client.http.get("/qbo/status", headers=owner)  # warm connections
            for synced_n, pending_n, parked_n in STEPS:
                written = _grow(account_id, customer_id, written, synced_n, pending_n, parked_n)
                totals, pending, parked = written, pending + pending_n, parked + parked_n
                with counter.measure() as calls:
                    reply = client.http.get("/qbo/status", headers=owner)
                assert reply.status_code == 200, reply.body
                panel = json.loads(reply.body)
                assert (panel["pending"], len(panel["errors"])) == (pending, parked), panel["pending"]
                print(f"  {totals:>8,} {pending:>8,} {parked:>7,}  {CallCounter.describe(calls)}")
        sys.stdout.flush()
        emulator.stop()


if __name__ == "__main__":
    main()
