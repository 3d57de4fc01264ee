"""The QuickBooks documents one cancel or delete of a credit changes, each read from the table in `qbo_actions` that
the push reads too: what the cancel and delete previews answer as `qbo_documents`, in the order the push goes.

Only documents QBO holds are listed (an object without a QBO id changes nothing there). A credit that keeps money on
a Payment's UnappliedAmt is never canceled or deleted (overpayment credits, `credit_held_by_payment`), so the
documents here are linking Payments, the Invoices they paid, and CreditMemos.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .credits import Credit, CreditSource, CreditStatus, CreditUse
from .invoices import Invoice
from .locations import Location, LocationKind
from .money import format_cents
from .qbo_actions import QboAction, linking_payment_action, memo_effect


@dataclass(frozen=True)
class QboChange:
    action: QboAction
    qbo_type: str  # CreditMemo | Payment | Invoice
    qbo_id: str
    object_type: str  # what it stands for here: credit | credit_use | invoice
    object_id: str
    effect: str


@dataclass(frozen=True)
class Reverted:
    """A use the change voids, with what its documents linked just before (its parts less what reductions cut)."""

    use: CreditUse
    links: Sequence[Location]


@dataclass(frozen=True)
class Moved:
    """An adjustment credit the change shrank or voided (a reverted use took its cut back), with what it kept in each
    CreditMemo just before (`kept_in_memos`)."""

    credit: Credit
    kept_before: Mapping[str, int]


def kept_in_memos(credit: Credit) -> dict[str, int]:
    """Cents a credit keeps in each CreditMemo (by the memo's credit id): its share while active, only what its uses
    draw once removed, as `locations.given_up` counts it."""
    return _in_memos(credit.locations if credit.status is CreditStatus.ACTIVE else credit.drawn)


def _in_memos(locations: Sequence[Location]) -> dict[str, int]:
    kept: dict[str, int] = {}
    for loc in locations:
        if loc.kind is LocationKind.MEMO:
            kept[loc.owner_id] = kept.get(loc.owner_id, 0) + loc.amount
    return kept


def removal_changes(credit: Credit, *, reverted: Sequence[Reverted], invoices: Mapping[str, Invoice],
                    memos: Mapping[str, Credit], moved: Sequence[Moved] = ()) -> list[QboChange]:
    """What QBO does once `credit` (as the change leaves it: canceled or deleted) is pushed: the reverted uses'
    linking Payments first, the Balance of the Invoices they paid, then the memos: its own, or those keeping its
    money (`memos`: the credits owning them, by id), with what the `moved` adjustment credits kept there."""
    changes = _links(reverted, invoices)
    memo_changes = _own_memo(credit, links_first=bool(changes)) + _kept_memos(credit, memos)
    return changes + memo_changes + _moved(moved, {change.object_id: change for change in memo_changes})


def _links(reverted: Sequence[Reverted], invoices: Mapping[str, Invoice]) -> list[QboChange]:
    """Each reverted use's linking Payment QBO holds (it links something), then each Invoice it paid, once."""
    changes, rises = [], {}
    for each in reverted:
        linked = sum(loc.amount for loc in each.links if loc.kind is LocationKind.MEMO)
        in_qbo = each.use.qbo_id and linking_payment_action(active=True, linked=linked) is not QboAction.DELETE
        action = linking_payment_action(active=each.use.active, linked=linked)
        if not in_qbo or action is not QboAction.DELETE:
            continue
        invoice = invoices[each.use.invoice_id]
        changes.append(QboChange(action, "Payment", each.use.qbo_id, "credit_use", each.use.id,
                                 f"deleted: the Payment of 0 linking {format_cents(linked)} of the credit to "
                                 f"Invoice {invoice.qbo_id or invoice.number}"))
        rises[invoice.id] = rises.get(invoice.id, 0) + linked
    for invoice_id, rise in rises.items():
        invoice = invoices[invoice_id]
        if invoice.qbo_id:
            changes.append(QboChange(QboAction.UPDATE, "Invoice", invoice.qbo_id, "invoice", invoice.id,
                                     f"Balance rises by {format_cents(rise)}: the deleted links paid that"))
    return changes


def _own_memo(credit: Credit, *, links_first: bool) -> list[QboChange]:
    """A manual or return credit's own CreditMemo, as the table says (deleted, or reduced to what its uses link)."""
    if not credit.in_our_memo or not credit.qbo_id:
        return []
    action = credit.memo_action()
    if action is QboAction.UPDATE:  # canceled after its uses took all of it: the memo stays as it is
        return []
    return [QboChange(action, "CreditMemo", credit.qbo_id, "credit", credit.id,
                      memo_effect(action, links_first=links_first))]


def _kept_memos(credit: Credit, memos: Mapping[str, Credit]) -> list[QboChange]:
    """A removed adjustment credit's unspent money leaves the memos of the credits keeping it (it was active until
    now, so it kept its share there: its locations)."""
    if credit.source is not CreditSource.INVOICE_ADJUSTMENT or credit.status is CreditStatus.ACTIVE:
        return []
    after, changes = kept_in_memos(credit), []
    for owner_id, amount in _in_memos(credit.locations).items():
        left, memo = amount - after.get(owner_id, 0), memos.get(owner_id)
        if left <= 0 or memo is None or not memo.qbo_id:
            continue
        action = memo.memo_action(given_up=left)
        if action is not QboAction.DELETE:  # a memo its own credit emptied is gone already
            changes.append(QboChange(action, "CreditMemo", memo.qbo_id, "credit", memo.id,
                                     memo_effect(action, given_up=left, by=credit.number)))
    return changes


def _moved(moved: Sequence[Moved], memo_changes: Mapping[str, QboChange]) -> list[QboChange]:
    """Each adjustment credit the change undoes, on the memo its money leaves (that memo's own change)."""
    changes = []
    for each in moved:
        after = kept_in_memos(each.credit)
        for owner_id, amount in each.kept_before.items():
            left, memo = amount - after.get(owner_id, 0), memo_changes.get(owner_id)
            if left > 0 and memo is not None:
                effect = f"the {format_cents(left)} of {each.credit.number} kept in it leaves"
                effect += " with it" if memo.action is QboAction.DELETE else ""
                changes.append(QboChange(memo.action, "CreditMemo", memo.qbo_id, "credit", each.credit.id, effect))
    return changes
