"""Sales orders, invoices and payments: create, list, read, edit, pay, void, delete."""
from __future__ import annotations

from chalice import Blueprint

from .. import observability
from ..domain.allocation import ChosenCredit
from ..domain.invoices import Charge, Line
from ..domain.money import parse_cents
from ..domain.payments import Tender, TenderMethod
from ..services import payments, reads, sales
from . import presenters
from .plain_routes import by_id, listing
from .routing import Call, endpoint
from .wire.sales import (
    ChangeCustomer, ChargeIn, CreateSalesOrder, EditInvoice, InvoiceList, InvoiceListQuery, InvoiceOut, LineIn,
    PaymentList, PaymentListQuery, PaymentOut, PaymentPreviewBody, PaymentPreviewOut, ReceivePayment,
    SalesOrderOut)

bp = Blueprint(__name__)


def _lines(items: list[LineIn] | None) -> list[Line] | None:
    if items is None:
        return None
    return [Line(i.description, i.quantity, parse_cents(i.unit_price)) for i in items]


def _charges(items: list[ChargeIn] | None) -> list[Charge] | None:
    if items is None:
        return None
    return [Charge(i.description, parse_cents(i.amount)) for i in items]


@endpoint(bp, "/sales-orders", "POST", summary="Create a sales order and its invoice", body=CreateSalesOrder,
          response=SalesOrderOut, status=201)
def create_sales_order(call: Call):
    return presenters.order_view(sales.create_sales_order(
        call.principal, customer_id=call.body.customer_id, lines=_lines(call.body.lines),
        charges=_charges(call.body.charges)))


by_id(bp, "GET", "/sales-orders/{sales_order_id}", reads.get_sales_order, presenters.order_view, response=SalesOrderOut,
      summary="Read a sales order with its invoice's balance")


@endpoint(bp, "/sales-orders/{sales_order_id}", "PATCH", summary="Change the customer (guarded)",
          body=ChangeCustomer, response=SalesOrderOut)
def change_customer(call: Call):
    return presenters.order_view(
        sales.change_customer(call.principal, call.params["sales_order_id"], call.body.customer_id))


by_id(bp, "DELETE", "/sales-orders/{sales_order_id}", sales.delete_sales_order, presenters.order_view,
      response=SalesOrderOut, summary="Delete the order: voids its payments and deletes the credits it generated")
listing(bp, "/invoices", reads.list_invoices, presenters.invoice_row, query=InvoiceListQuery, response=InvoiceList,
        summary="List invoices oldest first (filters customer_id, status)")
by_id(bp, "GET", "/invoices/{invoice_id}", sales.get_invoice, presenters.invoice_view, response=InvoiceOut,
      summary="Invoice with payments and allocation breakdown")


@endpoint(bp, "/invoices/{invoice_id}", "PATCH", summary="Edit lines/charges; overpaid amounts become a credit",
          body=EditInvoice, response=InvoiceOut)
def edit_invoice(call: Call):
    view = sales.edit_invoice(call.principal, call.params["invoice_id"], lines=_lines(call.body.lines),
                              charges=_charges(call.body.charges))
    return presenters.invoice_view(view)


def _tenders(body: PaymentPreviewBody | ReceivePayment) -> list[Tender]:
    return [Tender(TenderMethod(t.method), parse_cents(t.amount, allow_zero=False)) for t in body.tenders]


def _credit_choice(body: PaymentPreviewBody | ReceivePayment):
    if isinstance(body.credits, list):
        return [ChosenCredit(c.credit_id, None if c.amount is None else parse_cents(c.amount, allow_zero=False))
                for c in body.credits]
    return body.credits


@endpoint(bp, "/invoices/{invoice_id}/payments/preview", "POST",
          summary="What receiving this payment would do now: the split and the remaining balance; commits nothing",
          body=PaymentPreviewBody, response=PaymentPreviewOut)
def preview_payment(call: Call):
    return presenters.payment_preview(payments.preview_payment(
        call.principal, call.params["invoice_id"], tenders=_tenders(call.body), credits=_credit_choice(call.body)))


@endpoint(bp, "/invoices/{invoice_id}/payments", "POST", summary="Receive a payment: tenders and credits",
          body=ReceivePayment, response=PaymentOut, status=201)
def receive_payment(call: Call):
    result = payments.receive_payment(call.principal, call.params["invoice_id"], credits=_credit_choice(call.body),
                                      payment_number=call.body.payment_number, tenders=_tenders(call.body))
    uses = [use.amount for use in result.payment.credit_uses if use.voided_at is None]
    observability.record_payment(credit_uses=len(uses), credit_cents=sum(uses))
    return presenters.payment_view(result)


listing(bp, "/payments", reads.list_payments, presenters.payment_row, query=PaymentListQuery, response=PaymentList,
        summary="List payments oldest first (filters invoice_id, customer_id, status)")
by_id(bp, "GET", "/payments/{payment_id}", reads.get_payment, presenters.payment_view, response=PaymentOut,
      summary="Read a payment with its invoice's balance")
by_id(bp, "POST", "/payments/{payment_id}/void", payments.void_payment, presenters.payment_view, response=PaymentOut,
      summary="Void a payment's tenders and credit uses")
