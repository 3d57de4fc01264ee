"""Push an account's pending changes to QBO, oldest first, each object from its current state (DESIGN §7).

A permanent refusal parks the object with its error (status panel, retry route); a throttle or outage stops the run
so the queue redelivers it later; nothing here ever marks an object pending again.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, NamedTuple

from ...domain import sync_kinds
from ...domain.errors import NotFound
from ...domain.pacing import BATCH_ITEMS, Pacer, Seconds
from ...domain.push_slice import take_slice
from ...domain.sync import waits_for_order
from ...domain.sync_modes import TWO_WAY_KINDS, pushes_now, synced_kinds
from ...ports.qbo import ClientFactory, QboApi
from ...qbo.errors import QboAuthError, QboError, QboTransientError, QboValidationError, fault_message
from ...store import accounts as accounts_store
from ...store import dead_letters
from ...store.ids import seconds_since, utc_now
from ...store.sync_state import iter_pending, release_push_lease, take_push_lease
from .context import NoSalesItem, PushContext
from .documents import (BATCH_ENTITY, PUSHERS, DependencyNotSynced, NotMappedYet, Pushed, WaitsForRepair,
                        new_document, own_document)
from .record import record, record_created, repository

logger = logging.getLogger(__name__)
PARKING_ERRORS = (QboError, NotMappedYet, NoSalesItem)
# one push run per account at a time: longer than the worker's 150 s timeout, as long as the queue's visibility
PUSH_LEASE_SECONDS = 180


class PushDeferred(Exception):
    """QBO is throttling or unavailable (or the connection needs a human): try this account again later."""


@dataclass
class PushReport:
    pushed: list[tuple[str, str]] = field(default_factory=list)
    parked: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    qbo_requests: int = 0
    batch_requests: int = 0
    more: bool = False  # the run stopped at its slice with pushable objects left (the caller hands them back)


def push_pending(account_id: str, *, client: QboApi | None = None, limit: int = 500,
                 client_factory: ClientFactory | None = None, sleep: Callable[[Seconds], None] = time.sleep,
                 clock: Callable[[], Seconds] = time.monotonic) -> PushReport:
    """Push up to `limit` of the account's pending objects (domain.push_slice: fresh ones first, oldest first);
    raises PushDeferred when QBO asks us to come back later. `report.more` says pushable objects were left.

    Only an account that pushes now (domain.sync.pushes_now) is pushed: for one that is gone, switched off or no
    longer connected (soft or hard disconnected meanwhile) the hint is dropped, and its pending objects wait for a
    reconnect to the same company (or are forgotten by a hard disconnect).
    """
    try:
        account = accounts_store.get_account(account_id)
    except NotFound:
        logger.warning("push for unknown account %s dropped", account_id)
        return PushReport()
    connection = accounts_store.connection_of(account)
    if not pushes_now(connection):
        logger.info("push for account %s dropped: %s", account_id, account.qbo_state)
        return PushReport()
    holder = uuid.uuid4().hex
    if not take_push_lease(account_id, holder, int(time.time()), PUSH_LEASE_SECONDS):
        raise PushDeferred(f"another run is pushing account {account_id}: the queue hands this hint back later")
    kinds = synced_kinds(bool(account.qbo_credit_sync), connection)
    try:
        report = _push_leased(account_id, kinds, client, limit, client_factory, sleep, clock)
    finally:
        release_push_lease(account_id, holder)
    dead_letters.clear(account, f"push:{account_id}")  # pushes work again: an old dead letter leaves the panel
    return report


def _push_leased(account_id: str, kinds: frozenset[str], client: QboApi, limit: int,
                 client_factory: ClientFactory | None, sleep: Callable[[Seconds], None],
                 clock: Callable[[], Seconds]) -> PushReport:
    if client is None:
        from ...qbo.client import build_client

        client = (client_factory or build_client)(account_id)
    ctx = _context(account_id, client, kinds)
    report = PushReport()
    before = client.session.stats["requests"]
    try:  # what the mode does not push (credits one-way) stays pending here: it goes if the mode widens
        taken = take_slice(iter_pending(account_id, page_size=min(2 * limit + 2, 1000)), limit, kinds)
        pending_list, report.more = taken.taken, taken.more
        _push_new_in_batches(ctx, pending_list, report, _BatchPacing(Pacer(), sleep, clock))
        for pending in pending_list:
            if pending.parked or (pending.kind, pending.object_id) in ctx.done:
                continue
            outcome = _push_tracked(ctx, pending.kind, pending.object_id)
            getattr(report, outcome).append((pending.kind, pending.object_id))
        for kind, object_id in list(report.waiting):  # once the rest is pushed, what it waited for may be there
            ctx.done.discard((kind, object_id))
            outcome = _push_tracked(ctx, kind, object_id)
            if outcome != "waiting":
                report.waiting.remove((kind, object_id))
                getattr(report, outcome).append((kind, object_id))
    finally:
        report.qbo_requests = client.session.stats["requests"] - before
        if report.pushed:
            accounts_store.record_push(account_id, utc_now())  # once per run (status panel's last push)
    return report


@dataclass
class _BatchPacing:
    """Batch requests of one run spaced inside the realm's limits (domain.pacing); single requests are not paced
    here (a throttle hands the run back to the queue)."""

    pacer: Pacer
    sleep: Callable[[Seconds], None]
    clock: Callable[[], Seconds]

    def before_batch(self) -> None:
        self.sleep(self.pacer.wait(self.clock(), batch=True))
        self.pacer.sent(self.clock(), batch=True)


# what a batch may create, in the order QBO needs it: a payment links an invoice created in the phase before
BATCH_PHASES = sync_kinds.batch_phases()


def _push_new_in_batches(ctx: PushContext, pending: list, report: PushReport, pacing: _BatchPacing) -> None:
    """Create the run's new independent objects 30 to a batch request (DESIGN §7) before the one-by-one pass.

    Exactly once: each batch's requestid names its (object, version, try) writes, and an object whose batch went
    unanswered (or failed) counts a try, so the one-object path looks for its marker before creating it again.
    A refused item parks only itself (or waits, when it may be an order problem); a throttle or outage stops the
    run as the one-object path does.
    """
    for kinds in BATCH_PHASES:
        book = ctx.ledger()
        chosen = [p for p in pending if p.kind in kinds and not p.parked and (p.kind, p.object_id) not in ctx.done]
        book.load(*(repository(book, p.kind).key(p.object_id) for p in chosen))
        planned: dict[str, list[tuple[str, Any, dict]]] = defaultdict(list)
        for p in chosen:
            obj = repository(book, p.kind).get(p.object_id)
            try:
                doc = new_document(ctx, p.kind, obj)  # may push its customer or invoice first
            except PushDeferred as deferred:
                _deferred_by_dependency(ctx, p.kind, p.object_id, deferred)
                raise
            if doc is not None:
                planned[p.kind].append((p.object_id, obj, doc))
        for kind, items in planned.items():
            if len(items) < 2:
                continue  # one object: the one-object path costs the same single request
            for start in range(0, len(items), BATCH_ITEMS):
                _send_batch(ctx, kind, items[start:start + BATCH_ITEMS], report, pacing)


def _send_batch(ctx: PushContext, kind: str, items: list[tuple[str, Any, dict]], report: PushReport,
                pacing: _BatchPacing) -> None:
    from ...qbo.batch import batch_create  # the client layer loads with the worker, not with the API

    for object_id, _, _ in items:
        ctx.done.add((kind, object_id))
    versions = {object_id: (obj.sync.version, obj.sync.attempts) for object_id, obj, _ in items}
    pacing.before_batch()
    report.batch_requests += 1
    try:
        results = batch_create(ctx.client, BATCH_ENTITY[kind], [(object_id, doc) for object_id, _, doc in items],
                               tags={k: f"{v}:{a}" for k, (v, a) in versions.items()})
    except (QboTransientError, QboAuthError) as error:
        for object_id in versions:  # may have been created: the next try looks for the marker first
            _failing(ctx, kind, object_id, error)
        raise PushDeferred(str(error)) from error
    for result in results:
        version, attempts = versions[result.key]
        if result.obj is not None:
            qbo_id, token = str(result.obj["Id"]), result.obj.get("SyncToken")
            record_created(ctx.account_id, kind, result.key,
                           lambda s, v=version, q=qbo_id, t=token: s.pushed(v, qbo_id=q, sync_token=t),
                           entity=BATCH_ENTITY[kind], qbo_id=qbo_id)
            report.pushed.append((kind, result.key))
        elif isinstance(result.error, QboValidationError) and not waits_for_order(result.error.code, attempts):
            _park(ctx, kind, result.key, result.error)
            report.parked.append((kind, result.key))
        else:  # an order problem, or an item-level outage: the one-object pass of this run (or the next) retries
            logger.info("sync %s %s waits after its batch: %s", kind, result.key, result.error)
            _failing(ctx, kind, result.key, result.error)
            report.waiting.append((kind, result.key))


class OneOutcome(NamedTuple):
    outcome: str  # "pushed", "parked" or "waiting"
    waits_for: str | None = None  # what a waiting object needs first, in words ("its invoice is not in QuickBooks yet")


def push_one(account_id: str, kind: str, object_id: str, *, client: QboApi,
             kinds: frozenset[str] = TWO_WAY_KINDS) -> OneOutcome:
    """Push one object now (its dependencies first, of the kinds the account's mode pushes); raises PushDeferred."""
    ctx = _context(account_id, client, kinds)
    outcome = _push_tracked(ctx, kind, object_id)
    if outcome == "pushed":
        accounts_store.record_push(account_id, utc_now())
    return OneOutcome(outcome, ctx.waits.get((kind, object_id)))


def _context(account_id: str, client: QboApi, kinds: frozenset[str] = TWO_WAY_KINDS) -> PushContext:
    ctx = PushContext(account_id, client, ensure=lambda kind, object_id, when="pending":
                      push_if_pending(ctx, kind, object_id, when=when), kinds=kinds)
    return ctx


PUSH_WHEN = {
    "missing": lambda state: state.qbo_id is None,  # it must exist in QBO (retroactive push), as it is
    "pending": lambda state: state.qbo_id is None or state.pending,  # it must be up to date first
    "always": lambda state: True,  # its document depends on another object's change (a reduction cut a line)
}


def push_if_pending(ctx: PushContext, kind: str, object_id: str, *, when: str = "pending") -> str | None:
    """A dependency's QBO id, pushing it first when `when` says so (see PUSH_WHEN)."""
    entity = repository(ctx.ledger(), kind).get(object_id)
    if (kind, object_id) in ctx.done or kind not in ctx.kinds or not PUSH_WHEN[when](entity.sync):
        return entity.sync.qbo_id  # (a kind the mode does not push is left as it is: one-way credits and uses)
    if entity.sync.parked:
        return None
    if _push_tracked(ctx, kind, object_id) == "waiting":
        ctx.done.discard((kind, object_id))  # what it waits for may be pushed later in this run: try it again then
    return repository(ctx.ledger(), kind).get(object_id).sync.qbo_id


def _park(ctx: PushContext, kind: str, object_id: str, error: Exception) -> str:
    """A permanent refusal: the object keeps QBO's code and detail for the status panel until someone retries."""
    code = str(getattr(error, "code", None) or type(error).__name__)
    message = _fault_text(error)
    logger.warning("sync %s %s parked: %s %s", kind, object_id, code, message)
    record(ctx.account_id, kind, object_id, lambda s: s.failed(code=code, message=message))
    return "parked"


def _failing(ctx: PushContext, kind: str, object_id: str, error: Exception) -> None:
    """A failure the engine retries on its own: QBO unreachable or throttling (shown after 3 tries or 5 minutes),
    a refused token (the account must reconnect: shown at once), a wait for something of ours (its reason shown;
    at once when a person must act first, as for a drifted document)."""
    now = datetime.now(timezone.utc)

    def pending_for(state) -> Seconds:
        return seconds_since(state.pending_since, now) if state.pending_since else 0

    if isinstance(error, DependencyNotSynced):
        record(ctx.account_id, kind, object_id, lambda s: s.waits(reason=str(error), seconds_pending=pending_for(s),
                                                                  needs_person=error.needs_person))
        return
    code = str(getattr(error, "code", None) or getattr(error, "status", None) or type(error).__name__)
    record(ctx.account_id, kind, object_id, lambda s: s.failed_for_now(
        code=code, message=_transient_text(error), seconds_pending=pending_for(s),
        needs_person=isinstance(error, QboAuthError)))


def _deferred_by_dependency(ctx: PushContext, kind: str, object_id: str, deferred: PushDeferred) -> None:
    """What it links (its customer, its invoice) failed for now: so did it, and it says why."""
    if isinstance(deferred.__cause__, (QboTransientError, QboAuthError)):
        _failing(ctx, kind, object_id, deferred.__cause__)


def _transient_text(error: Exception) -> str:
    """A failure QBO gets over, in words: what QBO answered (its status, its Fault's message when it sent one) and
    what happens next."""
    said = str(error)
    detail = fault_message(getattr(error, "detail", "") or "")
    if isinstance(error, QboAuthError):
        return f"QuickBooks refused our token ({said}): the account must reconnect (POST /qbo/connect)"
    return f"{said}{': ' + detail if detail else ''}; retried on its own until QuickBooks answers again"


def _fault_text(error: Exception) -> str:
    """QBO's Detail says what to fix ("... (Item 999)"); its Message alone is generic ("Invalid Reference Id")."""
    return str(getattr(error, "detail", None) or getattr(error, "message", None) or error)


def _push_tracked(ctx: PushContext, kind: str, object_id: str) -> str:
    """Push one object and record the outcome; answers which list of the report it belongs to."""
    ctx.done.add((kind, object_id))
    try:
        entity = repository(ctx.ledger(), kind).get(object_id)
    except NotFound:
        return "parked"
    version = entity.sync.version
    try:
        if entity.sync.drift:  # never overwrite the accountant's change silently (DESIGN §7): a repair decides
            raise WaitsForRepair(f"the accountant changed its QuickBooks document ({entity.sync.drift})")
        pushed: Pushed = PUSHERS[kind](ctx, entity)
    except DependencyNotSynced as waiting:
        logger.info("sync %s %s waits: %s", kind, object_id, waiting)
        ctx.waits[(kind, object_id)] = str(waiting)
        _failing(ctx, kind, object_id, waiting)
        return "waiting"
    except QboValidationError as error:
        if waits_for_order(error.code, entity.sync.attempts):
            logger.info("sync %s %s waits for other changes: %s %s", kind, object_id, error,
                        getattr(error, "detail", ""))
            ctx.waits[(kind, object_id)] = "QuickBooks refused it until other changes of ours land there"
            _failing(ctx, kind, object_id, error)
            return "waiting"
        return _park(ctx, kind, object_id, error)
    except (QboTransientError, QboAuthError) as error:
        _failing(ctx, kind, object_id, error)
        raise PushDeferred(str(error)) from error
    except PushDeferred as deferred:
        _deferred_by_dependency(ctx, kind, object_id, deferred)
        raise
    except PARKING_ERRORS as error:
        return _park(ctx, kind, object_id, error)
    record_created(ctx.account_id, kind, object_id,
                   lambda s: s.pushed(version, qbo_id=pushed.qbo_id or s.qbo_id, sync_token=pushed.sync_token),
                   entity=own_document(kind, entity), qbo_id=pushed.qbo_id)
    return "pushed"
