"""Allocation rules as pure functions: FIFO order, never past the balance, never a credit's own invoice."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.allocation import (
    ChosenCredit,
    CreditFromSameInvoice,
    CreditsExceedBalance,
    InsufficientCredit,
    plan_chosen,
    plan_fifo,
)
from chalicelib.domain.credits import Credit, CreditSource
from chalicelib.domain.invoices import Invoice, Line

NOW = "2026-01-01T00:00:00.000000Z"


def make_credit(i, amount, origin=None, customer="C"):
    return Credit.issue(id=f"c{i:03d}", number=f"CR-{i}", customer_id=customer, source=CreditSource.MANUAL,
                        amount=amount, now=f"2026-01-01T00:00:{i:02d}.000000Z", origin_invoice_id=origin)


credit_lists = st.lists(st.tuples(st.integers(1, 10_000), st.booleans(), st.booleans()), max_size=8)


@given(balance=st.integers(1, 50_000), tenders=st.integers(0, 60_000), specs=credit_lists)
def test_fifo_plan(balance, tenders, specs):
    credits = [make_credit(i, amount, origin="INV" if own else None, customer="C" if mine else "D")
               for i, (amount, own, mine) in enumerate(specs)]
    plan = plan_fifo(balance, tenders, list(reversed(credits)), invoice_id="INV", customer_id="C")
    used = [c for c, _ in plan.credit_amounts]
    eligible = [c for c in credits if c.origin_invoice_id != "INV" and c.customer_id == "C"]
    assert used == eligible[:len(used)]  # oldest first, skipping the invoice's own and other customers' credits
    assert all(0 < a <= c.remaining for c, a in plan.credit_amounts)
    assert all(a == c.remaining for c, a in plan.credit_amounts[:-1])  # only the last credit is split
    assert plan.applied <= balance and plan.credits_total == min(max(0, balance - tenders),
                                                                 sum(c.remaining for c in eligible))
    assert plan.tender_applied + plan.overpayment == tenders
    if plan.overpayment:
        assert plan.applied == balance and plan.credits_total == 0


@given(balance=st.integers(1, 50_000), tenders=st.integers(0, 60_000),
       amounts=st.lists(st.integers(1, 10_000), min_size=1, max_size=5))
def test_chosen_without_amounts_fills_up_to_the_balance(balance, tenders, amounts):
    credits = [make_credit(i, a) for i, a in enumerate(amounts)]
    plan = plan_chosen(balance, tenders, [(c, ChosenCredit(c.id)) for c in credits], invoice_id="INV",
                       customer_id="C")
    assert plan.credits_total == min(balance, sum(amounts))
    assert plan.applied == min(balance, plan.credits_total + tenders)
    assert plan.tender_applied + plan.overpayment == tenders


def test_chosen_refusals():
    own, other = make_credit(1, 500, origin="INV"), make_credit(2, 500)
    with pytest.raises(CreditFromSameInvoice):
        plan_chosen(1000, 0, [(own, ChosenCredit(own.id))], invoice_id="INV", customer_id="C")
    with pytest.raises(InsufficientCredit):
        plan_chosen(1000, 0, [(other, ChosenCredit(other.id, 501))], invoice_id="INV", customer_id="C")
    with pytest.raises(CreditsExceedBalance):
        plan_chosen(400, 0, [(other, ChosenCredit(other.id, 450))], invoice_id="INV", customer_id="C")


@given(total=st.integers(0, 100_000), paid=st.integers(0, 100_000), new_total=st.integers(0, 100_000),
       reverse=st.integers(0, 100_000))
def test_invoice_edit_and_reverse_keep_paid_within_total(total, paid, new_total, reverse):
    """Reducing below paid moves the excess to credit; taking money back never leaves paid outside [0, total]."""
    invoice = Invoice(id="I", number="INV-1", sales_order_id="S", customer_id="C", lines=[Line("x", "1", total)],
                      charges=[], created_at=NOW)
    invoice.receive(min(paid, total), now=NOW)
    contributed = invoice.paid
    excess = invoice.edit(lines=[Line("x", "1", new_total)], charges=None, now=NOW)
    assert excess == max(0, contributed - new_total) == invoice.adjusted_to_credit
    assert 0 <= invoice.paid <= invoice.total and invoice.paid + invoice.adjusted_to_credit == contributed
    if excess:
        invoice.adjustment_credit_ids.append("ADJ")  # what the use case does when it issues the credit
    taken = min(reverse, contributed)
    reversal = invoice.reverse(taken, now=NOW)
    assert 0 <= invoice.paid <= invoice.total
    assert invoice.paid + invoice.adjusted_to_credit == contributed - taken
    assert invoice.adjusted_to_credit == (reversal.new_excess if reversal.undone_adjustment_credit_ids else excess)
