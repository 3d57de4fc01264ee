"""What a change of ours does to each QuickBooks document (DESIGN §5): the one table the push, the cancel and delete
previews and a credit's history line all read, so what we say happens in QBO and what the push does cannot disagree.

- a credit's CreditMemo: **delete** once nothing of its credit is left in it (deleted; canceled & reverted; canceled
  or voided unused), since QBO's API has no void for CreditMemo; **reduce** when canceled balance only with active
  uses (RemainingCredit 0, the uses stay) or when removed adjustment credits' unspent money leaves it; else
  **update**.
- a use's linking Payment (a Payment of 0 linking the invoice and memos): **delete** once the use is voided or
  reductions cut it to nothing.
- a Payment whose UnappliedAmt a use spends: **relink** (the line linking the use's invoice goes) once it is voided.
- a tender Payment, an Invoice: **void** with their payment or sales order; an Invoice a deleted link paid:
  **update** (QBO raises its Balance).

Order: linking Payments go first (they link the memo), then the memo. Pure: no QBO client, no ledger reads.
"""
from __future__ import annotations

from enum import Enum

from .money import format_cents

NO_VOID = "QBO's API has no void for CreditMemo"


class QboAction(str, Enum):
    DELETE = "delete"  # the document goes: a CreditMemo (its API has no void), a use's linking Payment
    VOID = "void"  # it stays at 0, marked voided: a tender Payment, an Invoice
    REDUCE = "reduce"  # a CreditMemo's total shrinks, and with it RemainingCredit
    UPDATE = "update"  # rewritten from our state, or recomputed by QBO (an Invoice's Balance when a link goes)
    RELINK = "relink"  # a Payment keeps its money but a line linking an invoice leaves it


def memo_total(*, active: bool, amount: int, used: int, given_up: int = 0, applied: int = 0) -> int:
    """What a credit's CreditMemo totals: the whole credit while active, else only what its uses still link (so
    RemainingCredit is 0), less `given_up`: what removed adjustment credits had kept in it (`locations.given_up`), and
    less `applied`: what the accountant applied of a reissued imported credit in the old company."""
    return (amount if active else used) - applied - given_up


def memo_action(*, active: bool, amount: int, used: int, given_up: int = 0, applied: int = 0) -> QboAction:
    """What becomes of a credit's own CreditMemo. A memo whose own credit has nothing left in it is deleted (one that
    only removed credits' money emptied stays at 0: its credit still has it); one that must total less than its
    credit's amount is reduced; else it is written as it is (a credit canceled after its uses took all of it)."""
    total = memo_total(active=active, amount=amount, used=used, applied=applied)
    if total == 0:
        return QboAction.DELETE
    return QboAction.REDUCE if total - given_up < amount - applied else QboAction.UPDATE


def linking_payment_action(*, active: bool, linked: int) -> QboAction:
    """A use's linking Payment (a Payment of 0 linking the invoice and the memos it draws on): kept while the use is
    active and links something; deleted once it is voided or reductions cut it to nothing."""
    return QboAction.UPDATE if active and linked > 0 else QboAction.DELETE


def memo_effect(action: QboAction, *, links_first: bool = False, given_up: int = 0, by: str = "") -> str:
    """The words for what happens to a memo, shared by the preview (`effect`) and the history line."""
    if action is QboAction.DELETE:
        return f"deleted{' after the linking Payments' if links_first else ''} ({NO_VOID})"
    if action is QboAction.REDUCE and given_up:
        return f"reduced by {format_cents(given_up)}: what {by} kept in it leaves"
    if action is QboAction.REDUCE:
        return "reduced so RemainingCredit is 0 (its uses stay)"
    return "unchanged: its uses link all of it"


def history_note(memo_qbo_id: str | None, action: QboAction, *, links_first: bool) -> str:
    """The QBO words of a canceled or deleted credit's history line: the same rule, with its memo's id (None: an
    adjustment credit, whose money other credits' memos keep)."""
    links = "linking Payments deleted first, then " if links_first else ""
    if memo_qbo_id is None:
        return f"in QuickBooks: {links}the CreditMemo keeping its money reduced by what it had not spent"
    return f"in QuickBooks: {links}CreditMemo {memo_qbo_id} {memo_effect(action)}"
