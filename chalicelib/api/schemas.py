"""Pydantic models of the public API: they validate requests and generate the OpenAPI document."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..domain.money import InvalidAmount, parse_cents


def _valid_amount(text: str) -> str:
    try:
        parse_cents(text)
    except InvalidAmount as error:
        raise ValueError(str(error)) from None
    return text


def _valid_quantity(value: int | str) -> str:
    text = str(value).strip()
    if not text.isascii():  # Decimal() reads Arabic-Indic or full-width digits too; quantities are ASCII only
        raise ValueError("quantity must be written with the digits 0-9")
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        raise ValueError("quantity must be a number such as 3 or \"2.5\"") from None
    if not quantity.is_finite() or quantity <= 0 or quantity > 1_000_000_000:
        raise ValueError("quantity must be greater than zero and at most 1000000000")
    if -quantity.as_tuple().exponent > 4:
        raise ValueError("quantity has at most four decimal places")
    return text


Quantity = Annotated[int | str, Field(examples=["2", "2.5"]), AfterValidator(_valid_quantity)]
Amount = Annotated[str, Field(examples=["120.00"], description="decimal string, at most two places"),
                   AfterValidator(_valid_amount)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=2000)]


class Body(BaseModel):
    """Request bodies: unknown fields and loose types are refused; validators are built on first use (cold start)."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


# requests
class CreateAccount(Body):
    name: Name
    owner_user_id: Id


class SettingsPatch(Body):
    credits_enabled: bool = Field(default=None, description="staff only to switch on; omit to leave as is")
    qbo_credit_sync: bool = Field(default=None, description="staff only to switch on; omit to leave as is")
    credit_balance_warning_threshold: Amount | None = None


class CreateRole(Body):
    name: Name
    permissions: list[str] = Field(default_factory=list, max_length=20)


class AssignRole(Body):
    role_id: Id


class CreateCustomer(Body):
    name: Name


class CreateCredit(Body):
    customer_id: Id
    amount: Amount
    internal_note: Note = ""
    external_note: Note = ""


class EditCredit(Body):
    amount: Amount | None = None
    internal_note: Note | None = None
    external_note: Note | None = None


class CancelCredit(Body):
    mode: Literal["balance_only", "revert"]


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


class ReturnLineIn(Body):
    product_id: Id
    package_id: Id | None = None
    batch_id: Id | None = None
    quantity: Quantity
    unit_price: Amount


class CreateReturn(Body):
    customer_id: Id
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)


CreditStatusName = Literal["active", "canceled", "deleted", "voided"]
CreditSourceName = Literal["manual", "return", "overpayment", "invoice_adjustment", "qbo"]


class CreditListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    customer_id: Id | None = None
    status: CreditStatusName | None = None
    source: CreditSourceName | None = None
    q: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, Field(max_length=500)] | None = None


# responses
class AccountOut(Out):
    id: str
    name: str
    owner_user_id: str
    created_at: str


class SettingsOut(Out):
    credits_enabled: bool
    qbo_credit_sync: bool
    credit_balance_warning_threshold: str | None


class RoleOut(Out):
    id: str
    name: str
    permissions: list[str]


class UserOut(Out):
    user_id: str
    role_id: str


SyncStatusName = Literal["not_synced", "pending", "synced", "error"]


class CustomerOut(Out):
    id: str
    name: str
    created_at: str
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None


class CreditSummaryOut(Out):
    customer_id: str
    available_credit: str | None = Field(default=None, description="absent for users who may not view credits")
    outstanding_balance: str
    warning_threshold: str | None
    warning: bool


class CreditOut(Out):
    id: str
    number: str
    customer_id: str
    source: CreditSourceName
    status: CreditStatusName
    amount: str
    used: str
    remaining: str
    internal_note: str
    external_note: str
    origin_invoice_id: str | None
    origin_payment_id: str | None
    return_id: str | None
    line_items: list[dict]
    created_at: str
    updated_at: str | None
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None


class CreditList(Out):
    data: list[CreditOut]
    next_cursor: str | None


class CreditEventOut(Out):
    kind: str
    at: str
    amount: str
    details: dict


class CreditHistory(Out):
    data: list[CreditEventOut]


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


class ReturnLineOut(Out):
    product_id: str
    package_id: str | None
    batch_id: str | None
    quantity: str
    unit_price: str
    total: str


class ReturnOut(Out):
    id: str
    number: str
    customer_id: str
    status: Literal["open", "completed"]
    lines: list[ReturnLineOut]
    total: str
    credit_id: str | None = Field(default=None, description="absent for users who may not view credits")
    created_at: str
    completed_at: str | None


# list and detail reads (issue 13)
Limit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, Field(max_length=700)]


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    limit: Limit = 25
    cursor: Cursor | None = None


class CustomerListQuery(ListQuery):
    q: Annotated[str, Field(min_length=1, max_length=200, description="start of the name, any case")] | None = None


class InvoiceListQuery(ListQuery):
    customer_id: Id | None = None
    status: Literal["unpaid", "partially_paid", "fully_paid", "deleted"] | None = Field(
        default=None, description="deleted invoices are listed only when asked for")


class PaymentListQuery(ListQuery):
    invoice_id: Id | None = None
    customer_id: Id | None = None
    status: Literal["active", "voided"] | None = None


class ReturnListQuery(ListQuery):
    customer_id: Id | None = None
    status: Literal["open", "completed"] | None = None


class RenameCustomer(Body):
    name: Name


class CustomerList(Out):
    data: list[CustomerOut]
    next_cursor: str | None


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


class PaymentRowOut(PaymentOut):
    customer_id: str


class PaymentList(Out):
    data: list[PaymentRowOut]
    next_cursor: str | None


class ReturnList(Out):
    data: list[ReturnOut]
    next_cursor: str | None


class RoleList(Out):
    data: list[RoleOut]
    next_cursor: str | None


class UserRowOut(UserOut):
    updated_at: str


class UserList(Out):
    data: list[UserRowOut]
    next_cursor: str | None


class VoidedUseOut(Out):
    id: str
    payment_id: str
    invoice_id: str
    amount: str


class ReopenedInvoiceOut(Out):
    id: str
    number: str
    balance_before: str
    balance_after: str
    status_after: Literal["unpaid", "partially_paid", "fully_paid"]


class ChangedCreditOut(Out):
    id: str
    number: str
    source: CreditSourceName
    status_before: CreditStatusName | None = Field(description="null: the cancel issues this credit")
    status_after: CreditStatusName
    remaining_before: str
    remaining_after: str


class QboChangeOut(Out):
    action: Literal["delete", "void", "update"]
    qbo_type: str
    qbo_id: str | None = Field(description="null for a linking document whose QBO id is not kept yet")
    object_type: str
    object_id: str
    effect: str


class CancelPreviewOut(Out):
    """What POST /credits/{id}/cancel with the same body would do now; nothing is committed."""

    mode: Literal["balance_only", "revert"]
    credit: CreditOut = Field(description="the credit as the cancel would leave it")
    voided_uses: list[VoidedUseOut]
    invoices: list[ReopenedInvoiceOut]
    credits: list[ChangedCreditOut] = Field(description="adjustment credits the reopened invoices void or issue")
    qbo_documents: list[QboChangeOut]


class LineageDocOut(Out):
    """One object on a credit's path, with its QBO id where synced."""

    type: Literal["return", "invoice", "payment", "credit"]
    id: str
    number: str
    qbo_id: str | None


class LineageInvoiceOut(LineageDocOut):
    total: str
    balance: str
    status: Literal["unpaid", "partially_paid", "fully_paid"]


class LineageReturnOut(LineageDocOut):
    lines: list[ReturnLineOut] = Field(description="product, package and batch of what came back")


class LineageUseOut(Out):
    id: str
    amount: str
    at: str
    voided_at: str | None
    payment: LineageDocOut
    invoice: LineageInvoiceOut


class LineageOrigin(Out):
    return_: LineageReturnOut | None = Field(default=None, alias="return")
    invoice: LineageInvoiceOut | None = None
    payment: LineageDocOut | None = None


class LineageOut(Out):
    """From the return line or the originating invoice and payment, to the credit, to every use and invoice paid."""

    origin: LineageOrigin
    credit: CreditOut
    uses: list[LineageUseOut]


class CreditSummaryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    as_of: date | datetime | None = Field(default=None, description="a date (its end, UTC) or an ISO 8601 time: "
                                          "balances as they stood then (see README for what history covers)")


class CreditSummaryAsOfOut(CreditSummaryOut):
    as_of: str | None = Field(default=None, description="the moment answered for; absent: now")


class AgingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    customer_id: Id | None = None
    as_of: date | None = Field(default=None, description="the day ages are counted on; default today (UTC)")


class AgingBucketsOut(Out):
    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)
    d0_30: str = Field(alias="0-30")
    d31_60: str = Field(alias="31-60")
    d61_90: str = Field(alias="61-90")
    d90_plus: str = Field(alias="90+")


class AgingRowOut(Out):
    total: str
    buckets: AgingBucketsOut
    by_source: dict[CreditSourceName, AgingBucketsOut]


class AgingCustomerOut(AgingRowOut):
    customer_id: str
    name: str | None


class AgingOut(Out):
    """Open credit (what is left to spend) by source and age bucket: per customer and in total."""

    as_of: str
    buckets: list[str]
    customers: list[AgingCustomerOut]
    total: AgingRowOut


SyncObjectType = Literal["customer", "invoice", "payment", "credit", "use"]  # a use's id: "<credit id>#<use id>"


class QboErrorOut(Out):
    """An object QBO refused for good: parked until it is retried (POST /qbo/objects/{type}/{id}/retry)."""

    object_type: SyncObjectType
    object_id: str
    number: str | None = Field(description="credit, invoice or payment number; a customer's name")
    code: str | None = Field(description="QBO's Fault code (e.g. 6240), or the name of our own refusal")
    message: str
    at: str | None = Field(description="when it was parked (last failure)")
    attempts: int


class QboStatusOut(Out):
    """The QBO status panel: answered also when the account is not connected."""

    connected: bool
    realm_id: str | None
    sync_mode: Literal["two_way", "paused", "off"] = Field(
        description="two_way: sync on and connected; paused: softly disconnected (changes wait); off: otherwise")
    pending: int = Field(description="objects waiting for a push (parked ones are under errors)")
    last_push_at: str | None
    last_pull_at: str | None
    cdc_watermark: str | None
    errors: list[QboErrorOut] = Field(description="oldest change first; credits only for users who may view them")


class QboRetryOut(Out):
    """The object after the retry, and what the push did now."""

    object_type: SyncObjectType
    object_id: str
    number: str | None
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None
    attempts: int
    outcome: Literal["pushed", "parked", "waiting", "deferred", "paused"] = Field(
        description="deferred (QBO unreachable) and paused (soft disconnect) leave it pending for the workers")
    message: str | None


class ErrorBody(Out):
    code: str
    message: str
    details: dict = Field(default_factory=dict)


class ErrorOut(Out):
    error: ErrorBody
