"""Sync benches. Outbound (issue 9 §8): QBO requests per ledger operation, and requests to push 1,000 new credits
against the batching floor. Inbound (issue 10 §9): QBO requests per accountant change, and webhook-to-credit latency.
(Commit-to-synced latency through the real stream → queue → worker path is bench/sync_delivery.py.)

Run: .venv/bin/python bench/sync.py  (starts DynamoDB Local and the QBO emulator; SQS is moto, in process)

The inbound path is the real one: the accountant acts through the emulator's control API, the emulator delivers
signed webhooks over HTTP, they reach POST /qbo/webhook through Chalice's test client, the route enqueues pull
hints on an SQS FIFO queue (moto), and the worker loop below runs `pull_changes` for each hint with the message's
SentTimestamp, as the SQS worker does.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.support import local_table  # noqa: E402


def _stack():
    """An account connected to a fresh emulator realm, webhooks pointed at a receiver, a moto FIFO queue."""
    import requests
    from chalice.test import Client

    from app import app
    from chalicelib.workers import queue
    from devstack.qbo_emulator import start_emulator
    from tests.conftest import Http
    from tests.qbo.conftest import Realm
    from tests.qbo.consent import qbo_env
    from tests.qbo.inbound_stack import VERIFIER, InboundStack, Receiver, connect, fifo_queue

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    os.environ["QBO_WEBHOOK_VERIFIER"] = VERIFIER
    emulator = start_emulator(port=0)
    realm = Realm(emulator, requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json())
    os.environ.update(qbo_env(realm))
    client = Client(app)
    http = Http(client)
    account, store = connect(http, realm)
    os.environ["SYNC_QUEUE_URL"] = fifo_queue(queue.sqs_client(), "bench-inbound")
    receiver = Receiver()
    stack = InboundStack(account, realm, store, http, receiver, os.environ["SYNC_QUEUE_URL"])
    stack.webhooks(url=receiver.url, verifier=VERIFIER)
    stack.pull()  # first read after connecting
    return stack, emulator


def _memo(stack, customer_id: str, item_id: str, amount: str) -> None:
    from tests.qbo.inbound_stack import memo_body

    stack.realm.user_create("CreditMemo", memo_body(customer_id, amount, item_id=item_id))


def inbound_requests_per_change(changes: int = 100, waves: int = 10) -> None:
    """QBO requests the inbound path spends per accountant change: one burst, and the burst spread over waves."""
    stack, emulator = _stack()
    try:
        customer = stack.realm.customer("Bench Customer")
        item = next(i["Id"] for i in stack.books("Item") if i["Name"] == "Services")
        for label, per_wave in (("one burst", changes), (f"{waves} waves", changes // waves)):
            stack.pulls.clear()
            webhooks = 0
            for _ in range(changes // per_wave):
                for n in range(per_wave):
                    _memo(stack, customer["Id"], item, f"{n % 90 + 1}.00")
                delivered = stack.wait_deliveries(per_wave)
                webhooks += len(delivered)
                for delivery in delivered:
                    stack.post_webhook(delivery)
                time.sleep(0.3)  # a queue consumer picks hints up a moment after they are sent
                stack.drain()
            imported = sum(r.outcomes.get("imported", 0) for r in stack.pulls)
            cdc = sum(r.cdc_reads for r in stack.pulls)
            qbo = sum(r.qbo_requests for r in stack.pulls)
            print(f"inbound, {label}: {changes} accountant changes, {webhooks} webhooks, {len(stack.pulls)} pull hints, "
                  f"{cdc} CDC reads, {qbo} QBO requests in all ({qbo / changes:.2f} per change; one read per "
                  f"webhook would be {webhooks}), {imported} credits imported")
    finally:
        stack.receiver.stop()
        emulator.stop()


def webhook_to_credit_latency(trials: int = 10) -> None:
    """Seconds from the accountant's CreditMemo (control API) to the credit in GET /credits, in process."""
    stack, emulator = _stack()
    try:
        customer = stack.realm.customer("Latency Customer")
        item = next(i["Id"] for i in stack.books("Item") if i["Name"] == "Services")
        seconds = []
        for n in range(trials):
            started = time.perf_counter()
            _memo(stack, customer["Id"], item, f"{n + 1}.00")
            stack.deliver(1)
            stack.drain()
            while len(stack.credits(source="qbo")) < n + 1:
                stack.drain()
            seconds.append(time.perf_counter() - started)
        print(f"inbound, webhook to credit: {trials} CreditMemos, median {statistics.median(seconds):.3f} s, "
              f"max {max(seconds):.3f} s (emulator webhook over HTTP → route → SQS (moto) → pull → GET /credits)")
    finally:
        stack.receiver.stop()
        emulator.stop()


def _requests(stack) -> int:
    return int(stack.realm.stats()["requests"])


def _pushed(stack) -> int:
    """QBO requests one push run of the account made (the emulator counts what it served)."""
    before = _requests(stack)
    stack.push()
    return _requests(stack) - before


def outbound_requests_per_operation() -> None:
    """QBO requests per ledger operation once the customer and the invoice exist in QBO (DESIGN §5 mapping)."""
    stack, emulator = _stack()
    try:
        owner, customer = stack.account.owner, stack.account.customers[0]

        def sale(amount: str) -> str:
            return owner.post("/sales-orders", {"customer_id": customer, "charges": [], "lines": [
                {"description": "case", "quantity": "1", "unit_price": amount}]}).json["invoice_id"]

        owner.post("/credits", {"customer_id": customer, "amount": "1.00"})
        _pushed(stack)  # the customer and the company's sales item, once
        rows = []
        owner.post("/credits", {"customer_id": customer, "amount": "50.00"})
        rows.append(("create credit (a CreditMemo)", _pushed(stack)))
        invoice = sale("30.00")
        rows.append(("create sales order (its Invoice)", _pushed(stack)))
        paid = owner.post(f"/invoices/{invoice}/payments",
                          {"tenders": [{"method": "cash", "amount": "10.00"}], "credits": "fifo"}).json
        rows.append(("payment: cash + FIFO credits (tender Payment, one zero Payment per use)", _pushed(stack)))
        owner.post(f"/payments/{paid['id']}/void")
        rows.append(("void that payment (void + delete the use's Payment)", _pushed(stack)))
        for name, count in rows:
            print(f"outbound, {name}: {count} QBO requests")
    finally:
        stack.receiver.stop()
        emulator.stop()


def outbound_thousand_credits(count: int = 1000) -> None:
    """Requests per synced object to push `count` new credits of one account (and `count // 10` sales orders each
    paid by a check), batched by the push run, against the same objects pushed one request each (the one-object
    path, which is how every push went before batching) and against the floor of batches of 30."""
    from chalicelib.domain.pacing import floor_seconds
    from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
    from chalicelib.services.credits import issue_manual_credit
    from chalicelib.services.payments import receive_payment
    from chalicelib.services.sales import create_sales_order
    from chalicelib.domain.invoices import Line
    from chalicelib.domain.sync_modes import TWO_WAY_KINDS
    from chalicelib.domain.payments import Tender, TenderMethod
    from chalicelib.services.sync.push import push_one
    from chalicelib.store.sync_state import pending_objects

    stack, emulator = _stack()
    try:
        stack.realm.limits(enabled=False)  # count requests; pacing is modelled below from the realm's limits
        account = stack.account
        clerk = Principal("bench", account.id, ALL_PERMISSIONS, credits_enabled=True, sync_kinds=TWO_WAY_KINDS)
        owner, customers = account.owner, account.customers
        owner.post("/credits", {"customer_id": customers[0], "amount": "1.00"})
        owner.post("/credits", {"customer_id": customers[1], "amount": "1.00"})
        _pushed(stack)  # both customers and the company's sales item, once

        def make(n_credits: int, n_orders: int) -> int:
            for n in range(n_credits):
                issue_manual_credit(clerk, customer_id=customers[n % 2], amount=100 + n, internal_note="",
                                    external_note="")
            for n in range(n_orders):
                view = create_sales_order(clerk, customer_id=customers[n % 2], charges=[],
                                          lines=[Line("case", "1", 5_000 + n)])
                receive_payment(clerk, view.invoice.id, tenders=[Tender(TenderMethod.CHECK, 5_000 + n)], credits=None)
            return n_credits + 2 * n_orders

        def drain() -> tuple[int, int]:
            requests = batches = 0
            while True:  # a push run takes up to 500 pending objects: the worker's next message takes the rest
                before = _requests(stack)
                report = stack.push()
                ran = _requests(stack) - before
                requests, batches = requests + ran, batches + report.batch_requests
                if ran == 0:
                    return requests, batches

        def one_by_one() -> int:
            before = _requests(stack)
            client = stack.client()
            for pending in pending_objects(account.id, 10_000):
                push_one(account.id, pending.kind, pending.object_id, client=client)
            return _requests(stack) - before

        orders = count // 10
        objects = make(count, orders)
        started = time.perf_counter()
        requests, batches = drain()
        seconds = time.perf_counter() - started
        books = stack.realm.books()["objects"]
        assert len(books["CreditMemo"]) == count + 2 and len(books["Payment"]) == orders, "a document is missing"
        floor_batches = -(-count // 30) + 2 * -(-orders // 30)
        ours = floor_seconds(batches, requests - batches) / 60
        floor = floor_seconds(floor_batches, 0) / 60
        objects_small = make(count // 10, orders // 10)
        single = one_by_one()
        print(f"outbound, push {count} new credits + {orders} paid sales orders ({objects} objects): "
              f"{requests} QBO requests ({batches} batches of up to 30, {requests - batches} single) in {seconds:.1f} s "
              f"(emulator unthrottled) = {requests / objects:.3f} requests per synced object; "
              f"floor {floor_batches} batch requests ({floor_batches / objects:.3f} per object); modelled at the realm's "
              f"limits {ours:.2f} min against the floor's {floor:.2f} min ({ours / floor:.2f} x)")
        print(f"outbound, the same kind of objects one request each (the one-object path, as every push went before "
              f"batching): {single} QBO requests for {objects_small} objects = {single / objects_small:.3f} per object; "
              f"batching cuts requests per object {single / objects_small / (requests / objects):.1f} x")
    finally:
        stack.receiver.stop()
        emulator.stop()


def main() -> None:
    from moto import mock_aws

    with local_table(), mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}}):
        outbound_requests_per_operation()
        outbound_thousand_credits(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
        inbound_requests_per_change()
        webhook_to_credit_latency()


if __name__ == "__main__":
    main()
