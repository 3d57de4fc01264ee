"""Push one object again now (status panel's retry): mark it pending under its version, then push it."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ...domain.errors import Conflict, Forbidden, NotFound
from ...domain.permissions import Permission, Principal
from ...domain.sync import ConnectionState, SyncState
from ...domain.sync_modes import synced_kinds
from ...ports.qbo import ClientFactory
from ...qbo.errors import QboAuthError, QboTransientError
from ...store import accounts as accounts_store
from ...store.inbound import forget_drift
from ...store.ledger import Ledger
from ...store.uow import APPLIED_KEY, UnitOfWork, run_in_transaction
from .push import PushDeferred, push_one
from .record import KINDS, repository

logger = logging.getLogger(__name__)


class UnknownObjectType(NotFound):
    code = "unknown_object_type"


class SyncOff(Conflict):
    """The account records no sync intent (sync off, or not connected): nothing would ever push it."""

    code = "qbo_sync_off"


@dataclass(frozen=True)
class RetryOutcome:
    """What the retry did: `pushed`, `parked` (QBO refused again), `waiting` (a dependency is not in QBO yet),
    `deferred` (QBO unreachable or throttling: it stays pending, the workers push it) or `paused` (soft
    disconnect: it stays pending until the reconnect)."""

    kind: str
    object_id: str
    number: str | None
    sync: SyncState
    outcome: str
    message: str | None = None


def retry_object(principal: Principal, kind: str, object_id: str, *,
                 client_factory: ClientFactory | None = None) -> RetryOutcome:
    principal.require(Permission.MANAGE_INTEGRATION)
    if kind not in KINDS:
        raise UnknownObjectType(f"no such object type {kind[:30]!r}", details={"allowed": list(KINDS)})
    if kind == "credit" and not principal.sees_credits:
        raise Forbidden("your role may not view credits", details={"permission": Permission.VIEW_CREDITS.value})
    if not principal.qbo_sync:
        raise SyncOff("QuickBooks sync is off or not connected for this account: nothing would push it")
    if kind not in principal.sync_kinds:
        raise SyncOff(f"this account syncs one way: its {kind}s stay here (two-way credit sync pushes them)",
                      details={"sync_mode": "one_way"})

    def mark(uow: UnitOfWork) -> str | None:
        state = repository(Ledger(uow), kind).get(object_id).sync
        drift = state.drift
        state.repair()
        return drift

    drifted = run_in_transaction(principal.account_id, mark)  # pending now: the workers push it if we cannot
    if drifted:  # a person chose ours: the recorded drift goes with that choice, even if QBO cannot take it yet
        forget_drift(principal.account_id, kind, object_id)
    # The request's Idempotency-Key took effect with the mark; the push records its outcome in transactions of its
    # own, which must not claim that key a second time (a 409 idempotency_key_already_applied otherwise).
    unmarked = APPLIED_KEY.set(None)
    try:
        outcome, message = _push_now(principal.account_id, kind, object_id, client_factory)
        if outcome == "pushed":
            forget_drift(principal.account_id, kind, object_id)  # ours is what QBO shows again (no drift: a no-op)
            if drifted:
                _push_waiting(principal.account_id, client_factory)  # what waited for this repair (a use of it) goes
    finally:
        APPLIED_KEY.reset(unmarked)
    entity = repository(Ledger.reading(principal.account_id), kind).get(object_id)
    return RetryOutcome(kind, object_id, getattr(entity, "number", None) or getattr(entity, "name", None),
                        entity.sync, outcome, message or entity.sync.shown_error)


def _push_waiting(account_id: str, client_factory: ClientFactory | None) -> None:
    """Push the account's pending work now (what waited for a repair); the workers do it if this cannot."""
    from .push import push_pending

    try:
        push_pending(account_id, client_factory=client_factory)
    except (PushDeferred, QboTransientError, QboAuthError) as error:
        logger.info("push after the repair of account %s deferred: %s", account_id, error)


def _push_now(account_id: str, kind: str, object_id: str,
              client_factory: ClientFactory | None) -> tuple[str, str | None]:
    account = accounts_store.get_account(account_id)
    if account.qbo_state != ConnectionState.CONNECTED.value:
        return "paused", "QuickBooks is disconnected for now: it is pushed on reconnecting"
    try:
        if client_factory is None:
            from ...qbo.client import build_client  # python-quickbooks only when a push really happens

            client_factory = build_client
        kinds = synced_kinds(bool(account.qbo_credit_sync), accounts_store.connection_of(account))
        pushed = push_one(account_id, kind, object_id, client=client_factory(account_id), kinds=kinds)
        if pushed.outcome != "waiting":
            return pushed.outcome, None
        waits_for = pushed.waits_for or "what it links is not in QuickBooks yet"
        return "waiting", f"it waits: {waits_for}; see the panel's errors for what is parked"
    except (PushDeferred, QboTransientError, QboAuthError) as error:
        logger.info("retry of %s %s deferred: %s", kind, object_id, error)
        return "deferred", f"QuickBooks could not be reached now ({error}); it stays pending and is pushed later"
