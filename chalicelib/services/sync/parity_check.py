"""The parity check itself: read the ledger and the connected company, compare them by the rule in
chalicelib/domain/parity.py, and describe every difference with both values and its repair.

QBO is read with paged queries (1,000 rows a page, only the columns the rule needs), never one read per object, and
every request waits for the realm's pacing (domain.pacing), so a check stays inside QBO's limits however large the
account. `step` is the background check of a large account (a lifecycle job, services.sync.jobs): the whole check in
one step (it only reads, so a redelivered step simply starts again), saving progress after the ledger read and after
each QBO page, and the finished report for `GET /qbo/parity` (services.sync.parity).
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ...domain import parity as rules
from ...domain import sync_plan
from ...domain.credits import Credit, CreditSource, CreditStatus
from ...domain.locations import LocationKind, memo_linked
from ...domain.money import format_cents
from ...domain.pacing import Pacer, Seconds
from ...domain.qbo_actions import QboAction
from ...ports.qbo import ClientFactory, QboApi
from ...qbo import inbound as docs
from ...store import account_items
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store.credit_uses import CreditUses
from ...store.credits import to_credit
from ...store.ids import utc_now
from ...store.inbound import all_mapped
from ...store.inbound import drifts as stored_drifts
from ...store.models import JobItem
from ...store.sales import Payments, to_invoice
from ...store.uow import UnitOfWork

logger = logging.getLogger(__name__)
PAGE_SIZE = 1000
MAX_LISTED = 2000  # differences listed in one answer (`truncated` says when there were more)
MAX_STORED = 500  # differences kept in a stored (background) report: one DynamoDB item stays under 400 KB
COLUMNS = {
    "CreditMemo": "Id, SyncToken, CustomerRef, TotalAmt, RemainingCredit, PrivateNote",
    "Payment": "Id, SyncToken, CustomerRef, TotalAmt, UnappliedAmt, PaymentRefNum, PrivateNote",
    "Invoice": "Id, SyncToken, CustomerRef, TotalAmt, Balance, PrivateNote",
}
OPEN_FIELD = {"CreditMemo": "RemainingCredit", "Payment": "UnappliedAmt", "Invoice": "Balance"}


# ----- QBO side --------------------------------------------------------------------------------------------------

@dataclass
class Reading:
    """Paced, paged reads of one company: counts pages so a job can show progress."""

    client: QboApi
    pacer: Pacer = field(default_factory=Pacer)
    sleep: Callable[[Seconds], None] = time.sleep
    clock: Callable[[], Seconds] = time.time
    on_page: Callable[[int], None] = lambda pages: None
    pages: int = 0

    def rows(self, entity: str) -> Iterator[dict]:
        """Every row of an entity, 1,000 per query, ordered by Id (a stable paging order)."""
        start = 1
        while True:
            delay = self.pacer.wait(self.clock(), batch=False)
            if delay:
                self.sleep(delay)
            self.pacer.sent(self.clock(), batch=False)
            page = self.client.query(f"SELECT {COLUMNS[entity]} FROM {entity} ORDERBY Id STARTPOSITION {start} "
                                     f"MAXRESULTS {PAGE_SIZE}")
            self.pages += 1
            self.on_page(self.pages)
            yield from page
            if len(page) < PAGE_SIZE:
                return
            start += PAGE_SIZE


def to_doc(entity: str, row: dict) -> rules.Doc:
    """A QBO row as the rule reads it (cents; voided; our marker)."""
    voided = docs.cents(row, "TotalAmt") == 0 and str(row.get("PrivateNote") or "").startswith("Voided")
    return rules.Doc(entity, str(row["Id"]), docs.customer_ref(row), docs.cents(row, "TotalAmt"),
                     docs.cents(row, OPEN_FIELD[entity]),
                     str(row["PaymentRefNum"]) if row.get("PaymentRefNum") is not None else None, voided,
                     docs.ours(row))


def read_books(reading: Reading) -> dict[tuple[str, str], rules.Doc]:
    """The company's credit memos, payments and invoices (deleted ones are simply absent)."""
    books: dict[tuple[str, str], rules.Doc] = {}
    for entity in ("CreditMemo", "Payment", "Invoice"):
        for row in reading.rows(entity):
            doc = to_doc(entity, row)
            books[doc.key] = doc
    return books


# ----- our side --------------------------------------------------------------------------------------------------

@dataclass
class Ours:
    mine: list[rules.Mine]
    available: dict[str, int]
    customer_refs: dict[str, str]
    imported: frozenset[tuple[str, str]]
    drifts: list[rules.Drift]
    counts: dict[str, int]
    two_way: bool = True  # one-way: only customers, invoices and tender payments are compared


def _every(account_id: str, kind: str) -> Iterator[Any]:
    after = None
    while True:
        page = account_items.page_of_kind(account_id, kind, after, 1000)
        yield from page.items
        if page.after is None:
            return
        after = page.after


def ledger_size(account_id: str) -> int:
    """Credits, invoices and payments of the account (COUNT queries: nothing leaves DynamoDB)."""
    return sum(account_items.count(account_id, prefix + "#") for prefix in ("CREDIT", "INV", "PAY"))


@dataclass
class _Loaded:
    """The account's objects that sync, and what the import map says of them."""

    customers: list
    credits: list[Credit]
    invoices: list
    payments: list
    uses: list
    imported: set[tuple[str, str]]  # QBO documents the inbound sync imported (not our own echoes)
    imported_entity: dict[str, str]  # credit id → the QBO entity it was imported from
    from_qbo_payments: set[str]  # payments recorded from the accountant's lines on our invoices

    @property
    def counts(self) -> dict[str, int]:
        return {"customers": len(self.customers), "credits": len(self.credits), "invoices": len(self.invoices),
                "payments": len(self.payments), "uses": len(self.uses)}


def _load(account_id: str) -> _Loaded:
    uow = UnitOfWork(account_id)
    payment_repo, use_repo = Payments(uow), CreditUses(uow)
    loaded = _Loaded(list(_every(account_id, "customer")), [to_credit(i) for i in _every(account_id, "credit")],
                     [to_invoice(i) for i in _every(account_id, "invoice")],
                     [payment_repo.from_item(i) for i in _every(account_id, "payment")],
                     [use_repo.from_item(i) for i in _every(account_id, "use")], set(), {}, set())
    for item in all_mapped(account_id):
        _, entity, qbo_id = item.sk.split("#", 2)
        if entity in ("CreditMemo", "Payment") and not item.object_type.startswith("own_"):
            loaded.imported.add((entity, qbo_id))
            if item.object_type == "credit":
                loaded.imported_entity[item.object_id] = entity
        elif entity == "PaymentLine":
            loaded.from_qbo_payments.add(item.object_id)
    return loaded


def load_ours(account_id: str, *, two_way: bool = True) -> Ours:
    """Every object of the account that has (or had) a QBO document, as the rule reads it. One-way (`two_way`
    False): only what one-way pushes, with what QBO shows of it then (`_one_way`)."""
    loaded = _load(account_id)
    if not two_way:
        return _one_way(loaded.customers, loaded.credits, loaded.invoices, loaded.payments, loaded.uses)
    credits = loaded.credits
    kept = rules.kept_in_sources(rules.Holding(c.id, c.status is CreditStatus.ACTIVE, c.locations, c.drawn,
                                               c.applied_in_qbo if c.source is CreditSource.QBO else 0)
                                 for c in credits)
    mine = [found for credit in credits
            if (found := _credit(credit, kept, loaded.imported_entity.get(credit.id, "CreditMemo")))]
    uses_mine, uses_on = _uses(loaded)
    payments_mine, payments_on = _payments(loaded, kept)
    mine += uses_mine + payments_mine
    for invoice in loaded.invoices:
        related = (tuple(("payment", p) for p in payments_on[invoice.id])
                   + tuple(("use", u) for u in uses_on[invoice.id]))
        mine.append(rules.Mine("invoice", invoice.id, invoice.customer_id, "Invoice", invoice.qbo_id,
                               exists=not invoice.deleted, balance=None if invoice.deleted else invoice.balance,
                               related=related, sync_status=invoice.sync.status.value))
    available = rules.available_by_customer((c.customer_id, c.remaining) for c in credits
                                            if c.status is CreditStatus.ACTIVE)
    drifts = [rules.Drift(d.kind, d.object_id, d.qbo_type, d.qbo_id, (d.ours or {}).get("total"),
                          (d.theirs or {}).get("total")) for d in stored_drifts(account_id)]
    return Ours(mine, dict(available), {c.id: c.qbo_id for c in loaded.customers if c.qbo_id},
                frozenset(loaded.imported), drifts, loaded.counts)


def _uses(loaded: _Loaded) -> tuple[list[rules.Mine], dict[str, list[str]]]:
    """Each use's linking Payment (the uses with a document of their own), and the uses paying each invoice."""
    cut = sync_plan.cuts_by_link(loaded.credits)
    customer_of = {c.id: c.customer_id for c in loaded.credits}
    in_accountants_payment = {c.id for c in loaded.credits if c.in_accountants_payment}
    mine: list[rules.Mine] = []
    uses_on: dict[str, list[str]] = defaultdict(list)
    for use in loaded.uses:
        key = use.key
        memo_left = memo_linked(use.parts, cut.get(("use", key), 0))
        if use.credit_id in in_accountants_payment:
            if use.active:  # a line on the accountant's Payment: a repair of its invoice pushes the use again
                uses_on[use.invoice_id].append(key)
            continue
        if not any(part.kind is LocationKind.MEMO for part in use.parts):
            continue  # drawn from Payments' unapplied amounts only: lines on those Payments, no document of its own
        if use.from_qbo:
            continue  # the accountant applied it: a line of their Payment, compared as the payment recorded from it
        if use.active and memo_left:
            uses_on[use.invoice_id].append(key)
        mine.append(rules.Mine("use", key, customer_of.get(use.credit_id, ""), "Payment", use.qbo_id,
                               exists=use.active and memo_left > 0, marker_id=use.id,
                               sync_status=use.sync.status.value))
    return mine, uses_on


def _payments(loaded: _Loaded, kept: dict) -> tuple[list[rules.Mine], dict[str, list[str]]]:
    """Each payment's tender Payment (ours, or the accountant's we recorded), and the payments paying each invoice."""
    mine: list[rules.Mine] = []
    payments_on: dict[str, list[str]] = defaultdict(list)
    for payment in loaded.payments:
        if payment.tender_total == 0 and payment.id not in loaded.from_qbo_payments:
            continue  # credits only: in QBO it is its credit uses' own Payments
        owned = payment.id not in loaded.from_qbo_payments
        if payment.active:
            payments_on[payment.invoice_id].append(payment.id)
        mine.append(rules.Mine("payment", payment.id, payment.customer_id, "Payment", payment.qbo_id, owned=owned,
                               exists=payment.active, source=kept.get((LocationKind.UNAPPLIED, payment.id), 0)
                               if owned else None, total=payment.tender_total if owned else None,
                               ref_num=payment.number if owned else None, sync_status=payment.sync.status.value))
    return mine, payments_on


def _one_way(customers: list, credits: list[Credit], invoices: list, payments: list, uses: list) -> Ours:
    """What one-way pushes, as QBO shows it then: no credit and no use reaches QBO, so a tender Payment links its
    invoice for what its tenders pay there (less what reductions cut) and keeps the rest unapplied, and an invoice's
    Balance is what its tender Payments leave open (the part paid by credits stays open in QBO)."""
    books = sync_plan.one_way_books(invoices, payments, credits)
    mine: list[rules.Mine] = []
    for payment in (p for p in payments if p.id in books.linked):
        mine.append(rules.Mine("payment", payment.id, payment.customer_id, "Payment", payment.qbo_id,
                               exists=payment.active, source=books.unapplied[payment.id], total=payment.tender_total,
                               ref_num=payment.number, sync_status=payment.sync.status.value))
    for invoice in invoices:
        mine.append(rules.Mine("invoice", invoice.id, invoice.customer_id, "Invoice", invoice.qbo_id,
                               exists=not invoice.deleted, balance=books.balances[invoice.id],
                               related=tuple(("payment", p.id) for p in payments
                                             if p.invoice_id == invoice.id and p.active and p.tender_total),
                               sync_status=invoice.sync.status.value))
    return Ours(mine, {}, {c.id: c.qbo_id for c in customers if c.qbo_id}, frozenset(), [],
                {"customers": len(customers), "credits": len(credits), "invoices": len(invoices),
                 "payments": len(payments), "uses": len(uses)}, two_way=False)


def _credit(credit: Credit, kept: dict, entity: str) -> rules.Mine | None:
    """A manual, return or reissued credit is its CreditMemo; an imported one is its QBO document; the others have
    none."""
    own = LocationKind.UNAPPLIED if credit.in_accountants_payment else LocationKind.MEMO
    source = kept.get((own, credit.id), 0)
    status = credit.sync.status.value
    if credit.in_our_memo:
        return rules.Mine("credit", credit.id, credit.customer_id, "CreditMemo", credit.qbo_id,
                          exists=credit.memo_action() is not QboAction.DELETE, source=source, sync_status=status)
    if credit.source is CreditSource.QBO:
        return rules.Mine("credit", credit.id, credit.customer_id, entity, credit.qbo_id, owned=False,
                          exists=credit.status is CreditStatus.ACTIVE, source=source, sync_status=status)
    return None  # overpayment / adjustment: their money is counted in the Payment or memo that keeps it


# ----- the check -------------------------------------------------------------------------------------------------

@dataclass
class Report:
    checked_at: str
    differences: list[rules.Difference]
    qbo_requests: int
    pages: int
    counts: dict[str, int]
    qbo_documents: int
    seconds: Seconds
    phases: dict[str, Seconds] = field(default_factory=dict)  # where the time went: ledger, qbo, compare


def check(account_id: str, client: QboApi, *, sleep: Callable[[Seconds], None] = time.sleep,
          clock: Callable[[], Seconds] = time.time, on_page: Callable[[int], None] = lambda pages: None) -> Report:
    """Compare the ledger with the company now; nothing is written."""
    started, before = time.monotonic(), client.session.stats["requests"]
    account = accounts_store.get_account(account_id)
    ours = load_ours(account_id, two_way=bool(account.qbo_credit_sync))
    ledger_read = time.monotonic()
    on_page(0)  # the ledger is read
    reading = Reading(client, sleep=sleep, clock=clock, on_page=on_page)
    books = read_books(reading)
    qbo_read = time.monotonic()
    differences = rules.compare(ours.mine, books, available=ours.available, customer_refs=ours.customer_refs,
                                imported=ours.imported, drifts=ours.drifts, two_way=ours.two_way)
    return Report(utc_now(), differences, client.session.stats["requests"] - before, reading.pages, ours.counts,
                  len(books), time.monotonic() - started, {"ledger": ledger_read - started,
                                                           "qbo": qbo_read - ledger_read,
                                                           "compare": time.monotonic() - qbo_read})


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def difference_view(d: rules.Difference) -> dict:
    """The API shape of one difference (DESIGN §4 fields, plus its id, customer and our sync status)."""
    return {"id": d.id, "kind": d.kind.value, "object_type": d.object_type, "object_id": d.object_id,
            "qbo_type": d.qbo_type, "qbo_id": d.qbo_id, "ours": _money(d.ours), "theirs": _money(d.theirs),
            "repair": {"action": d.repair.action.value, "automatic": d.repair.automatic, "why": d.repair.why,
                       "targets": [list(t) for t in d.repair.targets]},
            "customer_id": d.customer_id, "sync_status": d.sync_status}


def report_view(report: Report, limit: int = MAX_LISTED) -> dict:
    """The finished report on the wire; the first `limit` differences are listed, all are counted."""
    summary = rules.summarize(report.differences)
    views = [difference_view(d) for d in report.differences[:limit]]
    return {"status": "done", "checked_at": report.checked_at, "differences": views,
            "truncated": len(report.differences) > limit, "total": summary.total, "by_kind": summary.by_kind,
            "qbo_requests": report.qbo_requests, "qbo_pages": report.pages, "qbo_documents": report.qbo_documents,
            "checked": report.counts, "seconds": round(report.seconds, 3)}


def client_for(account_id: str, client_factory: ClientFactory | None) -> Any:
    if client_factory is None:
        from ...qbo.client import build_client  # python-quickbooks only when a check really runs

        client_factory = build_client
    return client_factory(account_id)


def step(job: JobItem, *, client: QboApi | None = None, client_factory: ClientFactory | None = None,
         sleep: Callable[[Seconds], None] = time.sleep, clock: Callable[[], Seconds] = time.time, **_: Any) -> bool:
    """The background check: the whole check in one step (it only reads: a redelivery starts it again), saving
    progress after the ledger read and after each QBO page. Answers False (no further step)."""
    account_id = job.pk.removeprefix("A#")
    client = client or client_for(account_id, client_factory)
    counted = client.session.stats["requests"]

    def progress(pages: int) -> None:
        nonlocal counted
        made = client.session.stats["requests"]
        job.requests, counted = int(job.requests or 0) + made - counted, made
        job.done = 1 + pages
        job.total = max(int(job.total or 0), job.done + 1)
        job_store.save(job)

    report = check(account_id, client, sleep=sleep, clock=clock, on_page=progress)
    job.done = job.total = int(job.done or 0) + 1
    job_store.save_parity_report(account_id, job_id=job.id, status=job_store.DONE, checked_at=report.checked_at,
                                 report=report_view(report, MAX_STORED))
    job_store.finish(job, job_store.DONE)
    return False
