"""Legacy overpayment memos (guide, "Hard Disconnect" support work): which credits reached QBO as CreditMemos before
overpayments became their Payment's UnappliedAmt, whether QBO's books still differ, and when a memo can be repaired.

Pure rules: the use cases in chalicelib/services/sync/legacy.py load the credit and QBO's documents, ask here, and
write.
"""
from __future__ import annotations

from .errors import Conflict, InvalidInput

# Before this day an overpayment reached QBO as a CreditMemo; since, it is the original Payment's UnappliedAmt.
LEGACY_OVERPAYMENT_CUTOFF = "2026-02-25"


class NotLegacy(InvalidInput):
    """The credit is not an overpayment that reached QuickBooks as a CreditMemo (before the cutoff)."""

    code = "not_a_legacy_overpayment"


class RepairRefused(Conflict):
    """QuickBooks no longer holds the memo as made (gone, partly applied) or lacks the Payment to fold it into."""

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
