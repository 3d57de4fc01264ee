"""A domain object's SyncState on its item, and the sparse pending-sync index (gsi3) that lists what to push."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.sync import SyncState
from .ids import utc_now
from .models import CreditItem, SyncedItem, account_pk
from .tables import bind


def pending_pk(account_id: str) -> str:
    return f"{account_pk(account_id)}#SYNC"


def read_state(item: SyncedItem) -> SyncState:
    return SyncState(qbo_id=item.qbo_id, sync_token=item.qbo_sync_token, version=int(item.sync_version or 0),
                     synced_version=int(item.synced_version or 0), error_code=item.sync_error_code,
                     error=item.sync_error, attempts=int(item.sync_attempts or 0))


def write_state(state: SyncState, item: SyncedItem, *, account_id: str, kind: str, entity_id: str) -> None:
    """Copy the state onto the item; it stays in the pending index while it waits for a push or is parked.

    Its place in the index is the time it first became pending, so the oldest change is pushed first.
    """
    item.qbo_id, item.qbo_sync_token = state.qbo_id, state.sync_token
    item.sync_version, item.synced_version = state.version, state.synced_version
    item.sync_error_code, item.sync_error, item.sync_attempts = state.error_code, state.error, state.attempts
    item.sync_status = state.status.value
    if state.pending or state.error:
        item.sync_pk = pending_pk(account_id)
        item.sync_sk = item.sync_sk or f"{utc_now()}#{kind}#{entity_id}"
    else:
        item.sync_pk = item.sync_sk = None


@dataclass(frozen=True)
class PendingObject:
    kind: str
    object_id: str
    parked: bool  # failed permanently: waits for a retry, not pushed again on its own


def pending_objects(account_id: str, limit: int = 500) -> list[PendingObject]:
    """What the account still has to push (and what is parked with an error), oldest change first."""
    bind()
    items = CreditItem.pending_sync.query(pending_pk(account_id), limit=limit,
                                          attributes_to_get=["sync_sk", "sync_error"])
    found = []
    for item in items:
        _, kind, object_id = item.sync_sk.split("#", 2)  # an id may itself hold a "#" (a use: credit#use)
        found.append(PendingObject(kind, object_id, bool(item.sync_error)))
    return found
