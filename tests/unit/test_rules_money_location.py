"""Money is never counted twice over any sequence of pay / reduce / void / cancel / delete (DESIGN §5 money
location, issue 9), and the sync's planner writes QuickBooks books that match (issue 22): the checks are
tests/unit/money_model.py's, after every move.
"""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.credits import (
    CancelMode,
    CreditInUse,
    CreditSource,
    CreditStatus,
)
from chalicelib.domain.errors import DomainError
from chalicelib.domain.locations import Cut, held

from .money_model import Book, check, invoice

moves = st.lists(st.tuples(st.sampled_from(["pay", "pay", "reduce", "void", "cancel", "delete"]), st.integers(0, 99),
                           st.integers(0, 90_00), st.integers(0, 99)), max_size=30)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.integers(1, 60_00), min_size=1, max_size=3), st.lists(st.integers(1, 80_00), min_size=1,
                                                                         max_size=3), moves)
def test_pay_reduce_void_cancel_never_counts_money_twice(manual, totals, script):
    book = Book([invoice(n, total) for n, total in enumerate(totals)])
    for amount in manual:
        book.issue(CreditSource.MANUAL, amount)
    for move, pick, amount, other in script:
        saved = copy.deepcopy(book)
        try:
            if move == "pay":
                credits = list(book.credits.values())
                credit = credits[other % len(credits)] if other % 3 else None
                book.pay(book.invoices[pick % len(book.invoices)], amount % 50_00, credit)
            elif move == "reduce":
                book.reduce(book.invoices[pick % len(book.invoices)], amount)
            elif move in ("cancel", "delete"):
                credits = list(book.credits.values())
                credit = credits[pick % len(credits)]
                if move == "delete":
                    book.delete(credit)
                else:
                    book.cancel(credit, CancelMode.REVERT if other % 2 else CancelMode.BALANCE_ONLY)
            elif book.payments:
                book.void(book.payments[pick % len(book.payments)])
        except DomainError:
            book = saved  # refused: the use case's transaction would not commit
        check(book, sum(manual))


def test_a_bounced_check_that_funded_an_adjustment_credit_takes_it_back():
    """The case the workload could not run: 60 + 40 paid, reduced to 70, the 40 voided."""
    book = Book([invoice(1, 100_00)])
    book.pay(book.invoices[0], 60_00, None)
    book.pay(book.invoices[0], 40_00, None)
    book.reduce(book.invoices[0], 70_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.void(book.payments[1])
    assert (book.invoices[0].paid, book.invoices[0].balance, book.invoices[0].adjusted_to_credit) == (60_00, 10_00, 0)
    assert adjustment.status is CreditStatus.VOIDED and adjustment.remaining == 0 and adjustment.cuts == []
    check(book, 0)


def test_a_partly_cut_adjustment_credit_shrinks_to_what_remains_elsewhere():
    book = Book([invoice(1, 100_00)])
    book.pay(book.invoices[0], 60_00, None)
    book.pay(book.invoices[0], 40_00, None)
    book.reduce(book.invoices[0], 50_00)  # cuts all 40 of the second payment and 10 of the first
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.void(book.payments[1])
    assert (adjustment.status, adjustment.amount, adjustment.remaining) == (CreditStatus.ACTIVE, 10_00, 10_00)
    assert [loc.as_dict() for loc in adjustment.locations] == [{"kind": "unapplied", "owner_id": book.payments[0].id,
                                                                "amount": 10_00}]
    assert adjustment.events[-1].details["amount"] == {"from": 50_00, "to": 10_00}
    assert book.invoices[0].balance == 0
    check(book, 0)


def test_one_void_gives_back_all_its_cut_links_at_once_and_the_voided_credit_keeps_its_amount():
    """A payment of tender and credit use, both cut by one reduction: its void empties the adjustment credit in one
    step, so it is voided holding all it had (as a canceled or an overpayment credit keeps its amount), not first
    shrunk by the tender's share and then voided holding only the use's, an amount that hung on the links' order."""
    book = Book([invoice(1, 100_00)])
    manual = book.issue(CreditSource.MANUAL, 30_00)
    book.pay(book.invoices[0], 70_00, manual)  # links: the tender's 70, then the use's 30
    book.reduce(book.invoices[0], 10_00)  # cuts all 30 of the use, then 60 of the tender
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    assert sorted(Cut.from_dict(c).amount for c in adjustment.cuts) == [30_00, 60_00]
    book.void(book.payments[0])
    assert (adjustment.status, adjustment.amount, adjustment.remaining) == (CreditStatus.VOIDED, 90_00, 0)
    assert [(e.kind, e.amount) for e in adjustment.events] == [("created", 90_00), ("voided", 90_00)]
    assert adjustment.cuts == [] and held(adjustment.locations, adjustment.drawn) == {}
    assert (book.invoices[0].paid, book.invoices[0].adjusted_to_credit, manual.remaining) == (0, 0, 30_00)
    check(book, 30_00)


def test_the_void_is_refused_while_the_adjustment_credit_pays_anotherinvoice():
    book = Book([invoice(1, 100_00), invoice(2, 30_00)])
    book.pay(book.invoices[0], 100_00, None)
    book.reduce(book.invoices[0], 80_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.pay(book.invoices[1], 0, adjustment)
    use = next(iter(book.uses.values()))
    try:
        book.void(book.payments[0])
    except CreditInUse as refused:
        assert refused.details["credit_id"] == adjustment.id
    else:
        raise AssertionError("the void went through while the adjustment credit it funded pays another invoice")
    assert use.active


def test_a_canceled_adjustment_credit_kept_in_a_memo_leaves_it_and_a_later_void_does_not_bring_it_back():
    """50 of credit pays 40; the invoice is reduced to 30, so the memo regains the adjustment credit's 10. Canceling
    that credit removes the 10 from the memo (its total drops to 40); voiding the use afterwards gives the credit
    back only the 30 the invoice kept: the 10 stays canceled (forfeit), in the ledger as in QBO."""
    book = Book([invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.reduce(book.invoices[0], 30_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    assert book.memo_total(manual) == 50_00
    book.cancel(adjustment, CancelMode.BALANCE_ONLY)
    assert book.memo_total(manual) == 40_00 and manual.remaining == 10_00
    check(book, 50_00)
    book.void(book.payments[0])
    assert (manual.amount, manual.remaining, book.memo_total(manual)) == (40_00, 40_00, 40_00)
    assert manual.events[-1].details["amount"] == {"from": 50_00, "to": 40_00}
    assert (adjustment.status, adjustment.remaining, adjustment.cuts) == (CreditStatus.CANCELED, 0, [])
    check(book, 50_00)


def test_a_forfeit_by_an_adjustment_credit_leaves_the_memo_total_as_it_was():
    """The adjustment credit's own use is cut by a second reduction whose credit is canceled, then voided: the first
    adjustment credit forfeits the cut 4 and the memo's total does not move (the forfeit and the undone cut cancel
    out), while its RemainingCredit grows by what the voided use still linked."""
    book = Book([invoice(1, 40_00), invoice(2, 20_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.reduce(book.invoices[0], 30_00)
    first = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.pay(book.invoices[1], 14_00, first)  # all 10 of the first adjustment credit, then 10 cash (4 over)
    book.reduce(book.invoices[1], 16_00)  # cuts the use (latest link) by 4
    second = book.credits[book.invoices[1].adjustment_credit_ids[0]]
    book.cancel(second, CancelMode.REVERT)
    total = book.memo_total(manual)
    check(book, 50_00)
    book.void(book.payments[1])
    assert (first.amount, first.remaining, book.memo_total(manual)) == (6_00, 6_00, total)
    check(book, 50_00)
