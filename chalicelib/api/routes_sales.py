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
    ChangeCustomer,
    ChargeIn,
    CreateSalesOrder,
    EditInvoice,
    InvoiceList,
    InvoiceListQuery,
    InvoiceOut,
    LineIn,
    PaymentList,
    PaymentListQuery,
    PaymentOut,
    PaymentPreviewBody,
    PaymentPreviewOut,
    ReceivePayment,
    SalesOrderOut,
)

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
          response=SalesOrderOut, status=201,
          description=("Creates a sales order with its lines and charges, and its invoice (unpaid).\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `404 not_found` for an unknown customer; `400 invalid_amount` / `400 "
                       "amount_too_large` (the total too); `403 forbidden`; the common errors in the introduction."),
          example={"customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "lines": [{"description": "Sparkling water, case",
                   "quantity": "12", "unit_price": "8.50"}], "charges": [{"description": "Delivery",
                   "amount": "15.00"}]})
def create_sales_order(call: Call):
    return presenters.order_view(sales.create_sales_order(
        call.principal, customer_id=call.body.customer_id, lines=_lines(call.body.lines),
        charges=_charges(call.body.charges)))


by_id(bp, "GET", "/sales-orders/{sales_order_id}", reads.get_sales_order, presenters.order_view, response=SalesOrderOut,
      summary="Read a sales order with its invoice's balance",
      description=("A sales order with its invoice's total, paid, balance and status.\n\n"
                   "**Who:** `manage_sales` or `receive_payments`.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"id": "01JF3QSO0000000000000000000", "number": "SO-1001",
               "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0",
               "deleted": False, "created_at": "2026-11-26T13:20:01.123456Z",
               "invoice": {"id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "total": "117.00", "paid": "0.00",
               "balance": "117.00", "status": "unpaid"}})


@endpoint(bp, "/sales-orders/{sales_order_id}", "PATCH", summary="Change the customer (guarded)",
          body=ChangeCustomer, response=SalesOrderOut,
          description=("Moves the order and its invoice to another customer. Refused while an overpayment credit "
                       "exists on the invoice, while credits pay it, or (QuickBooks) while the synced invoice has "
                       "payments: void them first.\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `409 overpayment_credit_exists`; `409 invoice_paid_with_credits`; `409 "
                       "synced_invoice_has_payments`; `404 not_found`; `403 forbidden`; the common errors in the "
                       "introduction."),
          example={"customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M"})
def change_customer(call: Call):
    return presenters.order_view(
        sales.change_customer(call.principal, call.params["sales_order_id"], call.body.customer_id))


by_id(bp, "DELETE", "/sales-orders/{sales_order_id}", sales.delete_sales_order, presenters.order_view,
      response=SalesOrderOut, summary="Delete the order: voids its payments and deletes the credits it generated",
      description=("Deletes the order: voids its payments and deletes the credits its invoice generated "
                   "(overpayment, adjustment).\n\n"
                   "**Who:** `manage_sales`.\n\n"
                   "**Errors:** `409 credit_in_use` while a credit it generated pays another invoice; `409 "
                   "invoice_deleted` when already deleted; `404 not_found`; `403 forbidden`; the common errors in "
                   "the introduction."),
      example={"id": "01JF3QSO0000000000000000000", "number": "SO-1001",
               "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0",
               "deleted": True, "created_at": "2026-11-26T13:20:01.123456Z",
               "invoice": {"id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "total": "117.00", "paid": "0.00",
               "balance": "117.00", "status": "unpaid"}})
listing(bp, "/invoices", reads.list_invoices, presenters.invoice_row, query=InvoiceListQuery, response=InvoiceList,
        summary="List invoices oldest first (filters customer_id, status)",
        description=("One page of invoices, oldest first, filtered by `customer_id` and `status` (deleted ones "
                     "only with `status=deleted`); payments are one `GET /payments?invoice_id=` away.\n\n"
                     "**Who:** `manage_sales` or `receive_payments`.\n\n"
                     "**Errors:** `403 forbidden`; `400 invalid_request`; the common errors in the introduction."),
        example={"data": [], "next_cursor": None})
by_id(bp, "GET", "/invoices/{invoice_id}", sales.get_invoice, presenters.invoice_view, response=InvoiceOut,
      summary="Invoice with payments and allocation breakdown",
      description=("An invoice with its lines, charges, totals and every payment with its allocation breakdown "
                   "(tenders, and credit uses: voided ones stay, with `voided_at`).\n\n"
                   "**Who:** `manage_sales` or `receive_payments`; credit fields only for those who may view "
                   "credits.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "number": "INV-1004",
               "sales_order_id": "01JF3QSO0000000000000000000", "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M",
               "lines": [{"description": "goods", "quantity": "1", "unit_price": "100.00", "total": "100.00"}],
               "charges": [], "total": "100.00", "paid": "80.00", "balance": "20.00", "status": "partially_paid",
               "deleted": False, "adjusted_to_credit": "0.00", "adjustment_credit_ids": [], "payments": [],
               "created_at": "2026-11-26T13:20:01.123456Z", "qbo_id": None, "sync_status": "pending",
               "sync_error": None})


@endpoint(bp, "/invoices/{invoice_id}", "PATCH", summary="Edit lines/charges; overpaid amounts become a credit",
          body=EditInvoice, response=InvoiceOut,
          description=("Replaces the invoice's lines and/or charges. Reducing a paid invoice below what was paid "
                       "moves the difference into an `invoice_adjustment` credit.\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `409 invoice_deleted`; `400 invalid_amount` / `400 amount_too_large`; `404 "
                       "not_found`; `403 forbidden`; the common errors in the introduction."),
          example={"lines": [{"description": "goods", "quantity": "1", "unit_price": "80.00"}]})
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
          body=PaymentPreviewBody, response=PaymentPreviewOut,
          description=("What receiving this payment would do now: the tenders' share, the credits used (FIFO or "
                       "the chosen ones) and what each leaves, the remaining balance and any overpayment that "
                       "would become a credit. Decided by the payment's own planning code on fresh reads and never "
                       "committed: the Receive Payment dialog's live balance.\n\n"
                       "**Who:** `receive_payments` (and `view_credits` to use credits); credit fields only for "
                       "those who may view credits.\n\n"
                       "**Errors:** whatever the payment would answer: `409 invoice_fully_paid`, `409 "
                       "credit_not_applicable`, `409 credits_exceed_balance`, `409 insufficient_credit`, `409 "
                       "credit_from_same_invoice`, `400 invalid_request`; `404 not_found`; the common errors in "
                       "the introduction."),
          example={"tenders": [{"method": "cash", "amount": "50.00"}],
                   "credits": [{"credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "amount": "30.00"}]})
def preview_payment(call: Call):
    return presenters.payment_preview(payments.preview_payment(
        call.principal, call.params["invoice_id"], tenders=_tenders(call.body), credits=_credit_choice(call.body)))


@endpoint(bp, "/invoices/{invoice_id}/payments", "POST", summary="Receive a payment: tenders and credits",
          body=ReceivePayment, response=PaymentOut, status=201,
          description=("Receives a payment in one transaction: tenders (`cash`, `check`, `transfer`) and credits, "
                       "`\"fifo\"` (oldest first, on what the tenders leave) or chosen ones with optional amounts "
                       "(applied first, in order). Tenders beyond the balance become an overpayment credit. "
                       "`payment_number` is pushed to QuickBooks as PaymentRefNum.\n\n"
                       "**Who:** `receive_payments`, and `view_credits` to use credits.\n\n"
                       "**Errors:** `409 invoice_fully_paid`; `409 credit_not_applicable`; `409 "
                       "credits_exceed_balance`; `409 insufficient_credit`; `409 credit_from_same_invoice` (a "
                       "credit never pays the invoice that generated it); `400 invalid_request` when it brings "
                       "nothing; `404 not_found`; the common errors in the introduction."),
          example={"tenders": [{"method": "cash", "amount": "50.00"}],
                   "credits": [{"credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "amount": "30.00"}],
                   "payment_number": "CHK-778"})
def receive_payment(call: Call):
    result = payments.receive_payment(call.principal, call.params["invoice_id"], credits=_credit_choice(call.body),
                                      payment_number=call.body.payment_number, tenders=_tenders(call.body))
    uses = [use.amount for use in result.payment.credit_uses if use.voided_at is None]
    observability.record_payment(credit_uses=len(uses), credit_cents=sum(uses))
    return presenters.payment_view(result)


listing(bp, "/payments", reads.list_payments, presenters.payment_row, query=PaymentListQuery, response=PaymentList,
        summary="List payments oldest first (filters invoice_id, customer_id, status)",
        description=("One page of payments, oldest first, filtered by `invoice_id`, `customer_id`, `status`.\n\n"
                     "**Who:** `manage_sales` or `receive_payments`.\n\n"
                     "**Errors:** `403 forbidden`; `400 invalid_request`; the common errors in the introduction."),
        example={"data": [], "next_cursor": None})
by_id(bp, "GET", "/payments/{payment_id}", reads.get_payment, presenters.payment_view, response=PaymentOut,
      summary="Read a payment with its invoice's balance",
      description=("A payment with its tenders, credit uses and its invoice's balance.\n\n"
                   "**Who:** `manage_sales` or `receive_payments`.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"id": "01JF3QPAY000000000000000000", "number": "PAY-1002",
               "invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "status": "active", "tenders": [{"method": "cash",
               "amount": "50.00"}], "credit_uses": [{"id": "01JF3QUSE000000000000000000",
               "credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "amount": "30.00", "voided_at": None}], "total": "80.00",
               "applied": "80.00", "overpayment_credit_id": None, "created_at": "2026-11-27T10:02:11.000001Z",
               "voided_at": None, "qbo_id": None, "sync_status": "pending", "sync_error": None,
               "invoice": {"id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "total": "100.00", "paid": "80.00",
               "balance": "20.00", "status": "partially_paid"}})
by_id(bp, "POST", "/payments/{payment_id}/void", payments.void_payment, presenters.payment_view, response=PaymentOut,
      summary="Void a payment's tenders and credit uses",
      description=("Voids a payment: its tenders and credit uses stay listed with `voided_at` (struck through), "
                   "the credits get their balance back, and an overpayment credit it created is voided.\n\n"
                   "**Who:** `receive_payments`.\n\n"
                   "**Errors:** `409 payment_voided` when already voided; `409 credit_in_use` while its "
                   "overpayment credit pays another invoice; `404 not_found`; `403 forbidden`; the common errors "
                   "in the introduction."),
      example={"id": "01JF3QPAY000000000000000000", "number": "PAY-1002",
               "invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "status": "voided", "tenders": [{"method": "cash",
               "amount": "50.00"}], "credit_uses": [{"id": "01JF3QUSE000000000000000000",
               "credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "amount": "30.00",
               "voided_at": "2026-11-28T08:00:00.000000Z"}], "total": "80.00", "applied": "0.00",
               "overpayment_credit_id": None, "created_at": "2026-11-27T10:02:11.000001Z",
               "voided_at": "2026-11-28T08:00:00.000000Z", "qbo_id": None, "sync_status": "pending",
               "sync_error": None, "invoice": {"id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "total": "100.00", "paid": "0.00",
               "balance": "100.00", "status": "unpaid"}})
