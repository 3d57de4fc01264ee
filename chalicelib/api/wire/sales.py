"""Sales orders, invoices and payments (routes_sales)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .common import Amount, Body, Id, ListQuery, Out, Quantity, SyncStatusName


class LineIn(Body):
    description: Annotated[str, Field(max_length=500)] = ""
    quantity: Quantity
    unit_price: Amount


class ChargeIn(Body):
    description: Annotated[str, Field(max_length=500)] = ""
    amount: Amount


class CreateSalesOrder(Body):
    customer_id: Id
    lines: list[LineIn] = Field(default_factory=list, max_length=200)
    charges: list[ChargeIn] = Field(default_factory=list, max_length=50)


class EditInvoice(Body):
    lines: list[LineIn] | None = Field(default=None, max_length=200)
    charges: list[ChargeIn] | None = Field(default=None, max_length=50)


class ChangeCustomer(Body):
    customer_id: Id


class TenderIn(Body):
    method: Literal["cash", "check", "transfer"]
    amount: Amount


class ChosenCreditIn(Body):
    credit_id: Id
    amount: Amount | None = None


class ReceivePayment(Body):
    tenders: list[TenderIn] = Field(default_factory=list, max_length=20)
    credits: Literal["fifo"] | list[ChosenCreditIn] | None = Field(
        default=None, description='"fifo" (oldest first) or the credits to use, with optional amounts')
    payment_number: Annotated[str, Field(min_length=1, max_length=50)] | None = None


class PaymentPreviewBody(Body):
    """The Receive Payment dialog's state: what POST /invoices/{id}/payments would be sent (no payment number)."""

    tenders: list[TenderIn] = Field(default_factory=list, max_length=20)
    credits: Literal["fifo"] | list[ChosenCreditIn] | None = Field(
        default=None, description='"fifo" (oldest first) or the credits to use, with optional amounts')


class PreviewCreditOut(Out):
    credit_id: str
    number: str
    amount: str = Field(description="what the payment would take from this credit")
    remaining_after: str


class PaymentPreviewOut(Out):
    """Every amount the dialog shows, computed by the service (the browser never adds money up)."""

    invoice_id: str
    balance: str = Field(description="the invoice's balance now")
    tenders_total: str
    tender_applied: str = Field(description="the part of the tenders the invoice takes")
    credit_uses: list[PreviewCreditOut] | None = Field(
        default=None, description="the credits it would use; absent for users who may not view credits")
    credits_total: str | None = Field(default=None, description="absent for users who may not view credits")
    applied: str = Field(description="what the invoice would receive: credits + tender_applied")
    balance_after: str = Field(description="the remaining balance after this payment")
    overpayment: str = Field(description="tenders beyond the balance: they would become an overpayment credit")


class LineOut(Out):
    description: str
    quantity: str
    unit_price: str
    total: str


class ChargeOut(Out):
    description: str
    amount: str


class TenderOut(Out):
    method: str
    amount: str


class CreditUseOut(Out):
    id: str
    credit_id: str
    amount: str
    voided_at: str | None
    qbo_id: str | None = Field(default=None, description="the QBO Payment that links this use (a linking Payment of "
                                                          "0, or the original Payment holding its unapplied amount)")
    sync_status: SyncStatusName | None = None


class InvoiceSummaryOut(Out):
    id: str
    total: str
    paid: str
    balance: str
    status: Literal["unpaid", "partially_paid", "fully_paid"]


class PaymentOut(Out):
    id: str
    number: str
    invoice_id: str
    status: Literal["active", "voided"]
    tenders: list[TenderOut]
    credit_uses: list[CreditUseOut] | None = Field(default=None, description="absent for users who may not view credits")
    total: str
    applied: str
    overpayment_credit_id: str | None = None
    created_at: str
    voided_at: str | None
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None
    invoice: InvoiceSummaryOut | None = None


class InvoiceOut(Out):
    id: str
    number: str
    sales_order_id: str
    customer_id: str
    lines: list[LineOut]
    charges: list[ChargeOut]
    total: str
    paid: str
    balance: str
    status: Literal["unpaid", "partially_paid", "fully_paid"]
    deleted: bool
    adjusted_to_credit: str | None = Field(default=None, description="paid above a reduced total, moved into "
                                           "adjustment credits (absent for users who may not view credits)")
    adjustment_credit_ids: list[str] | None = None
    payments: list[PaymentOut]
    created_at: str
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None


class SalesOrderOut(Out):
    id: str
    number: str
    customer_id: str
    invoice_id: str
    deleted: bool
    created_at: str
    invoice: InvoiceSummaryOut


class InvoiceListQuery(ListQuery):
    customer_id: Id | None = None
    status: Literal["unpaid", "partially_paid", "fully_paid", "deleted"] | None = Field(
        default=None, description="deleted invoices are listed only when asked for")


class InvoiceRowOut(Out):
    """An invoice in a list: its money and status; its payments are one GET /payments?invoice_id= away."""

    id: str
    number: str
    sales_order_id: str
    customer_id: str
    total: str
    paid: str
    balance: str
    status: Literal["unpaid", "partially_paid", "fully_paid"]
    deleted: bool
    adjusted_to_credit: str | None = Field(default=None, description="absent for users who may not view credits")
    payment_ids: list[str]
    created_at: str
    updated_at: str | None
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None


class InvoiceList(Out):
    data: list[InvoiceRowOut]
    next_cursor: str | None


class PaymentListQuery(ListQuery):
    invoice_id: Id | None = None
    customer_id: Id | None = None
    status: Literal["active", "voided"] | None = None


class PaymentRowOut(PaymentOut):
    customer_id: str


class PaymentList(Out):
    data: list[PaymentRowOut]
    next_cursor: str | None
