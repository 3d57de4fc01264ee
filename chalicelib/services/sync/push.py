"""Push an account's pending changes to QBO, oldest first, each object from its current state (DESIGN §7).

A permanent refusal parks the object with its error (status panel, retry route); a throttle or outage stops the run
so the queue redelivers it later; nothing here ever marks an object pending again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from ...domain.errors import NotFound
from ...domain.sync import pushes_now, waits_for_order
from ...qbo.errors import QboAuthError, QboError, QboTransientError, QboValidationError
from ...store import accounts as accounts_store
from ...store.ids import utc_now
from ...store.sync_state import pending_objects
from .context import NoSalesItem, PushContext
from .documents import PUSHERS, DependencyNotSynced, NotMappedYet, Pushed
from .record import record, repository

logger = logging.getLogger(__name__)
PARKING_ERRORS = (QboError, NotMappedYet, NoSalesItem)


class PushDeferred(Exception):
    """QBO is throttling or unavailable (or the connection needs a human): try this account again later."""


@dataclass
class PushReport:
    pushed: list[tuple[str, str]] = field(default_factory=list)
    parked: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[tuple[str, str]] = field(default_factory=list)
    qbo_requests: int = 0


def push_pending(account_id: str, *, client: Any = None, limit: int = 500,
                 client_factory: Callable[[str], Any] | None = None) -> PushReport:
    """Push what the account has pending; raises PushDeferred when QBO asks us to come back later.

    Only an account that pushes now (domain.sync.pushes_now) is pushed: for one that is gone, switched off or no
    longer connected (soft or hard disconnected meanwhile) the hint is dropped, and its pending objects wait for a
    reconnect to the same company (or are forgotten by a hard disconnect).
    """
    try:
        account = accounts_store.get_account(account_id)
    except NotFound:
        logger.warning("push for unknown account %s dropped", account_id)
        return PushReport()
    if not pushes_now(bool(account.qbo_credit_sync), accounts_store.connection_of(account)):
        logger.info("push for account %s dropped: sync %s, %s", account_id, account.qbo_credit_sync,
                    account.qbo_state)
        return PushReport()
    if client is None:
        from ...qbo.client import build_client

        client = (client_factory or build_client)(account_id)
    ctx = _context(account_id, client)
    report = PushReport()
    before = client.session.stats["requests"]
    try:
        for pending in pending_objects(account_id, limit):
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


def push_one(account_id: str, kind: str, object_id: str, *, client: Any) -> str:
    """Push one object now (its dependencies first): "pushed", "parked" or "waiting"; raises PushDeferred."""
    outcome = _push_tracked(_context(account_id, client), kind, object_id)
    if outcome == "pushed":
        accounts_store.record_push(account_id, utc_now())
    return outcome


def _context(account_id: str, client: Any) -> PushContext:
    ctx = PushContext(account_id, client, ensure=lambda kind, object_id, when="pending":
                      push_if_pending(ctx, kind, object_id, when=when))
    return ctx


PUSH_WHEN = {
    "missing": lambda state: state.qbo_id is None,  # it must exist in QBO (retroactive push), as it is
    "pending": lambda state: state.qbo_id is None or state.pending,  # it must be up to date first
    "always": lambda state: True,  # its document depends on another object's change (a reduction cut a line)
}


def push_if_pending(ctx: PushContext, kind: str, object_id: str, *, when: str = "pending") -> str | None:
    """A dependency's QBO id, pushing it first when `when` says so (see PUSH_WHEN)."""
    entity = repository(ctx.ledger(), kind).get(object_id)
    if (kind, object_id) in ctx.done or not PUSH_WHEN[when](entity.sync):
        return entity.sync.qbo_id
    if entity.sync.error:
        return None
    if _push_tracked(ctx, kind, object_id) == "waiting":
        ctx.done.discard((kind, object_id))  # what it waits for may be pushed later in this run: try it again then
    return repository(ctx.ledger(), kind).get(object_id).sync.qbo_id


def _park(ctx: PushContext, kind: str, object_id: str, error: Exception) -> str:
    """A permanent refusal: the object keeps QBO's code and detail for the status panel until someone retries."""
    code = str(getattr(error, "code", None) or type(error).__name__)
    # QBO's Detail says what to fix ("... (Item 999)"); its Message alone is generic ("Invalid Reference Id")
    message = str(getattr(error, "detail", None) or getattr(error, "message", None) or error)
    logger.warning("sync %s %s parked: %s %s", kind, object_id, code, message)
    record(ctx.account_id, kind, object_id, lambda s: s.failed(code=code, message=message))
    return "parked"


def _push_tracked(ctx: PushContext, kind: str, object_id: str) -> str:
    """Push one object and record the outcome; answers which list of the report it belongs to."""
    ctx.done.add((kind, object_id))
    try:
        entity = repository(ctx.ledger(), kind).get(object_id)
    except NotFound:
        return "parked"
    version = entity.sync.version
    try:
        pushed: Pushed = PUSHERS[kind](ctx, entity)
    except DependencyNotSynced as waiting:
        logger.info("sync %s %s waits: %s", kind, object_id, waiting)
        record(ctx.account_id, kind, object_id, lambda s: setattr(s, "attempts", s.attempts + 1))
        return "waiting"
    except QboValidationError as error:
        if waits_for_order(error.code, entity.sync.attempts):
            logger.info("sync %s %s waits for other changes: %s %s", kind, object_id, error, getattr(error, "detail", ""))
            record(ctx.account_id, kind, object_id, lambda s: setattr(s, "attempts", s.attempts + 1))
            return "waiting"
        return _park(ctx, kind, object_id, error)
    except (QboTransientError, QboAuthError) as error:
        record(ctx.account_id, kind, object_id, lambda s: setattr(s, "attempts", s.attempts + 1))
        raise PushDeferred(str(error)) from error
    except PARKING_ERRORS as error:
        return _park(ctx, kind, object_id, error)
    record(ctx.account_id, kind, object_id,
           lambda s: s.pushed(version, qbo_id=pushed.qbo_id or s.qbo_id, sync_token=pushed.sync_token))
    return "pushed"
