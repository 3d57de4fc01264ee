"""A credit imported from the company a hard disconnect left becomes ours in the new one (DESIGN §5): the mass
re-sync reissues it (`chalicelib.domain.credits.Credit.reissue`) just before it creates the credit's CreditMemo there.

A credit imported from the accountant's Payment kept its value in that Payment's UnappliedAmt; reissued, it keeps it
in a memo of its own, so everything that named the Payment for it moves along: its uses' parts, and the adjustment
credits whose reductions cut one of those uses (the freed money had gone back to the Payment), their uses, and so on.
Those items change in transactions of at most `CHUNK`, each under the items' versions; the credit itself is reissued
last, in one transaction with whatever still names the Payment, so a use made meanwhile is never left behind. A step
that dies halfway is simply run again: what already moved names the memo and is left as it is.
"""
from __future__ import annotations

from ...domain.credits import Credit, CreditUse
from ...domain.locations import LocationKind
from ...domain.sync_plan import source_sharers
from ...store.ids import utc_now
from ...store.ledger import Ledger, LedgerBook
from ...store.uow import run_in_transaction

CHUNK = 90  # items moved per transaction (DynamoDB takes 100; the credit and its history line come last)
MAX_ROUNDS = 10_000


class ReissueStuck(Exception):
    """The credit's uses kept changing faster than they could be moved (never expected: each round moves some)."""


def reissue(account_id: str, credit_id: str) -> Credit:
    """Make the imported credit ours (no-op if it already is) and answer it as stored now."""
    now = utc_now()
    for _ in range(MAX_ROUNDS):
        if run_in_transaction(account_id, lambda uow: _move_some(Ledger(uow), credit_id, now)):
            return Ledger.reading(account_id).credits.get(credit_id)
    raise ReissueStuck(f"credit {credit_id} could not be reissued: its uses kept changing")


def _move_some(book: Ledger, credit_id: str, now: str) -> bool:
    """Move up to CHUNK of what still names the credit's old source; True once the credit itself is reissued."""
    credit = book.credits.get(credit_id)
    if not credit.owned_by_qbo:
        return True
    old, new = credit.own_source, (LocationKind.MEMO, credit.id)
    moving: list[Credit | CreditUse] = []
    if old != new:  # imported from the accountant's Payment (one from a CreditMemo keeps its source's name)
        holders = [credit, *source_sharers(LedgerBook(book), credit, {old, new})]
        moving += [use for holder in holders for use in book.uses.of_credit(holder.id)
                   if any(part.key == old for part in use.parts)]
        moving += [holder for holder in holders[1:] if holder.names_source(old)]
    for item in moving[:CHUNK]:
        item.move_source(old, new)
    if len(moving) > CHUNK:
        return False
    credit.reissue(now=now)
    return True
