"""A customer's available credit and outstanding balance are sums the domain makes over its own objects."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.credits import Credit, CreditSource, CreditStatus
from chalicelib.domain.customers import CreditSummary, available_credit, outstanding_balance
from chalicelib.domain.invoices import Charge, Invoice

cents = st.integers(min_value=1, max_value=10_000_000)


@st.composite
def credits(draw) -> Credit:
    amount = draw(cents)
    return Credit(id="c", number="C-1", customer_id="cu", source=CreditSource.MANUAL, amount=amount,
                  created_at="t", status=draw(st.sampled_from(list(CreditStatus))),
                  uses_total=draw(st.integers(0, amount)))


@st.composite
def invoices(draw) -> Invoice:
    total = draw(cents)
    return Invoice(id="i", number="I-1", sales_order_id="so", customer_id="cu", lines=[],
                   charges=[Charge("goods", total)], created_at="t", paid=draw(st.integers(0, total)),
                   deleted=draw(st.booleans()))


@given(st.lists(credits(), max_size=8))
def test_available_credit_is_what_active_credits_have_left(values):
    expected = sum(c.amount - c.used for c in values if c.status is CreditStatus.ACTIVE)
    assert available_credit(values) == expected


@given(st.lists(invoices(), max_size=8))
def test_outstanding_balance_is_what_invoices_still_owe_unless_their_order_was_deleted(values):
    assert outstanding_balance(values) == sum(i.total - i.paid for i in values if not i.deleted)


def test_a_canceled_credit_and_a_deleted_invoice_count_for_nothing():
    canceled = Credit(id="c", number="C-1", customer_id="cu", source=CreditSource.MANUAL, amount=500,
                      created_at="t", status=CreditStatus.CANCELED)
    deleted = Invoice(id="i", number="I-1", sales_order_id="so", customer_id="cu", lines=[],
                      charges=[Charge("goods", 700)], created_at="t", deleted=True)
    assert available_credit([canceled]) == 0 and outstanding_balance([deleted]) == 0
    assert available_credit([]) == 0 and outstanding_balance([]) == 0


@given(st.integers(0, 10**9), st.one_of(st.none(), st.integers(0, 10**9)))
def test_the_warning_is_on_only_above_a_threshold_that_is_set(balance, threshold):
    summary = CreditSummary("cu", 0, balance, threshold)
    assert summary.warning is (threshold is not None and balance > threshold)
