"""Sync state (DESIGN §7, "state, not events"): when an object needs pushing to QBO, and what the panel shows.

A use case bumps `version` in its own transaction whenever the object changes in a way QBO must see; the worker
pushes the object's current state and records the version it pushed. Duplicates, reordering and redrives are then
harmless: a push of an old message simply finds nothing newer to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .money import format_cents


class ConnectionState(str, Enum):
    NONE = "none"
    CONNECTED = "connected"
    SOFT_DISCONNECTED = "soft_disconnected"


MAX_BACKOFF_SECONDS = 3600
TRANSIENT_BACKOFF_SECONDS = 300  # a failure QBO will get over (5xx, 429, timeout) is retried at most this far apart
SHOW_AFTER_ATTEMPTS = 3  # a failure the engine retries on its own is shown as an error from its 3rd try ...
SHOW_AFTER_SECONDS = 300  # ... or once the object has waited 5 minutes (DESIGN §7, visible failures)
WAITING = "waiting"  # the error code of an object that waits for something of ours (its message says what)
BUSINESS_RULE = 6000  # QBO's business validation fault code
ORDER_RETRIES = 5  # push runs a refused document may wait for our other pending changes before it is parked


def waits_for_order(fault_code: int | None, attempts: int) -> bool:
    """A business refusal ("linked amount exceeds the balance") is often only an order problem between our own
    pending changes (a void, a shrinking link must reach QBO first); it waits a few runs before it is parked."""
    return fault_code == BUSINESS_RULE and attempts < ORDER_RETRIES
STALE_PENDING_SECONDS = 120


def retry_due(attempts: int, seconds_since_failure: float, *, transient: bool = False) -> bool:
    """A failed object is tried again on its own once its delay has passed since it last failed."""
    return seconds_since_failure >= retry_delay(attempts, transient=transient)


def sweep_due(seconds_pending: float) -> bool:
    """A change still pending this long has lost its queue message (or QBO kept deferring it): hint it again."""
    return seconds_pending >= STALE_PENDING_SECONDS


def retry_delay(attempts: int, *, transient: bool = False) -> int:
    """Seconds before a failed object is tried again: 30 s doubling per attempt, at most an hour for a refusal (it
    needs a person first, or our other changes) and at most 5 minutes for a failure QBO gets over by itself, so the
    object syncs soon after QBO answers again without anyone pressing retry."""
    return min(TRANSIENT_BACKOFF_SECONDS if transient else MAX_BACKOFF_SECONDS, 30 * 2 ** max(0, attempts - 1))


class SyncStatus(str, Enum):
    """What the status panel shows for an object, derived from its SyncState."""

    NOT_SYNCED = "not_synced"
    PENDING = "pending"
    SYNCED = "synced"
    ERROR = "error"
    DRIFT = "drift"  # QBO's copy of one of our documents differs from ours (the accountant changed it)


# from the worst to the best, for what several documents of one object show together (a payment and its uses)
SEVERITY = (SyncStatus.ERROR, SyncStatus.DRIFT, SyncStatus.PENDING, SyncStatus.NOT_SYNCED, SyncStatus.SYNCED)


@dataclass
class SyncState:
    """What an object carries for the sync: its QBO identity, the versions, and the last failure."""

    qbo_id: str | None = None
    sync_token: str | None = None
    version: int = 0
    synced_version: int = 0
    error_code: str | None = None
    error: str | None = None
    attempts: int = 0
    retrying: bool = False  # the error is one the engine retries on its own (QBO unreachable, a wait), not a refusal
    shown: bool = False  # a retried failure shown as an error (SHOW_AFTER_ATTEMPTS, SHOW_AFTER_SECONDS, or a person)
    drift: str | None = None  # what differs between QBO's copy of our document and ours (ours and theirs)
    pending_since: str | None = None  # when it became pending (ISO, UTC): its place in the pending index

    @property
    def pending(self) -> bool:
        return self.version > self.synced_version

    @property
    def parked(self) -> bool:
        """Refused for good: not pushed again until a retry (the sweeper's, on backoff, or someone's)."""
        return bool(self.error) and not self.retrying

    @property
    def status(self) -> SyncStatus:
        if self.error and (not self.retrying or self.shown):
            return SyncStatus.ERROR
        if self.drift:
            return SyncStatus.DRIFT
        if self.pending:
            return SyncStatus.PENDING
        return SyncStatus.SYNCED if self.qbo_id else SyncStatus.NOT_SYNCED

    def touch(self) -> None:
        """The object changed in a way QBO must see."""
        self.version += 1

    @property
    def shown_error(self) -> str | None:
        """What `sync_error` says: the last failure (also while it is still retried), else what drifted."""
        return self.error or self.drift

    def pushed(self, version: int, *, qbo_id: str | None, sync_token: str | None) -> None:
        """QBO now holds `version` (an id of None: the document was removed there); ours is what QBO shows."""
        self.synced_version = max(self.synced_version, version)
        self.qbo_id, self.sync_token = qbo_id, sync_token
        self._clear_error()
        self.attempts = 0
        self.drift = None

    def failed(self, *, code: str | None, message: str) -> None:
        """A permanent refusal: the object is parked with its error (shown at once) until a retry."""
        self.error_code, self.error = code, message
        self.retrying = self.shown = False
        self.attempts += 1

    def failed_for_now(self, *, code: str | None, message: str, seconds_pending: float,
                       needs_person: bool = False) -> None:
        """A failure the engine retries on its own (QBO unreachable or throttling, or a wait for something of ours):
        shown as an error from its 3rd try, once the object waited 5 minutes, or at once when a person must act
        (the account must reconnect; a drifted document must be repaired first)."""
        self.error_code, self.error = code, message
        self.attempts += 1
        self.retrying = True
        self.shown = (self.shown or needs_person or self.attempts >= SHOW_AFTER_ATTEMPTS
                      or seconds_pending >= SHOW_AFTER_SECONDS)

    def waits(self, *, reason: str, seconds_pending: float, needs_person: bool = False) -> None:
        """It cannot go before something else of ours (its invoice, a memo the accountant changed): the reason is
        kept, and shown as an error once it waited 5 minutes, or at once when a person must act first. A wait is no
        failed request: it is not counted towards the 3 tries (one run may try a waiting object twice)."""
        self.error_code, self.error = WAITING, reason
        self.attempts += 1
        self.retrying = True
        self.shown = self.shown or needs_person or seconds_pending >= SHOW_AFTER_SECONDS

    def drifted(self, difference: str) -> None:
        """The accountant changed our document in QBO: recorded, never overwritten silently (DESIGN §7)."""
        self.drift = difference

    def retry(self) -> None:
        """The sweeper's backoff (or a repair) pushes it again: a new version, the error cleared (a drift stays: only a
        person decides that ours wins over the accountant's change)."""
        self._clear_error()
        self.version = max(self.version, self.synced_version) + 1

    def repair(self) -> None:
        """Someone chose ours over what QBO shows (the retry route, parity repair): pushed again, drift and all."""
        self.retry()
        self.drift = None

    def forget(self) -> None:
        """Hard disconnect: no QBO id, nothing pending; a new connection starts from scratch."""
        self.qbo_id = self.sync_token = self.drift = None
        self._clear_error()
        self.synced_version, self.attempts = self.version, 0

    def _clear_error(self) -> None:
        self.error_code = self.error = None
        self.retrying = self.shown = False


class Synced:
    """Mixin for domain objects that sync: the public qbo_id / sync_status / sync_error read their SyncState, or,
    for an object that sends several documents to QBO (`documents()`), all of them together."""

    sync: SyncState

    @property
    def qbo_id(self) -> str | None:
        return self.sync.qbo_id

    def documents(self) -> list[SyncState] | None:
        """Every document this object sends to QBO, when that is more than its own (None: just its own)."""
        return None

    @property
    def sync_status(self) -> str:
        documents = self.documents()
        return (self.sync.status if documents is None else combined_status(documents)[0]).value

    @property
    def sync_error(self) -> str | None:
        documents = self.documents()
        return self.sync.shown_error if documents is None else combined_status(documents)[1]


def drift_text(qbo_type: str, qbo_id: str, ours: dict | None, theirs: dict | None, what: str = "") -> str:
    """What a drift's `sync_error` and panel line say: which document, ours and theirs, and the repair."""
    return (f"the accountant changed {what}QuickBooks {qbo_type} {qbo_id}: ours {_shown(ours)}, QuickBooks "
            f"{_shown(theirs)}; POST /qbo/parity/repair pushes ours again")


def _shown(view: dict | None) -> str:
    """A drift side ({"exists", "total"}) in words: its amount, or that the document is gone (deleted, voided)."""
    if not view or not view.get("exists"):
        return "none (deleted or voided)"
    return format_cents(int(view.get("total") or 0))


def combined_status(states: list[SyncState]) -> tuple[SyncStatus, str | None]:
    """What several documents of one object show together (a payment: its tender Payment and each credit use's
    linking Payment): the worst status among them, with that document's error or drift. Synced only when every
    one is in QBO as ours."""
    if not states:
        return SyncStatus.NOT_SYNCED, None
    worst = min(states, key=lambda s: SEVERITY.index(s.status))
    return worst.status, worst.shown_error
