"""Mass re-sync (guide, "Hard Disconnect"): after a new connection, every customer, invoice, payment and credit that
the company lacks is created there, in dependency order, 30 per batch request, paced inside the realm's limits.

Resumable and exactly-once: the cursor (phase, last key) is saved after each batch is recorded; before a batch goes
out its objects are saved as `inflight`, and a step that finds `inflight` set (the last worker died between sending
and recording) first looks those objects up in QBO by their marker and records what it finds. A redelivered batch
also carries the same requestid (derived from its objects), so QBO itself answers it once.

Credits after a hard disconnect are recreated, never matched to the old company's memos: the new company gets a
fresh CreditMemo per open manual or return credit (its current amount and notes, less what removed adjustment credits
gave up in it), an overpayment credit becomes its payment's UnappliedAmt again, and what is fully canceled or deleted
is not created at all. A credit imported from the old company (a CreditMemo, or the UnappliedAmt of the accountant's
Payment) is reissued as ours (services.sync.reissue) and gets a CreditMemo of ours for what is left of it: its amount
less what the accountant applied of it there (`Credit.memo_amount`), so once its uses are linked, RemainingCredit is
its remaining. The old company's documents are left to that company (we hold no tokens for it any more).

What needs the documents above first is handed to the regular push (marked pending, so the stream relays it): each
active credit use (its linking Payment) and each invoice-adjustment credit (it has no document; its push checks the
links it cut), in a last phase once every document they link exists.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ...domain import sync_kinds, sync_plan
from ...domain.connection import Connection, accepts_realm
from ...domain.credits import Credit, CreditSource, CreditStatus
from ...domain.pacing import BATCH_ITEMS, Pacer, Seconds
from ...domain.qbo_actions import QboAction
from ...domain.sync_kinds import use_key
from ...domain.sync_modes import synced_kinds
from ...ports.qbo import ClientFactory, QboApi
from ...qbo import mapping
from ...qbo.batch import batch_create
from ...qbo.mapping import Link, Ref
from ...store import account_items
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store.credit_uses import CreditUses
from ...store.credits import to_credit
from ...store.ledger import Ledger, LedgerBook
from ...store.models import InvoiceItem, JobItem, PaymentItem
from ...store.sales import Payments, to_invoice
from ...store.sync_state import read_state
from ...store.uow import UnitOfWork, run_in_transaction
from .context import PushContext, quoted
from .record import record, record_created, repository
from .reissue import reissue

PHASES = sync_kinds.push_order()
ADOPTED = frozenset({"credit", "use"})  # kinds a one-way re-sync still reads: what the old company owned becomes ours
ENTITY = {kind.name: kind.document for kind in sync_kinds.KINDS}
BUDGET = 20  # batches per step (one SQS message; about 30 s at 40 batches/min)
STOPPED = "disconnected"


class Skip(Exception):
    """Nothing to create for this object (already in the company, deleted, voided, credit-only)."""


class Refused(Exception):
    """This object cannot be created (its dependency is missing, or its kind is not mapped); recorded as failed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Batch:
    """The objects of one batch request, and what was decided without a request."""

    kind: str
    creates: list[tuple[str, dict, int]] = field(default_factory=list)  # (object id, document, version)
    handed_over: list[tuple[str, str]] = field(default_factory=list)  # (kind, object id) the regular push creates
    linked: list[tuple[str, str, int]] = field(default_factory=list)  # (object id, qbo id, version): no request
    refused: list[tuple[str, Refused]] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)  # keys of the accountant's uses a one-way re-sync makes ours
    seen: int = 0
    after: str | None = None
    phase_done: bool = False


@dataclass
class Step:
    """One worker step: the QBO client, the pacing, and small caches of dependency ids."""

    job: JobItem
    client: QboApi
    ctx: PushContext
    pacer: Pacer
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    qbo_ids: dict[tuple[str, str], str | None] = field(default_factory=dict)
    counted: int = 0  # the client's request count already added to the job

    def count_requests(self) -> None:
        """Add the requests made since the last count to the job's `requests` (before each write of the job)."""
        made = self.client.session.stats["requests"]
        self.job.requests = int(self.job.requests or 0) + made - self.counted
        self.counted = made

    @property
    def account_id(self) -> str:
        return self.job.pk.removeprefix("A#")

    def request(self, *, batch: bool) -> None:
        """Wait for the pacer's slot, then count the request."""
        delay = self.pacer.wait(self.clock(), batch=batch)
        if delay:
            self.sleep(delay)
        self.pacer.sent(self.clock(), batch=batch)


def step(job: JobItem, *, client: QboApi | None = None, client_factory: ClientFactory | None = None,
         budget: int = BUDGET, sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.time) -> bool:
    """Push up to `budget` batches; answers whether work is left. Stops (job failed, `stopped: disconnected`) as soon
    as the account is no longer connected to the job's realm."""
    account_id = job.pk.removeprefix("A#")
    if not _still_connected(account_id, job):
        job_store.finish(job, job_store.FAILED, stopped=STOPPED)
        return False
    if client is None:
        from ...qbo.client import build_client

        client = (client_factory or build_client)(account_id)
    cursor = dict(job.cursor or {})
    pacer = Pacer(next_request_at=Seconds(cursor.get("next_request_at", 0)),
                  next_batch_at=Seconds(cursor.get("next_batch_at", 0)))
    run = Step(job, client, PushContext(account_id, client, ensure=lambda kind, object_id: None), pacer, sleep, clock,
               counted=client.session.stats["requests"])
    if job.inflight:
        _recover(run)
    for _ in range(budget):
        if not _still_connected(account_id, job):
            run.count_requests()
            job_store.finish(job, job_store.FAILED, stopped=STOPPED)
            return False
        kinds = _kinds(account_id)
        _skip_phases_out_of_scope(job, kinds)
        if int((job.cursor or {}).get("phase", 0)) >= len(PHASES):
            run.count_requests()
            job_store.finish(job, job_store.DONE)
            return False
        _one_batch(run, kinds)
    return True


def _kinds(account_id: str) -> frozenset[str]:
    """What the account's mode pushes: a one-way account's re-sync brings customers, invoices and payments only."""
    account = accounts_store.get_account(account_id)
    return synced_kinds(bool(account.qbo_credit_sync), accounts_store.connection_of(account))


def _skip_phases_out_of_scope(job: JobItem, kinds: frozenset[str]) -> None:
    cursor = dict(job.cursor or {})
    phase = int(cursor.get("phase", 0))
    while phase < len(PHASES) and PHASES[phase] not in kinds and not (kinds and PHASES[phase] in ADOPTED):
        phase += 1
    if phase != int(cursor.get("phase", 0)):
        job.cursor = {**cursor, "phase": phase, "after": None}


def _still_connected(account_id: str, job: JobItem) -> bool:
    account = accounts_store.get_account(account_id)
    current = Connection(accounts_store.connection_of(account), account.qbo_realm_id)
    return accepts_realm(current, job.realm_id or "")


def _one_batch(run: Step, kinds: frozenset[str]) -> None:
    """Plan the next batch of the current phase, send it (inflight first), record the outcomes, move the cursor. A
    phase of a kind the mode does not push (one-way: credits, uses) only makes ours what the old company owned."""
    job = run.job
    cursor = dict(job.cursor or {})
    phase = int(cursor.get("phase", 0))
    pushed = PHASES[phase] in kinds
    batch = _plan(run, PHASES[phase], cursor.get("after"), adopt_only=not pushed)
    if batch.adopted:
        _adopt_uses(run.account_id, batch.adopted)
    for object_id, qbo_id, version in batch.linked:
        _record_pushed(run, batch.kind, object_id, qbo_id, None, version)
    for object_id, refusal in batch.refused:
        _record_refused(run, batch.kind, object_id, refusal)
    if batch.handed_over:
        _hand_over(run.account_id, batch.handed_over)
    failed = len(batch.refused)
    if batch.creates:
        job.inflight = {"kind": batch.kind, "ids": [object_id for object_id, _, _ in batch.creates]}
        _save(run)  # write-ahead: a crash from here on is recovered by marker
        run.request(batch=True)
        results = batch_create(run.client, ENTITY[batch.kind], [(object_id, doc) for object_id, doc, _ in batch.creates])
        versions = {object_id: version for object_id, _, version in batch.creates}
        for result in results:
            if result.error is None:
                _record_pushed(run, batch.kind, result.key, str(result.obj["Id"]), result.obj.get("SyncToken"),
                               versions[result.key], created=True)
            else:
                error = result.error
                failed += 1
                _record_refused(run, batch.kind, result.key,  # QBO's Detail says what to fix; its Message does not
                                Refused(str(getattr(error, "code", None) or type(error).__name__),
                                        str(getattr(error, "detail", None) or error)))
    job.done = int(job.done or 0) + (batch.seen if pushed else 0) - failed  # `total` counts the kinds pushed
    job.inflight = None
    job.cursor = {"phase": phase + 1 if batch.phase_done else phase, "after": None if batch.phase_done else batch.after,
                  "next_request_at": run.pacer.next_request_at, "next_batch_at": run.pacer.next_batch_at}
    _save(run)


def _hand_over(account_id: str, objects: list[tuple[str, str]]) -> None:
    """Mark these pending in one transaction: the stream relays them to the push like any committed change. A use
    the accountant applied in the old company (`from_qbo`: a line of their Payment there) is ours from now on: its
    linking Payment is ours to create in the new company."""

    def mark(uow: UnitOfWork) -> None:
        book = Ledger(uow)
        for kind, object_id in objects:
            found = repository(book, kind).get(object_id)
            found.sync.retry()
            if kind == "use":
                found.from_qbo = False

    run_in_transaction(account_id, mark)


def _save(run: Step) -> None:
    run.count_requests()
    job_store.save(run.job)  # JobChanged when a disconnect stopped the job meanwhile: the step ends there


def _plan(run: Step, kind: str, after: str | None, *, adopt_only: bool = False) -> Batch:
    """Read objects of `kind` until 30 need creating (or the phase ends); decide each one."""
    batch = Batch(kind)
    while (room := BATCH_ITEMS - len(batch.creates) - len(batch.handed_over) - len(batch.adopted)) > 0:
        page = account_items.page_of_kind(run.account_id, kind, after, room)
        decide = {"invoice": _invoice, "payment": _payment, "credit": _credit, "use": _use}.get(kind, _push_instead)
        if adopt_only:
            decide = {"credit": _adopt_credit, "use": _adopt_use}[kind]
        if kind == sync_kinds.CUSTOMER.name:
            _customers(run, page.items, batch)
        else:
            for item in page.items:
                try:
                    decide(run, item, batch)
                except Skip:
                    pass
                except Refused as refusal:
                    batch.refused.append((item.id, refusal))
        batch.seen += len(page.items)
        after = page.after
        if after is None:
            batch.phase_done = True
            break
    batch.after = after
    return batch


def _customers(run: Step, items: list, batch: Batch) -> None:
    """Customers the company already has (same DisplayName) are linked; the others are created."""
    todo = [c for c in items if not c.qbo_id]
    if not todo:
        return
    names = ", ".join(quoted(c.name) for c in todo)
    run.request(batch=False)
    existing = {row["DisplayName"]: str(row["Id"])
                for row in run.client.query(f"SELECT Id, DisplayName FROM Customer WHERE DisplayName IN ({names})")}
    for customer in todo:
        if customer.name in existing:
            batch.linked.append((customer.id, existing[customer.name], 0))
        else:
            batch.creates.append((customer.id, mapping.customer_doc(customer.name), 0))


def _invoice(run: Step, item: InvoiceItem, batch: Batch) -> None:
    invoice = to_invoice(item)
    if invoice.qbo_id or invoice.deleted:
        raise Skip
    customer = _customer_ref(run, invoice.customer_id)
    batch.creates.append((invoice.id, mapping.invoice_doc(invoice, customer=customer, item=_item(run)),
                          invoice.sync.version))


def _payment(run: Step, item: PaymentItem, batch: Batch) -> None:
    payment = Payments(UnitOfWork(run.account_id)).from_item(item)
    if payment.qbo_id or not payment.active or payment.tender_total == 0:
        raise Skip
    invoice_qbo_id = _qbo_id(run, "invoice", payment.invoice_id)
    if invoice_qbo_id is None:
        raise Refused("dependency_not_synced", "its invoice is not in QuickBooks")
    linked = sync_plan.tender_link(payment, sync_plan.cut_from(LedgerBook(run.ctx.ledger()), payment.invoice_id,
                                                               ("payment", payment.id)))
    doc = mapping.tender_payment_doc(payment, customer=_customer_ref(run, payment.customer_id),
                                     links=[Link(invoice_qbo_id, "Invoice", linked)])
    batch.creates.append((payment.id, doc, payment.sync.version))


def _credit(run: Step, item, batch: Batch) -> None:
    credit: Credit = to_credit(item)
    if credit.qbo_id:
        raise Skip
    if credit.source is CreditSource.OVERPAYMENT:
        payment_qbo_id = _qbo_id(run, "payment", credit.origin_payment_id) if credit.origin_payment_id else None
        if payment_qbo_id is None:
            raise Skip  # its payment is voided (or credit-only): nothing holds it in QBO
        batch.linked.append((credit.id, payment_qbo_id, credit.sync.version))
        return
    if credit.source is CreditSource.INVOICE_ADJUSTMENT:
        if credit.cuts:
            batch.handed_over.append(("credit", credit.id))
        return
    if credit.owned_by_qbo:  # imported from the old company: ours from now on, a memo for what is left of it
        if credit.status is not CreditStatus.ACTIVE:
            raise Skip  # voided there: nothing is left of it
        credit = reissue(run.account_id, credit.id)
    if not credit.in_our_memo:
        raise Refused("NotMappedYet", f"{credit.source.value} credits are not pushed to QuickBooks by this version")
    plan = sync_plan.plan_memo(LedgerBook(run.ctx.ledger()), credit)
    if plan.action is QboAction.DELETE:
        raise Skip
    doc = mapping.credit_memo_doc(credit, plan, customer=_customer_ref(run, credit.customer_id), item=_item(run))
    batch.creates.append((credit.id, doc, credit.sync.version))


def _use(run: Step, item, batch: Batch) -> None:
    use = CreditUses(UnitOfWork(run.account_id)).from_item(item)
    if use.qbo_id or not use.active:
        raise Skip
    batch.handed_over.append(("use", use_key(use.credit_id, use.id)))


def _adopt_credit(run: Step, item, batch: Batch) -> None:
    """One-way: a credit imported from the company a hard disconnect left is ours from this re-sync on all the
    same (DESIGN §5); one-way pushes no credit, so switching two-way on pushes its memo."""
    credit: Credit = to_credit(item)
    if credit.owned_by_qbo and not credit.qbo_id and credit.status is CreditStatus.ACTIVE:
        reissue(run.account_id, credit.id)
    raise Skip


def _adopt_use(run: Step, item, batch: Batch) -> None:
    """One-way: a use the accountant applied in the old company is ours from this re-sync on (its linking Payment
    is ours to create once two-way is switched on), as a two-way re-sync makes it (`_hand_over`)."""
    use = CreditUses(UnitOfWork(run.account_id)).from_item(item)
    if use.from_qbo and use.active and not use.qbo_id:
        batch.adopted.append(use_key(use.credit_id, use.id))
    raise Skip


def _adopt_uses(account_id: str, keys: list[str]) -> None:
    def adopt(uow: UnitOfWork) -> None:
        uses = Ledger(uow).uses
        for key in keys:
            uses.get(key).from_qbo = False

    run_in_transaction(account_id, adopt)


def _push_instead(run: Step, item, batch: Batch) -> None:
    """A kind with no re-sync rule of its own goes to the push, one object at a time, unless it is already there."""
    if read_state(item).qbo_id:
        raise Skip
    batch.handed_over.append((batch.kind, item.sk.split("#", 1)[1]))


def _item(run: Step) -> Ref:
    if run.ctx._item is None:
        run.request(batch=False)
    return run.ctx.item()


def _customer_ref(run: Step, customer_id: str) -> Ref:
    qbo_id = _qbo_id(run, "customer", customer_id)
    if qbo_id is None:
        raise Refused("dependency_not_synced", "its customer is not in QuickBooks")
    return Ref(qbo_id)


def _qbo_id(run: Step, kind: str, object_id: str) -> str | None:
    """A dependency's QBO id in this company (cached for the step)."""
    key = (kind, object_id)
    if key not in run.qbo_ids:
        if kind == "customer":
            run.qbo_ids[key] = accounts_store.get_customer(run.account_id, object_id).qbo_id
        else:
            run.qbo_ids[key] = account_items.qbo_id_of(run.account_id, kind, object_id)
    return run.qbo_ids[key]


def _record_pushed(run: Step, kind: str, object_id: str, qbo_id: str, sync_token: str | None, version: int, *,
                   created: bool = False) -> None:
    """Record the object's document in this company; one the re-sync `created` is ours from now (its own mapping)."""
    run.qbo_ids[(kind, object_id)] = qbo_id
    if kind == "customer":
        accounts_store.link_customer(run.account_id, object_id, qbo_id)
        return
    record_created(run.account_id, kind, object_id,
                   lambda state: state.pushed(version, qbo_id=qbo_id, sync_token=sync_token),
                   entity=ENTITY[kind] if created else None, qbo_id=qbo_id)


def _record_refused(run: Step, kind: str, object_id: str, refusal: Refused) -> None:
    job_store.add_error(run.job, kind, object_id, refusal.code, refusal.message)
    if kind != "customer":
        record(run.account_id, kind, object_id, lambda state: state.failed(code=refusal.code, message=refusal.message))


def _recover(run: Step) -> None:
    """The last batch went out but its answer was never recorded: find what it created by marker (or, for
    customers, by name) and record it; the rest is planned again from the unchanged cursor."""
    kind, ids = run.job.inflight["kind"], set(run.job.inflight["ids"])
    entity = ENTITY[kind]
    if kind == "customer":
        names = {accounts_store.get_customer(run.account_id, i).name: i for i in ids}
        where = f"DisplayName IN ({', '.join(quoted(n) for n in names)})"
        run.request(batch=False)
        for row in run.client.query(f"SELECT Id, DisplayName FROM Customer WHERE {where}"):
            if row["DisplayName"] in names:
                _record_pushed(run, kind, names[row["DisplayName"]], str(row["Id"]), None, 0)
    else:
        run.request(batch=False)
        for row in run.client.query_all(entity):  # only after a crash; the markers pick ours out
            found = mapping.find_marker(row)
            if found and found[0] == kind and found[1] in ids:
                _record_found(run, kind, found[1], row)
    run.job.inflight = None
    _save(run)


def _record_found(run: Step, kind: str, object_id: str, row: dict) -> None:
    current = repository(Ledger.reading(run.account_id), kind).get(object_id)
    if current.sync.qbo_id:
        return
    _record_pushed(run, kind, object_id, str(row["Id"]), row.get("SyncToken"), current.sync.version, created=True)
