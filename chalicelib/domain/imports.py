"""Inbound sync rules (DESIGN §7 inbound, ownership, echo suppression): what a QBO document changed by the
accountant means here. Pure: amounts arrive as integer cents, times as datetimes, nothing is read or written.

- A CreditMemo or a Payment's unapplied amount made in QBO is imported as a `qbo` credit; what QBO already applied
  of it counts as used (`Credit.applied_in_qbo`), since those applications are not uses of our ledger.
- An imported credit follows QBO (amount, remaining, notes, void/delete), unless our own uses would be broken.
- A document we own (our marker in it) that comes back is our echo when QBO's SyncToken is the one we stored (or
  our push has not recorded its id yet); a newer SyncToken with other money is drift, never overwritten.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable, Iterable, TypeVar

from .credits import Credit, CreditEvent, CreditStatus, CreditUse
from .errors import Conflict, DomainError, InvalidInput
from .locations import Location, LocationKind

T = TypeVar("T")

CDC_OVERLAP = timedelta(minutes=5)  # a change committed while the last read ran is read again, never skipped
CDC_LOOKBACK = timedelta(days=30)  # QBO's CDC limit; older watermarks need a full re-sync
CDC_LOOKBACK_MARGIN = timedelta(hours=1)  # keep clear of the limit: clocks differ
CDC_PAGE_LIMIT = 1000  # QBO returns at most this many objects per entity: a full answer may be truncated


class ImportedCreditInUse(Conflict):
    """QBO took away more of an imported credit than our own uses leave; the change is refused and shown."""

    code = "qbo_credit_in_use"


@dataclass(frozen=True)
class QboCreditTerms:
    """What an imported credit must show: its amount and what QBO applied of it, plus the memo's notes."""

    amount: int
    applied: int
    internal_note: str = ""
    external_note: str = ""

    @property
    def nothing_to_credit(self) -> bool:
        """A document that gives nothing to credit (a fully applied payment): not imported."""
        return self.amount <= 0 and self.applied == 0


def memo_terms(total: int, remaining: int, *, internal_note: str = "", external_note: str = "") -> QboCreditTerms:
    """A CreditMemo: the credit is its total; what is no longer RemainingCredit was applied in QBO."""
    if total < 0 or not 0 <= remaining <= total:
        raise InvalidInput("a CreditMemo's remaining credit must lie between 0 and its total",
                           details={"total": total, "remaining": remaining})
    return QboCreditTerms(total, total - remaining, internal_note, external_note)


def unapplied_terms(total: int, free: int, *, imported_amount: int | None, landed: int = 0) -> QboCreditTerms:
    """The accountant's Payment: the credit is its money the accountant did not apply (`free`: UnappliedAmt, plus
    `landed`: what our own lines on it link, read from the document, `ours_landed`), so a changed TotalAmt changes
    the credit, and our lines, landed, pending or being removed, never count as applied in QBO.

    What the accountant applies after the import counts as applied in QBO (never more than their own lines on the
    Payment hold: `total - free`); the rest of a change is the credit's amount. If the accountant unlinks an
    application the Payment had when imported, the credit grows.
    """
    free += landed
    if free < 0 or total < 0:
        raise InvalidInput("a Payment's amounts cannot be negative", details={"total": total, "free": free})
    if imported_amount is None:
        return QboCreditTerms(free, 0)
    applied = min(max(total - free, 0), max(imported_amount - free, 0))
    return QboCreditTerms(free + applied, applied)


def follow_qbo(credit: Credit, terms: QboCreditTerms, *, now: str, recorded: int = 0) -> bool:
    """Make an imported credit show what QBO shows; refused when our own uses no longer fit. True if it changed.

    `recorded` is what of QBO's applications we already hold as uses (ours pushed there, or the accountant's recorded
    by record_qbo_application), so it is not counted twice.
    """
    if not credit.owned_by_qbo:  # ours, or imported and then reissued to a new company: never overwritten by QBO
        raise InvalidInput("only credits imported from QBO follow QBO", details={"credit_id": credit.id})
    terms = QboCreditTerms(terms.amount, max(0, terms.applied - recorded), terms.internal_note, terms.external_note)
    ours = credit.used - credit.applied_in_qbo - recorded
    left = terms.amount - terms.applied - recorded  # QBO's remaining credit
    if left < ours and credit.status is CreditStatus.ACTIVE:
        raise ImportedCreditInUse(
            f"QuickBooks leaves {left} cents of credit {credit.number}, but {ours} cents of it "
            "already pay invoices here; void those payments, or restore the credit in QuickBooks",
            details={"credit_id": credit.id, "qbo_amount": terms.amount, "qbo_applied": terms.applied, "used": ours})
    changes = {}
    for name, value in (("amount", terms.amount), ("applied_in_qbo", terms.applied),
                        ("internal_note", terms.internal_note), ("external_note", terms.external_note)):
        if getattr(credit, name) != value:
            changes[name] = {"from": getattr(credit, name), "to": value}
            setattr(credit, name, value)
    if "amount" in changes:  # its value is its QBO document's (memo or the accountant's Payment), whatever the size
        kind = credit.locations[0].kind if credit.locations else LocationKind.MEMO
        credit.locations = [Location(kind, credit.id, credit.amount)]
    if changes:
        credit.updated_at = now
        credit.events.append(CreditEvent("edited", now, credit.amount, {"by": "qbo", **changes}))
    return bool(changes)


def recorded_in_qbo(credit: Credit, active_uses: list[CreditUse]) -> int:
    """What of QBO's applied amount of an imported credit our ledger already holds as uses (`follow_qbo`'s
    `recorded`), so it is not counted again as applied in QBO.

    A memo's: the accountant's applications we recorded, and our uses QBO has (pushed). The accountant's Payment's:
    none, since `unapplied_terms` already leaves our lines on that Payment out of what QBO applied.
    """
    if credit.in_accountants_payment:
        return 0
    return sum(use.amount for use in active_uses
               if use.active and (use.from_qbo or (use.qbo_id and not use.sync.pending)))


def accountants_links(links: list[tuple[str, int]], ours: dict[str, int]) -> list[tuple[str, int]]:
    """The accountant's Payment's invoice links (QBO invoice id, cents) less the lines our uses of the credit
    imported from it put there (`ours`, per invoice, never negative): what is left is what the accountant applied."""
    left = dict(ours)
    out = []
    for invoice, amount in links:
        take = min(amount, left.get(invoice, 0))
        left[invoice] = left.get(invoice, 0) - take
        if amount > take:
            out.append((invoice, amount - take))
    return out


def ours_landed(links: list[tuple[str, int]], ours: dict[str, int]) -> int:
    """What the lines our uses put on the accountant's Payment link there now, as QBO shows it (`links`: its invoice
    links; `ours`: what our uses put there per invoice): its links less the accountant's (`accountants_links`)."""
    return sum(amount for _, amount in links) - sum(amount for _, amount in accountants_links(links, ours))


def split_cash(cash: int, links: Iterable[tuple[T, int]]) -> list[tuple[T, int, int]]:
    """An accountant's Payment's links to our invoices as (link, from its money, from the credit memos it links): its
    money (TotalAmt) pays the links in order, what it does not cover came from memos."""
    out = []
    for key, amount in links:
        tender = min(cash, amount)
        cash -= tender
        out.append((key, tender, amount - tender))
    return out


def memo_takes(memo_links: Iterable[tuple[str, int]], wanted: int,
               credit_behind: Callable[[str], str | None]) -> list[tuple[str, int]]:
    """(credit id, cents) each credit behind the Payment's memo links gives, in order, until `wanted` is covered;
    memos with no credit of ours behind them are skipped (looked up only while something is still wanted)."""
    takes = []
    for qbo_memo_id, amount in memo_links:
        credit_id = credit_behind(qbo_memo_id) if wanted else None
        if credit_id is None:
            continue
        take = min(amount, wanted)
        wanted -= take
        takes.append((credit_id, take))
    return takes


@dataclass(frozen=True)
class Application:
    """What one invoice receives from one accountant's Payment: all of it (`applied`, never past its balance), and
    the part paid with money rather than the credits it took (`tender_applied`)."""

    applied: int
    tender_applied: int

    @property
    def recordable(self) -> bool:
        return self.applied > 0 and self.tender_applied >= 0


def application(tender: int, taken: Iterable[int], balance: int) -> Application:
    from_credits = sum(taken)
    applied = min(tender + from_credits, balance)
    return Application(applied, applied - from_credits)


def record_qbo_application(credit: Credit, *, use_id: str, payment_id: str, invoice_id: str, amount: int,
                           now: str) -> CreditUse:
    """The accountant applied this credit to one of our invoices in QBO: it becomes a use here.

    Of an imported credit, that amount may already count as applied in QBO (its memo was read first): it moves
    from there into the use, so it is never counted twice.
    """
    moved = min(amount, credit.applied_in_qbo) if credit.owned_by_qbo else 0  # a reissued one's is the old company's
    credit.applied_in_qbo -= moved
    try:
        use = credit.apply(use_id=use_id, payment_id=payment_id, invoice_id=invoice_id, amount=amount, now=now)
    except DomainError:
        credit.applied_in_qbo += moved
        raise
    use.from_qbo = True
    if moved:  # the history says so, or replaying it would count the amount twice (domain.history)
        credit.events.insert(-1, CreditEvent("edited", now, credit.amount, {"by": "qbo", "applied_in_qbo": {
            "from": credit.applied_in_qbo + moved, "to": credit.applied_in_qbo}}))
    return use


def void_imported(credit: Credit, *, now: str, active_uses: list[CreditUse] = ()) -> None:
    """A QBO delete or void of an imported credit voids it here; refused while our uses exist (CreditInUse)."""
    credit.void_with_origin(now=now, reason="deleted or voided in QuickBooks", active_uses=active_uses)


class Verdict(str, Enum):
    ECHO = "echo"  # our own push coming back
    STALE = "stale"  # an older version than the one we hold
    SAME = "same"  # QBO changed the document (e.g. its remaining credit) but not what we own in it
    WAITING = "waiting"  # our own later change to it is on its way: judged when it lands
    DRIFT = "drift"  # the accountant changed what we own


def judge_own_document(*, our_qbo_id: str | None, our_sync_token: str | None, their_sync_token: str,
                       ours: dict, theirs: dict, ours_pending: bool = False) -> Verdict:
    """Our document (it carries our marker) as QBO shows it now, against what we pushed.

    `ours` is our object's state now; while a change of ours is still to be pushed (`ours_pending`) it is not what we
    pushed, so a newer version of the document that differs from it (the accountant's message on it, say) proves no
    change of our money there: the push on its way sets it, and its echo is judged then.
    """
    if our_qbo_id is None or our_sync_token is None:
        return Verdict.ECHO  # the webhook beat our push's own bookkeeping
    if their_sync_token == our_sync_token:
        return Verdict.ECHO
    if _token(their_sync_token) < _token(our_sync_token):
        return Verdict.STALE
    if ours == theirs:
        return Verdict.SAME
    return Verdict.WAITING if ours_pending else Verdict.DRIFT


def _token(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def cdc_since(watermark: datetime | None, now: datetime) -> datetime | None:
    """Where the next change read starts (the watermark less the overlap); None: too old or never read, so a full
    re-sync of the realm reads everything instead."""
    if watermark is None:
        return None
    since = watermark - CDC_OVERLAP
    if since < now - CDC_LOOKBACK + CDC_LOOKBACK_MARGIN:
        return None
    return since


# The queue's clock and ours may differ a little. A hint wrongly taken as read costs latency, never a change: the
# scheduled sweep reads again from the watermark less the overlap.
HINT_CLOCK_MARGIN = timedelta(milliseconds=250)


def already_read(watermark: datetime | None, hinted_at: datetime | None) -> bool:
    """A change read that started after a hint was sent (the watermark is its start) covered that hint."""
    return watermark is not None and hinted_at is not None and watermark >= hinted_at + HINT_CLOCK_MARGIN


def truncated(counts: dict[str, int]) -> list[str]:
    """Entities whose CDC answer hit QBO's limit: more may have changed than came back."""
    return sorted(entity for entity, count in counts.items() if count >= CDC_PAGE_LIMIT)
