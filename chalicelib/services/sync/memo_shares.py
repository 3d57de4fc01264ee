"""The adjustment credits whose money another credit's CreditMemo keeps (DESIGN §5 money location), and what that
memo gives up once they are canceled or deleted: the push, the mass re-sync and the judge of our memo's echo all
write or expect the same total."""
from __future__ import annotations

from ...domain import locations
from ...domain.credits import Credit, CreditStatus
from ...domain.locations import Cut, LocationKind
from ...store.ledger import Ledger


def sources(credit: Credit) -> set[tuple[LocationKind, str]]:
    """The QBO sources an adjustment credit keeps money in, or sent money back into with its standing cuts."""
    return {loc.key for loc in credit.locations} | {Cut.from_dict(c).back_to for c in credit.cuts}


def memo_given_up(book: Ledger, credit: Credit) -> int:
    """Cents this credit's memo no longer holds for removed adjustment credits (`locations.given_up`): the memo's
    total is its credit's less this, wherever the memo is written (a push, a mass re-sync's create) or judged (its
    echo read back)."""
    return given_up_for(credit, memo_sharers(book, credit))


def given_up_for(credit: Credit, sharers: list[Credit]) -> int:
    """`memo_given_up` for sharers already read (the push reads them once for two uses)."""
    return locations.given_up((LocationKind.MEMO, credit.id), [
        (c.status is CreditStatus.ACTIVE, c.locations, c.drawn, [Cut.from_dict(x) for x in c.cuts]) for c in sharers])


def memo_sharers(book: Ledger, credit: Credit) -> list[Credit]:
    """The adjustment credits whose value this credit's memo keeps: those of invoices whose reduction cut a use
    drawn from the memo (the freed money went back into it), and so on for their own uses in turn."""
    return source_sharers(book, credit, {(LocationKind.MEMO, credit.id)})


def source_sharers(book: Ledger, credit: Credit, here: set[tuple[LocationKind, str]]) -> list[Credit]:
    """The adjustment credits that keep money in the credit's own QBO source (named by any key in `here`), found
    as `memo_sharers` finds a memo's."""
    if not credit.use_count:
        return []
    walked, sharers = [credit.id], []
    for holder_id in walked:  # grows while it is walked
        uses = [use for use in book.uses.of_credit(holder_id) if any(part.key in here for part in use.parts)]
        book.load(*(book.invoices.key(i) for i in {use.invoice_id for use in uses}))
        adjustments = [c for use in uses for c in book.invoices.get(use.invoice_id).adjustment_credit_ids]
        book.load(*(book.credits.key(c) for c in set(adjustments)))
        for adjustment in (book.credits.get(c) for c in dict.fromkeys(adjustments) if c not in walked):
            if here & sources(adjustment):
                walked.append(adjustment.id)
                sharers.append(adjustment)
    return sharers
