"""Pydantic models of the public API: they validate requests and generate the OpenAPI document."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..domain.money import InvalidAmount, parse_cents


def _valid_amount(text: str) -> str:
    try:
        parse_cents(text)
    except InvalidAmount as error:
        raise ValueError(str(error)) from None
    return text


Amount = Annotated[str, Field(examples=["120.00"], description="decimal string, at most two places"),
                   AfterValidator(_valid_amount)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# requests
class CreateAccount(Body):
    name: Name
    owner_user_id: Id


class SettingsPatch(Body):
    credits_enabled: bool | None = None
    qbo_credit_sync: bool | None = None
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


CreditStatusName = Literal["active", "canceled", "deleted", "voided"]
CreditSourceName = Literal["manual", "return", "overpayment", "invoice_adjustment", "qbo"]


class CreditListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
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


class CustomerOut(Out):
    id: str
    name: str
    created_at: str
    qbo_id: str | None


class CreditSummaryOut(Out):
    customer_id: str
    available_credit: str | None = Field(description="absent for users who may not view credits")
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
    sync_status: str
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


class ErrorBody(Out):
    code: str
    message: str
    details: dict = Field(default_factory=dict)


class ErrorOut(Out):
    error: ErrorBody
