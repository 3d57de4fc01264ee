"""Pure domain rules of credits and money."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.credits import Credit, CreditSource, CreditStatus
from chalicelib.domain.errors import CreditAlreadyUsed, CreditBelowUsed, OverpaymentCreditImmutable
from chalicelib.domain.money import MAX_CENTS, InvalidAmount, format_cents, parse_cents

NOW = "2026-01-01T00:00:00.000000Z"


def _credit(amount=1000, used=0, source=CreditSource.MANUAL):
    credit = Credit.issue(id="c1", number="CR-1001", customer_id="cu", source=source, amount=amount, now=NOW)
    if used:
        credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=used, now=NOW)
    return credit


@given(st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS))
def test_cents_round_trip(cents):
    assert parse_cents(format_cents(cents), allow_negative=True) == cents


@pytest.mark.parametrize("text", ["1.001", "-1.00", "1e3", "abc", "", "1,00", "1000000000.01", " ", "0x10", "NaN"])
def test_bad_amounts(text):
    with pytest.raises(InvalidAmount):
        parse_cents(text)


def test_amount_never_below_used():
    credit = _credit(amount=1000, used=600)
    with pytest.raises(CreditBelowUsed):
        credit.edit(now=NOW, amount=599)
    credit.edit(now=NOW, amount=600)
    assert credit.remaining == 0


@given(st.integers(1, 10**6), st.integers(0, 10**6), st.integers(1, 10**6))
def test_edit_keeps_remaining_consistent(amount, used, new_amount):
    credit = _credit(amount=amount, used=min(used, amount))
    try:
        credit.edit(now=NOW, amount=new_amount)
    except CreditBelowUsed:
        assert new_amount < credit.used
    assert 0 <= credit.used <= credit.amount and credit.remaining == credit.amount - credit.used


def test_used_credit_cannot_be_deleted():
    with pytest.raises(CreditAlreadyUsed):
        _credit(used=1).soft_delete(now=NOW)
    credit = _credit()
    credit.soft_delete(now=NOW)
    assert credit.status is CreditStatus.DELETED and credit.remaining == 0


def test_overpayment_credit_is_immutable():
    credit = _credit(source=CreditSource.OVERPAYMENT)
    for action in (lambda: credit.edit(now=NOW, amount=5), lambda: credit.soft_delete(now=NOW)):
        with pytest.raises(OverpaymentCreditImmutable):
            action()


def test_an_imported_credit_is_neither_deleted_nor_canceled_here():
    """DESIGN §7: its memo is the accountant's and is never pushed, so removing its money here would leave QBO apart."""
    from chalicelib.domain.credits import CreditOwnedByQbo

    credit = _credit(source=CreditSource.QBO)
    _assert_never_removed(credit, CreditOwnedByQbo)
    credit.edit(now=NOW, internal_note="checked")  # notes stay ours to keep


def test_an_adjustment_credit_kept_on_a_payment_is_neither_deleted_nor_canceled():
    """Its value is a Payment's UnappliedAmt in QBO: removing it here cannot reach QBO (soak seed 3)."""
    from chalicelib.domain.credits import CreditHeldByPayment
    from chalicelib.domain.locations import unapplied

    credit = _credit(source=CreditSource.INVOICE_ADJUSTMENT)
    credit.locations = [unapplied("p1", 1000)]
    _assert_never_removed(credit, CreditHeldByPayment)


def _assert_never_removed(credit, refusal: type[Exception]) -> None:
    """Neither a soft delete nor a cancel of either mode goes through, and the credit keeps its money."""
    from chalicelib.domain.credits import CancelMode

    with pytest.raises(refusal):
        credit.soft_delete(now=NOW)
    for mode in CancelMode:
        with pytest.raises(refusal):
            credit.cancel(mode, now=NOW)
    assert (credit.status, credit.remaining) == (CreditStatus.ACTIVE, 1000)


# ----- forfeit: a voided use's credit gives back only what its invoice kept -----------------------------------------

def _forfeit_cut(amount: int):
    from chalicelib.domain.locations import Cut, LocationKind

    return Cut(("use", "u1"), (LocationKind.MEMO, "c1"), amount)


def test_a_forfeit_shrinks_the_credit_by_the_cut_share_in_amount_and_in_its_memo():
    from chalicelib.domain.locations import memo

    credit = _credit(amount=1000)
    credit.locations = [memo("c1", 1000)]
    credit.forfeit(_forfeit_cut(1), now=NOW, reason="payment voided")
    assert (credit.amount, credit.status) == (999, CreditStatus.ACTIVE)
    assert [(loc.owner_id, loc.amount) for loc in credit.locations] == [("c1", 999)]
    event = credit.events[-1]
    assert (event.kind, event.amount, event.details["amount"]) == ("edited", 999, {"from": 1000, "to": 999})


def test_a_zero_forfeit_changes_nothing():
    credit = _credit(amount=1000)
    events = len(credit.events)
    credit.forfeit(_forfeit_cut(0), now=NOW, reason="payment voided")
    assert (credit.amount, credit.status, len(credit.events)) == (1000, CreditStatus.ACTIVE, events)


def test_a_forfeit_of_the_whole_credit_voids_it_keeping_its_amount():
    credit = _credit(amount=1000)
    credit.forfeit(_forfeit_cut(1000), now=NOW, reason="payment voided")
    assert (credit.amount, credit.status) == (1000, CreditStatus.VOIDED)
    assert (credit.events[-1].kind, credit.events[-1].details) == ("voided", {"reason": "payment voided"})


def test_a_forfeit_leaves_a_credit_already_canceled_as_it_is():
    from chalicelib.domain.credits import CancelMode

    credit = _credit(amount=1000)
    credit.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    events = len(credit.events)
    credit.forfeit(_forfeit_cut(1000), now=NOW, reason="payment voided")
    assert (credit.status, len(credit.events)) == (CreditStatus.CANCELED, events)


def test_removed_cuts_are_the_canceled_adjustment_credits_cuts_of_the_voided_uses_only():
    from chalicelib.domain.credits import CancelMode
    from chalicelib.domain.locations import Cut, LocationKind

    credit = _credit(amount=900, source=CreditSource.INVOICE_ADJUSTMENT)
    cuts = [Cut(("use", "u1"), (LocationKind.MEMO, "m1"), 300), Cut(("payment", "p1"), (LocationKind.UNAPPLIED, "p1"),
                                                                      300),
            Cut(("use", "u2"), (LocationKind.MEMO, "m1"), 300)]
    credit.cuts = [c.as_dict() for c in cuts]
    voided = [("use", "u1"), ("payment", "p1")]
    assert credit.removed_cuts(voided) == []  # still active: its money is still the customer's
    credit.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    assert credit.removed_cuts(voided) == [cuts[0]]


def test_an_adjustment_credit_kept_in_an_imported_credits_memo_is_not_removed_here():
    from chalicelib.domain.credits import CancelMode, CreditOwnedByQbo
    from chalicelib.domain.locations import memo, unapplied

    credit = _credit(source=CreditSource.INVOICE_ADJUSTMENT)
    credit.locations = [memo("imported", 1000)]
    with pytest.raises(CreditOwnedByQbo) as refused:
        credit.cancel(CancelMode.BALANCE_ONLY, now=NOW, imported_memos=["imported"])
    assert refused.value.details["memo_credit_ids"] == ["imported"]
    assert credit.status is CreditStatus.ACTIVE
    ours = _credit(source=CreditSource.INVOICE_ADJUSTMENT)
    ours.locations = [memo("ours", 1000), unapplied("imported", 0)]  # an owner id that is no imported memo of it
    ours.cancel(CancelMode.BALANCE_ONLY, now=NOW, imported_memos=["imported"])
    assert ours.status is CreditStatus.CANCELED


def test_giving_back_part_of_its_cuts_shrinks_an_adjustment_credit_and_its_history_says_to_what():
    from chalicelib.domain.locations import Cut, LocationKind, unapplied

    credit = _credit(amount=900, source=CreditSource.INVOICE_ADJUSTMENT)
    credit.locations = [unapplied("p1", 300), unapplied("p2", 600)]
    credit.cuts = [Cut(("payment", "p1"), (LocationKind.UNAPPLIED, "p1"), 300).as_dict(),
                   Cut(("payment", "p2"), (LocationKind.UNAPPLIED, "p2"), 600).as_dict()]
    assert credit.give_back_cut([("payment", "p1")], now=NOW, reason="payment voided") == 300
    assert (credit.amount, credit.remaining, credit.status) == (600, 600, CreditStatus.ACTIVE)
    event = credit.events[-1]
    assert (event.kind, event.amount, event.details["amount"]) == ("edited", 600, {"from": 900, "to": 600})
