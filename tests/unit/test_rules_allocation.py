"""Allocation rules at their edges: the 30-credit limit, equal-to-balance and equal-to-remaining amounts, refusals."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.allocation import (
    MAX_CREDITS_PER_PAYMENT,
    ChosenCredit,
    CreditFromSameInvoice,
    CreditNotApplicable,
    CreditsExceedBalance,
    InsufficientCredit,
    PaymentPlan,
    check_applicable,
    plan_chosen,
    plan_fifo,
)
from chalicelib.domain.credits import CancelMode, Credit, CreditSource
from chalicelib.domain.errors import InvalidInput

SCOPE = {"invoice_id": "INV", "customer_id": "C"}


def credit(i: int, amount: int, *, origin: str | None = None, customer: str = "C") -> Credit:
    return Credit.issue(id=f"c{i:03d}", number=f"CR-{i}", customer_id=customer, source=CreditSource.MANUAL,
                        amount=amount, now=f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000000Z",
                        origin_invoice_id=origin)


def chosen(*credits: Credit, amount: int | None = None) -> list[tuple[Credit, ChosenCredit]]:
    return [(c, ChosenCredit(c.id, amount)) for c in credits]


def test_limit_is_thirty():
    assert MAX_CREDITS_PER_PAYMENT == 30


def test_fifo_stops_at_thirty_credits():
    credits = [credit(i, 1) for i in range(MAX_CREDITS_PER_PAYMENT + 5)]
    plan = plan_fifo(1000, 0, credits, **SCOPE)
    assert [c.id for c, _ in plan.credit_amounts] == [c.id for c in credits[:MAX_CREDITS_PER_PAYMENT]]
    assert plan.credits_total == MAX_CREDITS_PER_PAYMENT


def test_fifo_skips_spent_own_and_foreign_credits_and_orders_by_age_then_id():
    spent = credit(1, 100)
    spent.cancel(CancelMode.BALANCE_ONLY, now="2026-01-02T00:00:00.000000Z")
    own, foreign = credit(2, 100, origin="INV"), credit(3, 100, customer="D")
    twin_b = Credit.issue(id="b", number="CR-B", customer_id="C", source=CreditSource.MANUAL, amount=10,
                          now="2026-01-01T00:00:09.000000Z")
    twin_a = Credit.issue(id="a", number="CR-A", customer_id="C", source=CreditSource.MANUAL, amount=10,
                          now="2026-01-01T00:00:09.000000Z")
    plan = plan_fifo(15, 0, [twin_b, foreign, own, spent, twin_a], **SCOPE)
    assert [(c.id, a) for c, a in plan.credit_amounts] == [("a", 10), ("b", 5)]
    assert plan.tender_applied == plan.overpayment == 0 and plan.applied == 15


def test_fifo_takes_nothing_when_tenders_cover_the_balance():
    plan = plan_fifo(500, 500, [credit(1, 100)], **SCOPE)
    assert plan.credit_amounts == [] and plan.tender_applied == 500 and plan.overpayment == 0
    plan = plan_fifo(500, 499, [credit(1, 100)], **SCOPE)
    assert [a for _, a in plan.credit_amounts] == [1] and plan.tender_applied == 499
    plan = plan_fifo(500, 700, [credit(1, 100)], **SCOPE)
    assert plan.credit_amounts == [] and plan.tender_applied == 500 and plan.overpayment == 200


def test_chosen_accepts_thirty_and_refuses_thirty_one():
    credits = [credit(i, 1) for i in range(MAX_CREDITS_PER_PAYMENT + 1)]
    plan = plan_chosen(1000, 0, chosen(*credits[:MAX_CREDITS_PER_PAYMENT]), **SCOPE)
    assert len(plan.credit_amounts) == MAX_CREDITS_PER_PAYMENT
    with pytest.raises(InvalidInput, match="at most 30"):
        plan_chosen(1000, 0, chosen(*credits), **SCOPE)


def test_chosen_refuses_a_credit_listed_twice():
    c = credit(1, 100)
    with pytest.raises(InvalidInput, match="once"):
        plan_chosen(1000, 0, chosen(c, c), **SCOPE)


def test_chosen_amount_equal_to_balance_and_to_remaining_is_accepted():
    c = credit(1, 500)
    plan = plan_chosen(500, 0, chosen(c, amount=500), **SCOPE)
    assert plan.credit_amounts == [(c, 500)] and plan.applied == 500
    with pytest.raises(CreditsExceedBalance) as refused:
        plan_chosen(499, 0, chosen(c, amount=500), **SCOPE)
    assert refused.value.code == "credits_exceed_balance" and refused.value.details["balance"] == 499
    with pytest.raises(InsufficientCredit) as short:
        plan_chosen(1000, 0, chosen(c, amount=501), **SCOPE)
    assert short.value.code == "insufficient_credit" and short.value.details["remaining"] == 500


def test_chosen_amounts_use_up_the_room_in_order():
    first, second = credit(1, 300), credit(2, 300)
    plan = plan_chosen(500, 0, [(first, ChosenCredit(first.id, 300)), (second, ChosenCredit(second.id))], **SCOPE)
    assert [(c.id, a) for c, a in plan.credit_amounts] == [(first.id, 300), (second.id, 200)]
    with pytest.raises(CreditsExceedBalance):
        plan_chosen(500, 0, [(first, ChosenCredit(first.id, 300)), (second, ChosenCredit(second.id, 201))],
                    **SCOPE)
    plan = plan_chosen(500, 0, [(first, ChosenCredit(first.id, 300)), (second, ChosenCredit(second.id, 200))],
                       **SCOPE)
    assert plan.credits_total == 500


def test_chosen_zero_amount_or_full_balance_adds_no_use():
    first, second = credit(1, 500), credit(2, 500)
    plan = plan_chosen(500, 0, chosen(first, second), **SCOPE)
    assert plan.credit_amounts == [(first, 500)]
    plan = plan_chosen(500, 0, chosen(first, amount=0), **SCOPE)
    assert plan.credit_amounts == [] and plan.applied == 0


def test_chosen_tenders_pay_what_credits_leave_and_the_rest_is_overpayment():
    c = credit(1, 300)
    plan = plan_chosen(500, 400, chosen(c), **SCOPE)
    assert (plan.credits_total, plan.tender_total, plan.tender_applied, plan.overpayment) == (300, 400, 200, 200)
    assert plan.applied == 500


def test_check_applicable_names_each_refusal():
    with pytest.raises(CreditFromSameInvoice) as same:
        check_applicable(credit(1, 100, origin="INV", customer="D"), **SCOPE)
    assert same.value.code == "credit_from_same_invoice" and same.value.details == {"credit_id": "c001"}
    with pytest.raises(CreditNotApplicable) as foreign:
        check_applicable(credit(2, 100, customer="D"), **SCOPE)
    assert foreign.value.details == {"credit_id": "c002"}
    spent = credit(3, 100)
    spent.apply(use_id="u", payment_id="p", invoice_id="X", amount=100, now="2026-01-02T00:00:00.000000Z")
    with pytest.raises(CreditNotApplicable) as empty:
        check_applicable(spent, **SCOPE)
    assert empty.value.details == {"credit_id": "c003", "status": "active"}
    check_applicable(credit(4, 1), **SCOPE)
    check_applicable(credit(5, 1, origin="OTHER"), **SCOPE)


def test_chosen_refuses_own_foreign_and_spent_credits():
    with pytest.raises(CreditFromSameInvoice):
        plan_chosen(1000, 0, chosen(credit(1, 100, origin="INV")), **SCOPE)
    with pytest.raises(CreditNotApplicable):
        plan_chosen(1000, 0, chosen(credit(1, 100, customer="D")), **SCOPE)


@pytest.mark.parametrize("credits_total, tender_applied", [(0, 1), (1, 0), (2, 3)])
def test_a_plan_that_brings_something_passes(credits_total, tender_applied):
    c = credit(1, 1000)
    plan = PaymentPlan([(c, credits_total)] if credits_total else [], tender_applied, tender_applied, 0)
    assert plan.credits_total == credits_total and plan.applied == credits_total + tender_applied
    plan.require_something()


def test_an_empty_plan_is_refused():
    with pytest.raises(InvalidInput, match="brings nothing"):
        PaymentPlan([], 0, 0, 0).require_something()
    with pytest.raises(InvalidInput):
        plan_fifo(500, 0, [], **SCOPE).require_something()


@given(balance=st.integers(1, 50_000), tenders=st.integers(0, 60_000),
       specs=st.lists(st.tuples(st.integers(1, 10_000), st.one_of(st.none(), st.integers(0, 10_000))),
                      min_size=1, max_size=6))
def test_chosen_plan_never_exceeds_balance_or_credit(balance, tenders, specs):
    credits = [credit(i, amount) for i, (amount, _) in enumerate(specs)]
    pairs = [(c, ChosenCredit(c.id, want)) for c, (_, want) in zip(credits, specs)]
    try:
        plan = plan_chosen(balance, tenders, pairs, **SCOPE)
    except InsufficientCredit:
        assert any(want is not None and want > amount for amount, want in specs)
        return
    except CreditsExceedBalance:
        return
    assert plan.credits_total <= balance
    assert all(0 < a <= c.remaining for c, a in plan.credit_amounts)
    assert plan.tender_applied == min(tenders, balance - plan.credits_total)
    assert plan.tender_applied + plan.overpayment == tenders
    room = balance
    for (c, want), (amount, _) in zip(pairs, specs):
        expected = min(amount, room) if want.amount is None else want.amount
        if expected:
            assert (c, expected) in plan.credit_amounts
        room -= expected
