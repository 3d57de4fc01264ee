"""The QBO connection lifecycle (guide, "Hard Disconnect"; DESIGN §4): which moves are allowed from which state.

Pure rules: the use cases in chalicelib/services/sync/connection.py load the account, ask here, and write. Each move
is declared with what it takes and the refusal it raises.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import Conflict, InvalidInput
from .sync import ConnectionState


@dataclass(frozen=True)
class Connection:
    """What the account records about its link to QBO."""

    state: ConnectionState
    realm_id: str | None


class RealmMismatch(Conflict):
    """A softly disconnected account may only reconnect to the company it was connected to."""

    code = "realm_mismatch"


def connect(current: Connection, realm_id: str) -> Connection:
    """Where a completed consent leaves the account.

    A soft disconnect remembers the realm: QB IDs stay valid only there, so another company is refused until a hard
    disconnect forgets them. A connected account re-consenting to its own company simply gets fresh tokens.
    """
    if not realm_id:
        raise InvalidInput("QuickBooks named no company (realmId)")
    if current.state is not ConnectionState.NONE and current.realm_id and current.realm_id != realm_id:
        raise RealmMismatch("this account keeps the QuickBooks IDs of another company; a hard disconnect must "
                            "come first", details={"realm_id": current.realm_id, "offered_realm_id": realm_id})
    return Connection(ConnectionState.CONNECTED, realm_id)


class DisconnectMode(str, Enum):
    SOFT = "soft"
    HARD = "hard"


class NotConnected(Conflict):
    """The move needs a live connection (a soft disconnect, a mass re-sync, a parity check, a legacy repair)."""

    code = "not_connected"


def disconnect(current: Connection, mode: DisconnectMode) -> Connection:
    """Soft keeps the realm (and every QB ID); hard forgets both. A soft disconnect needs a connection to drop."""
    if mode is DisconnectMode.SOFT:
        if current.state is not ConnectionState.CONNECTED:
            raise NotConnected("the account is not connected to QuickBooks",
                               details={"state": current.state.value})
        return Connection(ConnectionState.SOFT_DISCONNECTED, current.realm_id)
    return Connection(ConnectionState.NONE, None)


def accepts_realm(current: Connection, realm_id: str) -> bool:
    """Whether work for `realm_id` (a queued push, a webhook, a job step) may still touch this account."""
    return current.state is ConnectionState.CONNECTED and current.realm_id == realm_id


class LifecycleBusy(Conflict):
    """Another lifecycle job (hard disconnect, mass re-sync) of the account is running: one at a time (store.jobs
    holds the slot)."""

    code = "job_running"
