"""Sales orders, invoices and payments."""
from __future__ import annotations

from chalice import Blueprint

from .. import observability
from ..domain.allocation import ChosenCredit
from ..domain.invoices import Charge, Line
from ..domain.money import parse_cents
from ..domain.payments import Tender, TenderMethod
from ..services import payments, sales
from . import presenters, schemas
from .routing import Call, endpoint

bp = Blueprint(__name__)


def _lines(items: list[schemas.LineIn] | None) -> list[Line] | None:
    if items is None:
        return None
    return [Line(i.description, i.quantity, parse_cents(i.unit_price)) for i in items]


def _charges(items: list[schemas.ChargeIn] | None) -> list[Charge] | None:
    if items is None:
        return None
    return [Charge(i.description, parse_cents(i.amount)) for i in items]


@endpoint(bp, "/sales-orders", "POST", summary="Create a sales order and its invoice", body=schemas.CreateSalesOrder,
          response=schemas.SalesOrderOut, status=201)
def create_sales_order(call: Call):
    view = sales.create_sales_order(call.principal, customer_id=call.body.customer_id,
                                    lines=_lines(call.body.lines), charges=_charges(call.body.charges))
    return presenters.sales_order(view.sales_order, view.invoice)


@endpoint(bp, "/sales-orders/{sales_order_id}", "PATCH", summary="Change the customer (guarded)",
          body=schemas.ChangeCustomer, response=schemas.SalesOrderOut)
def change_customer(call: Call):
    view = sales.change_customer(call.principal, call.params["sales_order_id"], call.body.customer_id)
    return presenters.sales_order(view.sales_order, view.invoice)


@endpoint(bp, "/sales-orders/{sales_order_id}", "DELETE",
          summary="Delete the order: voids its payments and deletes the credits it generated",
          response=schemas.SalesOrderOut)
def delete_sales_order(call: Call):
    view = sales.delete_sales_order(call.principal, call.params["sales_order_id"])
    return presenters.sales_order(view.sales_order, view.invoice)


@endpoint(bp, "/invoices/{invoice_id}", "GET", summary="Invoice with payments and allocation breakdown",
          response=schemas.InvoiceOut)
def get_invoice(call: Call):
    view = sales.get_invoice(call.principal, call.params["invoice_id"])
    return presenters.invoice(view.invoice, view.payments, call.principal)


@endpoint(bp, "/invoices/{invoice_id}", "PATCH", summary="Edit lines/charges; overpaid amounts become a credit",
          body=schemas.EditInvoice, response=schemas.InvoiceOut)
def edit_invoice(call: Call):
    view = sales.edit_invoice(call.principal, call.params["invoice_id"], lines=_lines(call.body.lines),
                              charges=_charges(call.body.charges))
    return presenters.invoice(view.invoice, view.payments, call.principal)


@endpoint(bp, "/invoices/{invoice_id}/payments", "POST", summary="Receive a payment: tenders and credits",
          body=schemas.ReceivePayment, response=schemas.PaymentOut, status=201)
def receive_payment(call: Call):
    body = call.body
    credits = body.credits
    if isinstance(credits, list):
        credits = [ChosenCredit(c.credit_id, None if c.amount is None else parse_cents(c.amount, allow_zero=False))
                   for c in credits]
    result = payments.receive_payment(
        call.principal, call.params["invoice_id"], credits=credits, payment_number=body.payment_number,
        tenders=[Tender(TenderMethod(t.method), parse_cents(t.amount, allow_zero=False)) for t in body.tenders])
    uses = [use.amount for use in result.payment.credit_uses if use.voided_at is None]
    observability.record_payment(credit_uses=len(uses), credit_cents=sum(uses))
    return presenters.payment(result.payment, call.principal, result.invoice)


@endpoint(bp, "/payments/{payment_id}/void", "POST", summary="Void a payment's tenders and credit uses",
          response=schemas.PaymentOut)
def void_payment(call: Call):
    result = payments.void_payment(call.principal, call.params["payment_id"])
    return presenters.payment(result.payment, call.principal, result.invoice)
