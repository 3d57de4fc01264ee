"""The QBO connection lifecycle (guide, "Hard Disconnect"; DESIGN §4): which moves are allowed from which state.

Pure rules: the use cases in chalicelib/services/sync/connection.py load the account, ask here, and write.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import Conflict, InvalidInput
from .sync import ConnectionState


class RealmMismatch(Conflict):
    """A softly disconnected account may only reconnect to the company it was connected to."""

    code = "realm_mismatch"


class NotConnected(Conflict):
    code = "not_connected"


class LifecycleBusy(Conflict):
    """Another lifecycle job (hard disconnect, mass re-sync) of the account is running."""

    code = "job_running"


class DisconnectMode(str, Enum):
    SOFT = "soft"
    HARD = "hard"


@dataclass(frozen=True)
class Connection:
    """What the account records about its link to QBO."""

    state: ConnectionState
    realm_id: str | None


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


# Before this day an overpayment reached QBO as a CreditMemo; since, it is the original Payment's UnappliedAmt.
LEGACY_OVERPAYMENT_CUTOFF = "2026-02-25"


class NotLegacy(InvalidInput):
    code = "not_a_legacy_overpayment"


class RepairRefused(Conflict):
    code = "legacy_repair_refused"


def require_legacy(source: str, synced_at: str) -> None:
    """Only overpayment credits synced before the cutoff have a legacy CreditMemo."""
    if source != "overpayment":
        raise NotLegacy("only overpayment credits reached QuickBooks as legacy credit memos",
                        details={"source": source})
    if not synced_at or synced_at[:10] >= LEGACY_OVERPAYMENT_CUTOFF:
        raise NotLegacy(f"overpayments synced from {LEGACY_OVERPAYMENT_CUTOFF} on are Payment amounts, not memos",
                        details={"synced_at": synced_at})


def legacy_books_differ(ours_remaining: int, memo_remaining: int | None, payment_unapplied: int | None) -> bool:
    """QBO differs from us while a memo still holds money, or the Payment does not hold what the credit has left
    (we keep an overpayment's remaining amount as its Payment's UnappliedAmt, DESIGN §5)."""
    return bool(memo_remaining) or (payment_unapplied or 0) < ours_remaining


def repairable(memo_total: int, memo_remaining: int) -> bool:
    """A memo can be folded back into its Payment only while QBO has applied none of it."""
    return memo_remaining == memo_total and memo_total > 0
