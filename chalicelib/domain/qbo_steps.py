"""Which request brings one QuickBooks document to what the plan says, from what we last heard of it (DESIGN §7):
create it once, update it with the SyncToken we hold, remove it (delete or void) with that token, or do nothing.

A try that got no answer may have created the document without us hearing its id: the next one looks for our
marker first (`look_first`) rather than create a second, or leave behind one that must go. A token is only ours for
the document we recorded; one found by its marker is read first.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .sync import SyncState


class Step(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    REMOVE = "remove"  # delete (a CreditMemo, a use's linking Payment) or void (a tender Payment, an Invoice)
    NOTHING = "nothing"  # what must go never reached QBO


@dataclass(frozen=True)
class Operation:
    step: Step
    qbo_id: str | None = None
    sync_token: str | None = None
    look_first: bool = False  # an earlier try may have made it unheard: find it by our marker before acting


def to_write(held: SyncState) -> Operation:
    """Bring the document to our current state: create it the first time, else update the one we hold."""
    if held.qbo_id is None:
        return Operation(Step.CREATE, look_first=bool(held.attempts))
    return Operation(Step.UPDATE, held.qbo_id, held.sync_token)


def to_remove(held: SyncState) -> Operation:
    """Remove the document: the one we hold, one an unheard try may have made, or none if nothing was ever sent."""
    if held.qbo_id:
        return Operation(Step.REMOVE, held.qbo_id, held.sync_token)
    if held.attempts:
        return Operation(Step.REMOVE, look_first=True)
    return Operation(Step.NOTHING)


def token_for(held: SyncState, qbo_id: str) -> str | None:
    """The SyncToken we may send for this document: ours only when it is the document we recorded."""
    return held.sync_token if qbo_id == held.qbo_id else None
