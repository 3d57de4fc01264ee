"""Mass re-sync: QBO requests and modelled time against the floor of QBO's limits (issue 11 §8).

1. Measured: the real job (chalicelib/services/sync/resync.py) runs against DynamoDB Local and the QBO emulator for
   an account at 1/20 scale; its requests are counted by the emulator and its pacing runs on a virtual clock (the
   job's own Pacer decides every wait; the clock only advances by those waits).
2. Modelled: the same request pattern, checked equal to what was measured, at full scale (10,000 credits, 5,000
   invoices, 5,000 payments and their customers), paced by the same Pacer.

Floor: every object needing a document sent in full batches of 30 at 40 batches/min (and 500 requests/min).
Goal: at most 1.05 x the floor.
"""
from __future__ import annotations

import math
import os
import sys
import time

import requests

from support import connected_account, local_table

FULL = {"customers": 100, "invoices": 5_000, "payments": 5_000, "credits": 10_000}
SCALE = 20


def requests_of(counts: dict[str, int]) -> tuple[int, int]:
    """(batch requests, single requests) the job makes: customers are looked up by name one query per batch, the
    sales Item once, then every kind in batches of 30."""
    customer_batches = math.ceil(counts["customers"] / 30)
    batches = customer_batches + sum(math.ceil(counts[k] / 30) for k in ("invoices", "payments", "credits"))
    return batches, customer_batches + 1


def modelled_seconds(batches: int, singles: int) -> float:
    """Replay the job's order (per customer batch: query then batch; the Item query; the other batches)."""
    from chalicelib.domain.pacing import Pacer

    pacer, now = Pacer(), 0.0
    order = []
    customer_batches = singles - 1
    order += [False, True] * customer_batches + [False] + [True] * (batches - customer_batches)
    for batch in order:
        now += pacer.wait(now, batch=batch)
        pacer.sent(now, batch=batch)
    return max(pacer.next_batch_at, pacer.next_request_at)


def floor(counts: dict[str, int]) -> float:
    from chalicelib.domain.pacing import floor_seconds

    return floor_seconds(math.ceil(sum(counts.values()) / 30), 0)


def _grow(account_id: str, counts: dict[str, int]) -> None:
    """Customers, invoices each paid exactly by one tender payment, open manual credits: written the way the
    repositories write them, already forgotten by a hard disconnect (no QBO ids)."""
    from chalicelib.domain.credits import Credit, CreditSource
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.payments import Payment, PaymentStatus, Tender, TenderMethod
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CustomerItem, account_pk
    from chalicelib.store.uow import UnitOfWork

    book = Ledger(UnitOfWork(account_id))
    pk, now = account_pk(account_id), "2026-11-01T00:00:00.000000Z"
    items, customers = [], []
    for n in range(counts["customers"]):
        item = CustomerItem(pk, f"CUST#{new_id()}", name=f"Bench customer {n:05d}", created_at=now)
        item.id = item.sk.split("#", 1)[1]
        customers.append(item.id)
        items.append(item)
    for n in range(counts["invoices"]):
        customer = customers[n % len(customers)]
        invoice = Invoice(id=new_id(), number=f"{1000 + n}", sales_order_id=new_id(), customer_id=customer,
                          lines=[Line("goods", "1", 100_00)], charges=[], created_at=now, paid=100_00)
        item = book.invoices.model(pk, book.invoices.sk(invoice.id))
        book.invoices.to_item(invoice, item)
        items.append(item)
        if n < counts["payments"]:
            payment = Payment(id=new_id(), number=f"P{n}", invoice_id=invoice.id, customer_id=customer,
                              tenders=[Tender(TenderMethod.CHECK, 100_00)], credit_uses=[], tender_applied=100_00,
                              created_at=now, status=PaymentStatus.ACTIVE)
            item = book.payments.model(pk, book.payments.sk(payment.id))
            book.payments.to_item(payment, item)
            items.append(item)
    for n in range(counts["credits"]):
        credit = Credit(id=new_id(), number=f"CR-{1001 + n}", customer_id=customers[n % len(customers)],
                        source=CreditSource.MANUAL, amount=5_00 + n, created_at=now)
        item = book.credits.model(pk, book.credits.sk(credit.id))
        book.credits.to_item(credit, item)
        items.append(item)
    with CustomerItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def measured(counts: dict[str, int]) -> dict:
    """Run the real job once at this size; answer its requests, its paced (virtual) seconds and the books."""
    from chalicelib.qbo.client import build_client
    from chalicelib.qbo.config import QboSettings
    from chalicelib.services.sync import jobs
    from chalicelib.store import account_items
    from devstack.qbo_emulator import start_emulator

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    emulator = start_emulator(port=0)
    try:
        company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
        control = f"{emulator.url}/_control/companies/{company['realm_id']}"
        requests.post(f"{control}/limits", json={"enabled": False}, timeout=10)  # our Pacer is what is measured
        account_id = connected_account(emulator.url, company)
        _grow(account_id, counts)
        settings = QboSettings(environment=emulator.discovery_url, api_base=emulator.api_base,
                               client_id=company["client_id"], client_secret=company["client_secret"],
                               redirect_uri=company.get("redirect_uri", ""), backoff_base=0.001, backoff_max=0.01)
        sent: list[str] = []
        jobs.send_hint = lambda job: sent.append(job.id)  # the SQS queue: the loop below plays the worker
        total = sum(account_items.count(account_id, p + "#") for p in ("CUST", "INV", "PAY", "CREDIT"))
        job = jobs.start(account_id, jobs.RESYNC, realm_id=company["realm_id"], total=total)
        virtual = [0.0]
        started = time.perf_counter()
        while job.status == "running":
            job = jobs.run_job(job.id, client_factory=lambda a: build_client(a, settings=settings),
                               clock=lambda: virtual[0], sleep=lambda s: virtual.__setitem__(0, virtual[0] + s))
        wall = time.perf_counter() - started
        books = requests.get(f"{control}/books", timeout=30).json()["objects"]
        stats = requests.get(f"{control}/stats", timeout=10).json()
        return {"status": job.status, "done": int(job.done), "total": int(job.total), "failed": int(job.failed),
                "requests": int(job.requests), "virtual_seconds": virtual[0], "wall": wall, "steps": len(sent),
                "books": {k: len(books.get(k, [])) for k in ("Customer", "Invoice", "Payment", "CreditMemo")},
                "stats": stats}
    finally:
        emulator.stop()


def main() -> None:
    small = {k: max(1, v // SCALE) for k, v in FULL.items()}
    with local_table():
        run = measured(small)
    batches, singles = requests_of(small)
    print(f"mass re-sync, measured at 1/{SCALE} scale {small}:")
    print(f"  job: {run['status']}, done {run['done']}/{run['total']}, failed {run['failed']}, "
          f"{run['steps']} queued steps; books {run['books']}")
    print(f"  QBO requests {run['requests']} (model: {batches} batches + {singles} queries = {batches + singles})")
    paced = run["virtual_seconds"]
    print(f"  paced time (virtual clock) {paced:.1f} s + one batch slot = {paced + 1.5:.1f} s; model "
          f"{modelled_seconds(batches, singles):.1f} s; floor {floor(small):.1f} s; wall here {run['wall']:.1f} s")
    if run["requests"] != batches + singles:
        print("  !! the model does not match the measured run")
    batches, singles = requests_of(FULL)
    model, least = modelled_seconds(batches, singles), floor(FULL)
    print(f"full scale {FULL}:")
    print(f"  QBO requests {batches + singles} ({batches} batches of up to 30, {singles} queries); "
          f"floor {math.ceil(sum(FULL.values()) / 30)} batches")
    print(f"  modelled {model / 60:.2f} min vs floor {least / 60:.2f} min: {model / least:.3f} x the floor "
          f"(goal <= 1.05)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
