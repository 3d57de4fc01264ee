"""Invoice rules at their edges: derived status one cent either side, payable, reductions that issue credits."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.invoices import (
    Charge,
    CustomerLocked,
    Invoice,
    InvoiceDeleted,
    InvoiceFullyPaid,
    InvoiceStatus,
    Line,
    SalesOrder,
    check_customer_change,
)
from chalicelib.domain.money import line_total
from chalicelib.domain.sync import SyncState

T0, T1 = "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z"


def invoice(total: int = 1000, paid: int = 0, qbo_id: str | None = None, **fields) -> Invoice:
    inv = Invoice(id="I", number="INV-1", sales_order_id="S", customer_id="C", lines=[Line("x", "1", total)],
                  charges=[], created_at=T0, sync=SyncState(qbo_id=qbo_id), **fields)
    if paid:
        inv.receive(paid, now=T0)
    return inv


@pytest.mark.parametrize("quantity, unit_price, cents", [
    ("1", 1000, 1000), ("3", 250, 750), ("0.5", 1, 1), ("0.49", 1, 0), ("2.5", 3, 8), ("1.5", 3, 5), ("0", 999, 0),
    ("0.333", 300, 100), ("10", 0, 0)])
def test_line_total_rounds_half_up_to_the_cent(quantity, unit_price, cents):
    assert line_total(quantity, unit_price) == cents == Line("d", quantity, unit_price).total


def test_total_adds_lines_and_charges():
    inv = Invoice(id="I", number="1", sales_order_id="S", customer_id="C", created_at=T0,
                  lines=[Line("a", "2", 300), Line("b", "1", 50)], charges=[Charge("freight", 125), Charge("x", -25)])
    assert inv.total == 750 and inv.balance == 750


@pytest.mark.parametrize("total, paid, status", [
    (1000, 0, InvoiceStatus.UNPAID), (1000, 1, InvoiceStatus.PARTIALLY_PAID),
    (1000, 999, InvoiceStatus.PARTIALLY_PAID), (1000, 1000, InvoiceStatus.FULLY_PAID),
    (0, 0, InvoiceStatus.FULLY_PAID), (1, 0, InvoiceStatus.UNPAID), (1, 1, InvoiceStatus.FULLY_PAID)])
def test_status_one_cent_either_side(total, paid, status):
    inv = invoice(total, paid)
    assert inv.status is status and inv.balance == total - paid


def test_status_when_paid_exceeds_a_reduced_total_is_fully_paid():
    inv = invoice(1000, 600)
    inv.lines = [Line("x", "1", 500)]  # what an edit does before it moves the excess to credit
    assert inv.status is InvoiceStatus.FULLY_PAID


def test_a_deleted_invoice_is_closed_to_payments_edits_and_customer_changes():
    inv = invoice(1000)
    inv.require_open()
    inv.delete(now=T1)
    for action in (inv.require_open, inv.require_payable, lambda: inv.receive(1, now=T1),
                   lambda: inv.edit(lines=[Line("x", "1", 10)], charges=None, now=T1),
                   lambda: check_customer_change(inv, has_overpayment_credit=False, has_active_payments=False,
                                                 has_active_credit_uses=False)):
        with pytest.raises(InvoiceDeleted) as refused:
            action()
        assert refused.value.code == "invoice_deleted" and refused.value.details == {"invoice_id": "I"}
    assert inv.total == 1000 and inv.paid == 0


def test_delete_clears_what_was_paid_and_adjusted():
    inv = invoice(1000, 800)
    inv.edit(lines=[Line("x", "1", 500)], charges=None, now=T0)
    inv.adjustment_credit_ids.append("ADJ")
    inv.delete(now=T1)
    assert (inv.paid, inv.adjusted_to_credit, inv.adjustment_credit_ids, inv.deleted, inv.updated_at) == (
        0, 0, [], True, T1)


def test_payable_until_the_last_cent():
    invoice(1000, 999).require_payable()
    with pytest.raises(InvoiceFullyPaid) as refused:
        invoice(1000, 1000).require_payable()
    assert refused.value.code == "invoice_fully_paid" and refused.value.details == {"invoice_id": "I"}
    with pytest.raises(InvoiceFullyPaid):
        invoice(0).require_payable()


def test_receive_up_to_the_balance():
    inv = invoice(1000, 400)
    with pytest.raises(Conflict) as refused:
        inv.receive(601, now=T1)
    assert refused.value.details == {"balance": 600} and inv.paid == 400
    inv.receive(600, now=T1)
    assert inv.paid == 1000 and inv.balance == 0 and inv.updated_at == T1


def test_reverse_within_what_was_paid():
    inv = invoice(1000, 700)
    reversal = inv.reverse(700, now=T1)
    assert inv.paid == 0 and inv.updated_at == T1
    assert reversal.undone_adjustment_credit_ids == [] and reversal.new_excess == 0


def test_reverse_beyond_paid_undoes_the_adjustment_first():
    inv = invoice(1000, 1000)
    assert inv.edit(lines=[Line("x", "1", 600)], charges=None, now=T0) == 400
    inv.adjustment_credit_ids.append("ADJ")
    reversal = inv.reverse(700, now=T1)  # 1000 received, 400 of it moved to credit; 700 leaves
    assert reversal.undone_adjustment_credit_ids == ["ADJ"] and reversal.new_excess == 0
    assert inv.paid == 300 and inv.adjusted_to_credit == 0 and inv.adjustment_credit_ids == []


def test_reverse_beyond_paid_credits_what_still_exceeds_the_total():
    inv = invoice(1000, 1000)
    inv.edit(lines=[Line("x", "1", 100)], charges=None, now=T0)  # paid 100, adjusted 900
    inv.adjustment_credit_ids.append("ADJ")
    reversal = inv.reverse(300, now=T1)  # 700 of the original 1000 stays; 600 of it above the total
    assert reversal.undone_adjustment_credit_ids == ["ADJ"] and reversal.new_excess == 600
    assert inv.paid == 100 and inv.adjusted_to_credit == 600 and inv.adjustment_credit_ids == []


def test_edit_moves_the_excess_to_credit_and_a_second_reduction_adds_to_the_first():
    inv = invoice(1000, 1000)
    assert inv.edit(lines=[Line("x", "1", 800)], charges=None, now=T1) == 200
    assert (inv.paid, inv.adjusted_to_credit, inv.updated_at) == (800, 200, T1)
    assert inv.edit(lines=None, charges=[Charge("discount", -300)], now=T1) == 300
    assert (inv.total, inv.paid, inv.adjusted_to_credit) == (500, 500, 500)
    assert inv.edit(lines=None, charges=[], now=T1) == 0
    assert (inv.total, inv.paid, inv.adjusted_to_credit, inv.status) == (800, 500, 500, InvoiceStatus.PARTIALLY_PAID)


def test_edit_keeps_unchanged_parts_and_refuses_a_negative_total():
    inv = invoice(1000)
    inv.edit(lines=None, charges=[Charge("freight", 100)], now=T1)
    assert inv.total == 1100 and inv.lines == [Line("x", "1", 1000)]
    inv.edit(lines=[Line("y", "1", 10)], charges=None, now=T1)
    assert inv.total == 110 and inv.charges == [Charge("freight", 100)]
    with pytest.raises(InvalidInput):
        inv.edit(lines=None, charges=[Charge("discount", -11)], now=T1)
    inv.edit(lines=None, charges=[Charge("discount", -10)], now=T1)
    assert inv.total == 0 and inv.status is InvoiceStatus.FULLY_PAID


def test_reducing_an_unpaid_invoice_issues_nothing():
    inv = invoice(1000, 300)
    assert inv.edit(lines=[Line("x", "1", 300)], charges=None, now=T1) == 0
    assert inv.paid == 300 and inv.adjusted_to_credit == 0 and inv.status is InvoiceStatus.FULLY_PAID


@given(total=st.integers(0, 10_000), paid=st.integers(0, 10_000),
       totals=st.lists(st.integers(0, 10_000), min_size=1, max_size=5))
def test_successive_edits_conserve_what_was_received(total, paid, totals):
    inv = invoice(total, min(paid, total))
    received = inv.paid
    issued = 0
    for new_total in totals:
        issued += inv.edit(lines=[Line("x", "1", new_total)], charges=None, now=T1)
        assert 0 <= inv.paid <= inv.total
        assert inv.paid + inv.adjusted_to_credit == received and inv.adjusted_to_credit == issued


def test_sales_order_require_not_deleted():
    order = SalesOrder(id="S", number="SO-1", customer_id="C", invoice_id="I", created_at=T0)
    order.require_not_deleted()
    order.deleted = True
    with pytest.raises(InvoiceDeleted) as refused:
        order.require_not_deleted()
    assert refused.value.details == {"sales_order_id": "S"}


@pytest.mark.parametrize("qbo_id, overpayment, payments, uses, code", [
    (None, True, False, False, "overpayment_credit_exists"),
    ("Q1", False, True, False, "synced_invoice_has_payments"),
    (None, False, False, True, "invoice_paid_with_credits"),
    ("Q1", True, True, True, "overpayment_credit_exists"),
    ("Q1", False, True, True, "synced_invoice_has_payments"),
])
def test_customer_change_guards(qbo_id, overpayment, payments, uses, code):
    with pytest.raises(CustomerLocked) as refused:
        check_customer_change(invoice(1000, qbo_id=qbo_id), has_overpayment_credit=overpayment,
                              has_active_payments=payments, has_active_credit_uses=uses)
    assert refused.value.code == code


@pytest.mark.parametrize("qbo_id, payments", [(None, True), ("Q1", False), (None, False)])
def test_customer_change_allowed(qbo_id, payments):
    check_customer_change(invoice(1000, qbo_id=qbo_id), has_overpayment_credit=False,
                          has_active_payments=payments, has_active_credit_uses=False)


def test_reverse_of_exactly_what_is_paid_leaves_the_adjustment_alone():
    inv = invoice(1000, 1000)
    inv.edit(lines=[Line("x", "1", 600)], charges=None, now=T0)  # paid 600, 400 moved to credit
    inv.adjustment_credit_ids.append("ADJ")
    reversal = inv.reverse(600, now=T1)
    assert reversal.undone_adjustment_credit_ids == [] and reversal.new_excess == 0
    assert (inv.paid, inv.adjusted_to_credit, inv.adjustment_credit_ids) == (0, 400, ["ADJ"])
