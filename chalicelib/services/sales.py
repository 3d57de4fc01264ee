"""Sales orders and invoices: create, read, edit (credits what was overpaid), change customer, delete."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.invoices import Charge, Invoice, Line, SalesOrder, check_customer_change
from ..domain.payments import Payment
from ..domain.permissions import Permission, Principal
from ..store.ids import new_id
from ..store.ledger import Ledger, ledger_use_case
from .postings import issue_adjustment_credit, load_for_voiding, remove_with_invoice, void_payment_and_release


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    payments: list[Payment]


@dataclass(frozen=True)
class OrderView:
    sales_order: SalesOrder
    invoice: Invoice


@ledger_use_case
def create_sales_order(principal: Principal, book: Ledger, now: str, *, customer_id: str, lines: list[Line],
                       charges: list[Charge]) -> OrderView:
    principal.require(Permission.MANAGE_SALES)
    book.load(book.customers.key(customer_id))
    book.customers.get(customer_id)
    order_id, invoice_id = new_id(), new_id()
    invoice = Invoice(id=invoice_id, number=book.counters.next("invoice", "INV"), sales_order_id=order_id,
                      customer_id=customer_id, lines=lines, charges=charges, created_at=now, updated_at=now)
    invoice.edit(lines=lines, charges=charges, now=now)  # validates the total
    order = SalesOrder(id=order_id, number=book.counters.next("sales_order", "SO"), customer_id=customer_id,
                       invoice_id=invoice_id, created_at=now, updated_at=now)
    return OrderView(book.sales_orders.add(order), book.invoices.add(invoice))


def _with_payments(book: Ledger, invoice: Invoice) -> list[Payment]:
    """The invoice's payments, each (and the invoice) reading synced only when every document it sends is in QBO."""
    book.load(*(book.payments.key(p) for p in invoice.payment_ids))
    payments = [book.payments.get(p) for p in invoice.payment_ids]
    book.with_sync_documents(payments, invoice)
    return payments


def get_invoice(principal: Principal, invoice_id: str) -> InvoiceView:
    principal.require_any(Permission.MANAGE_SALES, Permission.RECEIVE_PAYMENTS)
    book = Ledger.reading(principal.account_id)
    invoice = book.invoices.get(invoice_id)
    return InvoiceView(invoice, _with_payments(book, invoice))


@ledger_use_case
def edit_invoice(principal: Principal, book: Ledger, now: str, invoice_id: str, *, lines: list[Line] | None,
                 charges: list[Charge] | None) -> InvoiceView:
    """New lines/charges; paid above the new total becomes an invoice_adjustment credit."""
    principal.require(Permission.MANAGE_SALES)
    book.load(book.invoices.key(invoice_id))
    invoice = book.invoices.get(invoice_id)
    excess = invoice.edit(lines=lines, charges=charges, now=now)
    if excess:
        issue_adjustment_credit(book, invoice, excess, now)
    return InvoiceView(invoice, _with_payments(book, invoice))


@ledger_use_case
def change_customer(principal: Principal, book: Ledger, now: str, order_id: str, customer_id: str) -> OrderView:
    principal.require(Permission.MANAGE_SALES)
    book.load(book.sales_orders.key(order_id), book.customers.key(customer_id))
    order = book.sales_orders.get(order_id)
    book.customers.get(customer_id)
    invoice = book.invoices.get(order.invoice_id)
    active = [p for p in _with_payments(book, invoice) if p.active]
    check_customer_change(invoice, has_overpayment_credit=any(p.overpayment_credit_id for p in active),
                          has_active_payments=bool(active),
                          has_active_credit_uses=any(p.credits_applied for p in active))
    order.customer_id = invoice.customer_id = customer_id
    order.updated_at = invoice.updated_at = now
    return OrderView(order, invoice)


@ledger_use_case
def delete_sales_order(principal: Principal, book: Ledger, now: str, order_id: str) -> OrderView:
    """Delete the order and its invoice: payments are voided and the credits they generated deleted with it."""
    principal.require(Permission.MANAGE_SALES)
    order = book.sales_orders.get(order_id)
    order.require_not_deleted()
    invoice = book.invoices.get(order.invoice_id)
    payments = [p for p in _with_payments(book, invoice) if p.active]
    load_for_voiding(book, invoice, payments)
    reason = f"sales order {order.number} deleted"
    for payment in payments:
        void_payment_and_release(book, payment, now)
        if payment.overpayment_credit_id:
            remove_with_invoice(book, payment.overpayment_credit_id, now, reason)
    for credit_id in invoice.adjustment_credit_ids:
        remove_with_invoice(book, credit_id, now, reason)
    invoice.delete(now=now)
    order.deleted, order.updated_at = True, now
    return OrderView(order, invoice)
