"""Four processes on one QuickBooks company (issue: one budget per realm): a push of pending credits, a stream of
CDC pulls, a parity check and a mass re-sync run at once, each in its own OS process with its own QboClient (as
separate Lambdas would), against one emulator company that enforces Intuit's limits (500 requests and 40 batch
requests per minute, 10 in flight, sliding one-minute windows on real time).

Printed: the 429s the emulator answered (goal 0), the elapsed time against the floor the limits allow
(domain.pacing.floor_seconds of the requests the emulator let through; goal <= 1.1 x) and the DynamoDB requests the
realm budget spent per QBO request (bench/support.py's CallCounter in every process).

Run: .venv/bin/python bench/realm_budget.py [--no-budget]  (--no-budget: QBO_REALM_BUDGET=off, per-process pacing only)
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections import Counter

import requests

from support import CallCounter, connected_account, local_table

CUSTOMERS = 40
PUSH_CREDITS = 240  # new credits pending: the push creates them 30 to a batch
RESYNC_INVOICES = 360  # invoices and as many payments the company lacks: the re-sync creates them 30 to a batch
PULLS = 120  # CDC reads (webhook and sweep hints)
ROLES = ("push", "pull", "parity", "resync")
NOW = "2026-11-01T00:00:00.000000Z"
REDELIVERY_SECONDS = 1.0  # a failed run is handed back by the queue; far sooner here than SQS would


def seed(account_id: str, books) -> None:
    """Customers already in the company (both sides), new credits pending for the push, invoices and payments the
    company lacks for the re-sync; written the way the repositories write them."""
    from chalicelib.domain.credits import Credit, CreditSource
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.payments import Payment, PaymentStatus, Tender, TenderMethod
    from chalicelib.domain.sync import SyncState
    from chalicelib.qbo.mapping import customer_doc
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CustomerItem, account_pk
    from chalicelib.store.uow import UnitOfWork

    book, pk, items = Ledger(UnitOfWork(account_id)), account_pk(account_id), []
    docs, customers = {}, []
    for n in range(CUSTOMERS):
        name, qbo_id = f"Budget customer {n:03d}", str(5000 + n)
        docs[qbo_id] = {**customer_doc(name), "Id": qbo_id, "SyncToken": "0", "domain": "QBO", "sparse": False}
        item = CustomerItem(pk, f"CUST#{new_id()}", name=name, created_at=NOW, qbo_id=qbo_id, sync_status="synced")
        item.id = item.sk.split("#", 1)[1]
        customers.append(item.id)
        items.append(item)

    def save(repo, entity) -> None:
        item = repo.model(pk, repo.sk(repo.id_of(entity)))
        repo.to_item(entity, item)
        items.append(item)

    for n in range(PUSH_CREDITS):
        credit = Credit.issue(id=new_id(), number=f"CR-{1001 + n}", customer_id=customers[n % CUSTOMERS],
                              source=CreditSource.MANUAL, amount=5_00 + n, now=NOW, internal_note=f"bench {n}")
        credit.sync = SyncState(version=1, pending_since=NOW)
        save(book.credits, credit)
    for n in range(RESYNC_INVOICES):
        customer = customers[n % CUSTOMERS]
        invoice = Invoice(id=new_id(), number=f"{1000 + n}", sales_order_id=new_id(), customer_id=customer,
                          lines=[Line("goods", "1", 100_00)], charges=[], created_at=NOW, paid=100_00)
        save(book.invoices, invoice)
        save(book.payments, Payment(id=new_id(), number=f"P{n}", invoice_id=invoice.id, customer_id=customer,
                                    tenders=[Tender(TenderMethod.CHECK, 100_00)], credit_uses=[],
                                    tender_applied=100_00, created_at=NOW, status=PaymentStatus.ACTIVE))
    with CustomerItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    with books.lock:
        for obj in docs.values():
            books._normalize("Customer", obj)
        books._commit({"Customer": docs}, None)
        books._next_id = max(books._next_id, 5000 + CUSTOMERS)  # ids the company gives from here on are newer


# ----- one process per role --------------------------------------------------------------------------------------

class Clients:
    """The role's client factory: builds each client as production does and remembers it, for its counters."""

    def __init__(self) -> None:
        self.made: list = []

    def __call__(self, account_id: str):
        from chalicelib.qbo.client import build_client

        client = build_client(account_id)
        self.made.append(client)
        return client

    def stats(self) -> Counter:
        total: Counter = Counter()
        for client in self.made:
            total.update(client.session.stats)
        return total


def _again(run, failures: Counter) -> None:
    """Run once; a failure (throttled past the client's retries, QBO unavailable) is redelivered, as SQS would."""
    while True:
        try:
            return run()
        except Exception as error:  # PushDeferred, QboThrottledError, ...: the queue hands the hint back later
            failures[type(error).__name__] += 1
            time.sleep(REDELIVERY_SECONDS)


def _push(account_id: str, realm_id: str, job_id: str, clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync.push import push_pending
    from chalicelib.store.sync_state import pending_objects

    while any(not p.parked for p in pending_objects(account_id, 500)):
        _again(lambda: push_pending(account_id, client_factory=clients), failures)


def _pull(account_id: str, realm_id: str, job_id: str, clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync.pull import pull_changes

    for _ in range(PULLS):
        _again(lambda: pull_changes(realm_id, client_factory=clients), failures)


def _parity(account_id: str, realm_id: str, job_id: str, clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync import parity_check

    _again(lambda: parity_check.check(account_id, clients(account_id)), failures)


def _resync(account_id: str, realm_id: str, job_id: str, clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync import jobs

    jobs.send_hint = lambda job: None  # the loop below plays the queue
    while _again(lambda: jobs.run_job(job_id, client_factory=clients), failures).status == "running":
        pass


def role_main(role: str, ids: tuple[str, str, str], ready, go, results) -> None:
    """A process standing in for one Lambda: wait for the start, run the role, report its counters."""
    counter = CallCounter()
    clients, failures = Clients(), Counter()
    run = {"push": _push, "pull": _pull, "parity": _parity, "resync": _resync}[role]
    ready.set()
    go.wait()
    started = time.time()
    with counter.measure() as calls:
        run(*ids, clients, failures)
    results.put({"role": role, "started": started, "ended": time.time(), "qbo": dict(clients.stats()),
                 "dynamodb": dict(calls), "budget": dict(getattr(counter, "budget_calls", {})),
                 "failures": dict(failures)})


# ----- the run ---------------------------------------------------------------------------------------------------

def _start_resync(account_id: str, realm_id: str) -> str:
    from chalicelib.services.sync import jobs
    from chalicelib.store import account_items

    jobs.send_hint = lambda job: None
    total = sum(account_items.count(account_id, p + "#") for p in ("CUST", "INV", "PAY", "CREDIT"))
    return jobs.start(account_id, jobs.RESYNC, realm_id=realm_id, total=total).id


def run_roles(ids: tuple[str, str, str]) -> tuple[float, list[dict]]:
    """Start the four processes together; answer the elapsed seconds (first start to last end) and their reports."""
    context = multiprocessing.get_context("spawn")
    go, results = context.Event(), context.Queue()
    procs, readies = [], []
    for role in ROLES:
        ready = context.Event()
        proc = context.Process(target=role_main, args=(role, ids, ready, go, results), name=role)
        proc.start()
        procs.append(proc)
        readies.append(ready)
    for ready in readies:
        ready.wait(120)
    go.set()
    reports = [results.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join(30)
    started = min(r["started"] for r in reports)
    return max(r["ended"] for r in reports) - started, reports


def main() -> None:
    from chalicelib.domain.pacing import floor_seconds
    from chalicelib.services.sync.pull import pull_changes
    from devstack.qbo_emulator import start_emulator

    budget = "--no-budget" not in sys.argv[1:]
    os.environ["QBO_REALM_BUDGET"] = "on" if budget else "off"
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with local_table():
        emulator = start_emulator(port=0)
        try:
            company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
            realm_id = company["realm_id"]
            control = f"{emulator.url}/_control/companies/{realm_id}"
            account_id = connected_account(emulator.url, company)  # the emulator's limits are on from the start
            seed(account_id, emulator.state.companies[realm_id].books)
            pull_changes(realm_id)  # the first read after connecting: from here on, pulls read CDC
            job_id = _start_resync(account_id, realm_id)
            before = requests.get(f"{control}/stats", timeout=10).json()
            elapsed, reports = run_roles((account_id, realm_id, job_id))
            after = requests.get(f"{control}/stats", timeout=10).json()
            books = requests.get(f"{control}/books", timeout=60).json()["objects"]
        finally:
            emulator.stop()
    served = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    throttled = served.get("status_429", 0)
    admitted = served.get("requests", 0) - throttled
    batches = served.get("batch_requests", 0)
    floor = floor_seconds(batches, admitted - batches)
    qbo = sum(r["qbo"].get("requests", 0) for r in reports)
    budget_calls = sum(sum(r["budget"].values()) for r in reports)
    print(f"realm budget bench ({'realm budget' if budget else 'per-process pacing only'}): 4 processes on one "
          f"realm, emulator limits on")
    for r in sorted(reports, key=lambda r: ROLES.index(r["role"])):
        print(f"  {r['role']:7s} {r['ended'] - r['started']:6.1f} s, QBO requests {r['qbo'].get('requests', 0)} "
              f"(429s seen {r['qbo'].get('throttled', 0)}), failed runs {r['failures'] or 0}, "
              f"DynamoDB {sum(r['dynamodb'].values())} (budget {sum(r['budget'].values())})")
    print(f"  books: {len(books.get('CreditMemo', []))} credit memos (of {PUSH_CREDITS}), "
          f"{len(books.get('Invoice', []))} invoices and {len(books.get('Payment', []))} payments "
          f"(of {RESYNC_INVOICES} each)")
    print(f"  429s answered by the emulator: {throttled} (goal 0)")
    print(f"  elapsed {elapsed:.1f} s vs floor {floor:.1f} s ({admitted} requests let through, {batches} of them "
          f"batches): {elapsed / floor:.2f} x (goal <= 1.1)")
    print(f"  DynamoDB requests of the budget per QBO request: {budget_calls} / {qbo} = "
          f"{budget_calls / max(1, qbo):.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
