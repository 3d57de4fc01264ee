"""List and detail reads (routes_reads, issue 13): list queries and pages of the other resources' shapes."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .accounts import RoleOut, UserOut
from .common import Body, Id, ListQuery, Name, Out, SyncStatusName
from .customers import CustomerOut
from .returns import ReturnOut
from .sales import PaymentOut


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
