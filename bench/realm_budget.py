"""Four processes on one QuickBooks company (one budget per realm): a push of pending credits (new ones 30 to a
batch, changed ones one update each), CDC pulls at webhook pace, a parity check and a mass re-sync run at once, each
in an OS process of its own with its own QboClients (as separate Lambdas would), against one emulator company that
enforces Intuit's limits (500 requests and 40 batch requests in any sliding minute, 10 in flight; real time).

Printed: the 429s the emulator answered (goal 0), the elapsed time against the floor the limits allow
(domain.pacing.floor_seconds of the requests the emulator let through; goal <= 1.1 x) and the DynamoDB requests the
realm budget made per QBO request (bench/support.py's CallCounter in every process).

Run: .venv/bin/python bench/realm_budget.py [--no-budget | --budget | --unlimited]  (make bench: both runs, ~4 min)
  (no flag)     the same work twice: per-process pacing only, then with the realm budget
  --no-budget   only QBO_REALM_BUDGET=off: each process paces only itself (what was there before the budget)
  --budget      only the run with the realm budget
  --unlimited   the emulator's limits and the budget off: how fast this machine runs the same work (if that is not
                well under the floor, the machine, not QBO's limits, sets the elapsed time)
"""
from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter

import requests

from support import CallCounter, connected_account, local_table

CUSTOMERS = 40
NEW_CREDITS = 240  # pending, never pushed: the push creates them 30 to a batch (8 batches)
# pushed before, changed since: one update each. The push sends them after its batches, one at a time: 300 of them
# end about when the re-sync's batches do, so the company's limits set the elapsed time, not the push's own chain
# (with 400, the push alone needs its share of 16 batch cells and then 400 request cells: about 1.1 x the floor)
CHANGED_CREDITS = 300
RESYNC_INVOICES = 600  # invoices and as many payments the company lacks: the re-sync creates them (40 batches)
PULLS, PULL_EVERY = 12, 5.0  # CDC reads, one every 5 s (webhook and sweep hints)
ROLES = ("push", "pull", "parity", "resync")
NOW = "2026-11-01T00:00:00.000000Z"
SEEDED = "2026-11-01T00:00:00-00:00"  # the company's objects as of the seed (QBO's time format)
REDELIVERY_SECONDS = 1.0  # a failed run comes back from the queue (far sooner here than SQS would bring it)
MAX_RECEIVES = 20  # then the run is a dead letter: a bug, not QBO's limits (the bench stops instead of looping)


def _customers(pk: str, docs: dict, items: list) -> list[tuple[str, str]]:
    from chalicelib.qbo.mapping import customer_doc
    from chalicelib.store.ids import new_id
    from chalicelib.store.models import CustomerItem

    customers = []
    for n in range(CUSTOMERS):
        name, qbo_id = f"Budget customer {n:03d}", str(5000 + n)
        docs["Customer"][qbo_id] = {**customer_doc(name), "Id": qbo_id, "SyncToken": "0"}
        item = CustomerItem(pk, f"CUST#{new_id()}", name=name, created_at=NOW, qbo_id=qbo_id, sync_status="synced")
        item.id = item.sk.split("#", 1)[1]
        customers.append((item.id, qbo_id))
        items.append(item)
    return customers


def seed(account_id: str, books) -> None:
    """Customers in the company (both sides); credits for the push (new, and changed since their last push, their
    CreditMemo in the company); invoices and payments the company lacks, for the re-sync. Written the way the
    repositories write them."""
    from chalicelib.domain.credits import Credit, CreditSource
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.payments import Payment, PaymentStatus, Tender, TenderMethod
    from chalicelib.domain.sync import SyncState
    from chalicelib.domain.sync_plan import memo_plan
    from chalicelib.qbo.mapping import Ref, credit_memo_doc
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CustomerItem, account_pk
    from chalicelib.store.uow import UnitOfWork

    book, pk, items = Ledger(UnitOfWork(account_id)), account_pk(account_id), []
    docs: dict[str, dict] = {"Customer": {}, "CreditMemo": {}}
    customers = _customers(pk, docs, items)

    def save(repo, entity) -> None:
        item = repo.model(pk, repo.sk(repo.id_of(entity)))
        repo.to_item(entity, item)
        items.append(item)

    for n in range(NEW_CREDITS + CHANGED_CREDITS):
        customer, customer_qbo = customers[n % CUSTOMERS]
        credit = Credit.issue(id=new_id(), number=f"CR-{1001 + n}", customer_id=customer, source=CreditSource.MANUAL,
                              amount=5_00 + n, now=NOW, internal_note=f"bench {n}")
        credit.sync = SyncState(version=1)
        if n >= NEW_CREDITS:  # pushed as version 1, changed since (version 2)
            qbo_id = str(6000 + n)
            doc = credit_memo_doc(credit, memo_plan(credit), customer=Ref(customer_qbo), item=Ref("1"))
            docs["CreditMemo"][qbo_id] = {**doc, "Id": qbo_id, "SyncToken": "0"}
            credit.sync = SyncState(qbo_id=qbo_id, sync_token="0", version=2, synced_version=1)
        save(book.credits, credit)
    for n in range(RESYNC_INVOICES):
        customer = customers[n % CUSTOMERS][0]
        invoice = Invoice(id=new_id(), number=f"{1000 + n}", sales_order_id=new_id(), customer_id=customer,
                          lines=[Line("goods", "1", 100_00)], charges=[], created_at=NOW, paid=100_00)
        save(book.invoices, invoice)
        save(book.payments, Payment(id=new_id(), number=f"P{n}", invoice_id=invoice.id, customer_id=customer,
                                    tenders=[Tender(TenderMethod.CHECK, 100_00)], credit_uses=[],
                                    tender_applied=100_00, created_at=NOW, status=PaymentStatus.ACTIVE))
    with CustomerItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    _commit_books(books, docs)


def _commit_books(books, docs: dict[str, dict]) -> None:
    """The company's side of the seed in one validated commit (the emulator derives balances and credit left)."""
    with books.lock:
        for entity, objs in docs.items():
            for obj in objs.values():
                obj.update({"domain": "QBO", "sparse": False,
                            "MetaData": {"CreateTime": SEEDED, "LastUpdatedTime": SEEDED}})
                books._normalize(entity, obj)
        books._commit(docs, None)
        books._next_id = max(books._next_id, 6000 + NEW_CREDITS + CHANGED_CREDITS)  # the company's next ids


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


def _again(run, failures: Counter):
    """Run once; a failure (throttled past the client's retries, QBO unavailable) is redelivered, as SQS would,
    at most MAX_RECEIVES times in a row (the queue's DLQ)."""
    for receive in range(1, MAX_RECEIVES + 1):
        try:
            return run()
        except Exception as error:  # PushDeferred, QboThrottledError, ...: the queue hands the hint back later
            failures[type(error).__name__] += 1
            if receive == MAX_RECEIVES:
                raise
            time.sleep(REDELIVERY_SECONDS)


def _push(ids: tuple[str, str, str], clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync.push import push_pending
    from chalicelib.store.sync_state import pending_objects

    while any(not p.parked for p in pending_objects(ids[0], 1000)):
        _again(lambda: push_pending(ids[0], client_factory=clients, limit=1000), failures)


def _pull(ids: tuple[str, str, str], clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync.pull import pull_changes

    for _ in range(PULLS):
        started = time.monotonic()
        _again(lambda: pull_changes(ids[1], client_factory=clients), failures)
        time.sleep(max(0.0, PULL_EVERY - (time.monotonic() - started)))


def _parity(ids: tuple[str, str, str], clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync import parity_check

    _again(lambda: parity_check.check(ids[0], clients(ids[0])), failures)


def _resync(ids: tuple[str, str, str], clients: Clients, failures: Counter) -> None:
    from chalicelib.services.sync import jobs

    jobs.send_hint = lambda job: None  # the loop below plays the queue
    while _again(lambda: jobs.run_job(ids[2], client_factory=clients), failures).status == "running":
        pass


def role_main(role: str, ids: tuple[str, str, str], ready, go, results) -> None:
    """A process standing in for one Lambda: wait for the start, run the role, report its counters."""
    from chalicelib.qbo.budget import BUDGETS

    faulthandler.register(signal.SIGUSR1)  # kill -USR1 <pid>: where a slow role is
    counter, clients, failures = CallCounter(), Clients(), Counter()
    run = {"push": _push, "pull": _pull, "parity": _parity, "resync": _resync}[role]
    ready.set()
    go.wait()
    started, error = time.time(), None
    with counter.measure() as calls:
        try:
            run(ids, clients, failures)
        except Exception as failed:  # a dead letter: reported, so the bench ends and says so
            error = f"{type(failed).__name__}: {failed}"
    results.put({"role": role, "started": started, "ended": time.time(), "qbo": dict(clients.stats()),
                 "dynamodb": dict(calls), "budget": dict(counter.budget_calls), "error": error,
                 "holder": dict(BUDGETS.stats(ids[1])), "failures": dict(failures)})


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
        procs.append(context.Process(target=role_main, args=(role, ids, ready, go, results), name=role))
        procs[-1].start()
        readies.append(ready)
    for ready in readies:
        ready.wait(300)
    go.set()
    reports = [results.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join(30)
    return max(r["ended"] for r in reports) - min(r["started"] for r in reports), reports


def prepare(emulator_url: str, books_of) -> tuple[str, str, str, str]:
    """A company, an account connected to it through consent, the seeds, a first pull and the re-sync job."""
    from chalicelib.services.sync.pull import pull_changes

    company = requests.post(f"{emulator_url}/_control/companies", json={}, timeout=10).json()
    realm_id = company["realm_id"]
    account_id = connected_account(emulator_url, company)  # the emulator's limits are on from the start
    seed(account_id, books_of(realm_id))
    pull_changes(realm_id)  # the first read after connecting: from here on, pulls read CDC
    return account_id, realm_id, _start_resync(account_id, realm_id), f"{emulator_url}/_control/companies/{realm_id}"


def report(mode: str, elapsed: float, reports: list[dict], served: dict, books: dict) -> None:
    from chalicelib.domain.pacing import floor_seconds

    throttled = served.get("status_429", 0)
    admitted, batches = served.get("requests", 0) - throttled, served.get("batch_requests", 0)
    floor = floor_seconds(batches, admitted - batches)
    qbo = sum(r["qbo"].get("requests", 0) for r in reports)
    budget_calls = sum(sum(r["budget"].values()) for r in reports)
    print(f"realm budget bench ({mode}): 4 processes on one company, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}")
    for r in sorted(reports, key=lambda r: ROLES.index(r["role"])):
        holder = r["holder"]
        print(f"  {r['role']:7s} {r['ended'] - r['started']:6.1f} s: QBO requests {r['qbo'].get('requests', 0)} "
              f"(429s {r['qbo'].get('throttled', 0)}), runs handed back {sum(r['failures'].values())}; budget: "
              f"DynamoDB {sum(r['budget'].values())} of {sum(r['dynamodb'].values())}, takes {holder.get('takes', 0)}, "
              f"conflicts {holder.get('conflicts', 0)}, cells lapsed {holder.get('lapsed', 0)}, "
              f"waits for a slot {holder.get('waits', 0)}")
        if r["error"]:
            print(f"          gave up after {MAX_RECEIVES} receives: {r['error']}")
    print(f"  books: {len(books.get('CreditMemo', []))} credit memos (of {NEW_CREDITS + CHANGED_CREDITS}), "
          f"{len(books.get('Invoice', []))} invoices and {len(books.get('Payment', []))} payments "
          f"(of {RESYNC_INVOICES} each)")
    print(f"  429s answered by the emulator: {throttled} (goal 0)")
    print(f"  elapsed {elapsed:.1f} s vs floor {floor:.1f} s ({admitted} requests let through, {batches} of them "
          f"batches): {elapsed / floor:.2f} x (goal <= 1.1)")
    print(f"  DynamoDB requests of the budget per QBO request: {budget_calls} / {qbo} = "
          f"{budget_calls / max(1, qbo):.3f}")


MODES = {  # name: (QBO_REALM_BUDGET, the emulator enforces Intuit's limits)
    "per-process pacing only": ("off", True),
    "realm budget": ("on", True),
    "no limits, no budget": ("off", False),
}


def run_mode(mode: str) -> None:
    """One run on a fresh table and emulator: the budget on or off (the roles' processes inherit the setting)."""
    from devstack.qbo_emulator import start_emulator

    os.environ["QBO_REALM_BUDGET"], limited = MODES[mode]
    with local_table():
        emulator = start_emulator(port=0)
        try:
            account_id, realm_id, job_id, control = prepare(emulator.url, lambda r: emulator.state.companies[r].books)
            requests.post(f"{control}/limits", json={"enabled": limited}, timeout=10)
            before = requests.get(f"{control}/stats", timeout=10).json()
            elapsed, reports = run_roles((account_id, realm_id, job_id))
            after = requests.get(f"{control}/stats", timeout=10).json()
            books = requests.get(f"{control}/books", timeout=60).json()["objects"]
        finally:
            emulator.stop()
    report(mode, elapsed, reports, {k: after.get(k, 0) - before.get(k, 0) for k in after}, books)
    sys.stdout.flush()


def main() -> None:
    """Both runs, before (per-process pacing only) and after (the realm budget), unless a flag names one."""
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")  # the numbers, not every push's log line
    flags = sys.argv[1:]
    modes = (["no limits, no budget"] if "--unlimited" in flags else ["per-process pacing only"] if
             "--no-budget" in flags else ["realm budget"] if "--budget" in flags else
             ["per-process pacing only", "realm budget"])
    for mode in modes:
        run_mode(mode)


if __name__ == "__main__":
    main()
