"""Sync state (DESIGN §7, "state, not events"): when an object needs pushing to QBO, and what the panel shows.

A use case bumps `version` in its own transaction whenever the object changes in a way QBO must see; the worker
pushes the object's current state and records the version it pushed. Duplicates, reordering and redrives are then
harmless: a push of an old message simply finds nothing newer to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ConnectionState(str, Enum):
    NONE = "none"
    CONNECTED = "connected"
    SOFT_DISCONNECTED = "soft_disconnected"


def records_sync_intent(qbo_credit_sync: bool, connection: ConnectionState) -> bool:
    """Changes are marked for QBO only while sync is on and the account is connected or softly disconnected.

    A soft disconnect keeps the intents: they are pushed on reconnecting to the same realm (DESIGN §4).
    """
    return qbo_credit_sync and connection in (ConnectionState.CONNECTED, ConnectionState.SOFT_DISCONNECTED)


def pushes_now(qbo_credit_sync: bool, connection: ConnectionState) -> bool:
    """The workers push an account's pending changes only while its sync is on and it is connected.

    A soft-disconnected account keeps its pending changes (they wait for the reconnect); an account without a
    connection has nothing to push to.
    """
    return qbo_credit_sync and connection is ConnectionState.CONNECTED


MAX_BACKOFF_SECONDS = 3600
BUSINESS_RULE = 6000  # QBO's business validation fault code
ORDER_RETRIES = 5  # push runs a refused document may wait for our other pending changes before it is parked


def waits_for_order(fault_code: int | None, attempts: int) -> bool:
    """A business refusal ("linked amount exceeds the balance") is often only an order problem between our own
    pending changes (a void, a shrinking link must reach QBO first); it waits a few runs before it is parked."""
    return fault_code == BUSINESS_RULE and attempts < ORDER_RETRIES
STALE_PENDING_SECONDS = 120


def retry_due(attempts: int, seconds_since_failure: float) -> bool:
    """A parked object is tried again on its own once `retry_delay(attempts)` has passed since it failed."""
    return seconds_since_failure >= retry_delay(attempts)


def sweep_due(seconds_pending: float) -> bool:
    """A change still pending this long has lost its queue message (or QBO kept deferring it): hint it again."""
    return seconds_pending >= STALE_PENDING_SECONDS


def retry_delay(attempts: int) -> int:
    """Seconds before a failed object is tried again: 30 s doubling per attempt, at most an hour."""
    return min(MAX_BACKOFF_SECONDS, 30 * 2 ** max(0, attempts - 1))


class SyncStatus(str, Enum):
    """What the status panel shows for an object, derived from its SyncState."""

    NOT_SYNCED = "not_synced"
    PENDING = "pending"
    SYNCED = "synced"
    ERROR = "error"


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

    @property
    def pending(self) -> bool:
        return self.version > self.synced_version

    @property
    def status(self) -> SyncStatus:
        if self.error:
            return SyncStatus.ERROR
        if self.pending:
            return SyncStatus.PENDING
        return SyncStatus.SYNCED if self.qbo_id else SyncStatus.NOT_SYNCED

    def touch(self) -> None:
        """The object changed in a way QBO must see."""
        self.version += 1

    def pushed(self, version: int, *, qbo_id: str | None, sync_token: str | None) -> None:
        """QBO now holds `version` (an id of None: the document was removed there)."""
        self.synced_version = max(self.synced_version, version)
        self.qbo_id, self.sync_token = qbo_id, sync_token
        self.error_code = self.error = None
        self.attempts = 0

    def failed(self, *, code: str | None, message: str) -> None:
        """A permanent refusal: the object is parked with its error until someone retries it."""
        self.error_code, self.error = code, message
        self.attempts += 1

    def retry(self) -> None:
        """Someone asked to push it again (status panel / retry route)."""
        self.error_code = self.error = None
        self.version = max(self.version, self.synced_version) + 1

    def forget(self) -> None:
        """Hard disconnect: no QBO id, nothing pending; a new connection starts from scratch."""
        self.qbo_id = self.sync_token = self.error_code = self.error = None
        self.synced_version, self.attempts = self.version, 0


class Synced:
    """Mixin for domain objects that sync: the public qbo_id / sync_status / sync_error read their SyncState."""

    sync: SyncState

    @property
    def qbo_id(self) -> str | None:
        return self.sync.qbo_id

    @property
    def sync_status(self) -> str:
        return self.sync.status.value

    @property
    def sync_error(self) -> str | None:
        return self.sync.error


class SyncMode(str, Enum):
    """What the status panel says the sync is doing."""

    TWO_WAY = "two_way"  # sync on and connected: changes flow both ways now
    PAUSED = "paused"  # softly disconnected: changes are kept pending and flow again on reconnecting
    OFF = "off"  # sync switched off, or no connection (never connected, or hard-disconnected)


def sync_mode(qbo_credit_sync: bool, connection: ConnectionState) -> SyncMode:
    """Two-way while sync is on and connected; paused while softly disconnected (whatever the switch); else off."""
    if connection is ConnectionState.SOFT_DISCONNECTED:
        return SyncMode.PAUSED
    if qbo_credit_sync and connection is ConnectionState.CONNECTED:
        return SyncMode.TWO_WAY
    return SyncMode.OFF
