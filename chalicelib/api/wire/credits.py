"""Credits: issue, list, read, edit, cancel, history (routes_credits)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import Amount, Body, CreditSourceName, CreditStatusName, Id, Note, Out, SyncStatusName


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


class CreditListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    customer_id: Id | None = None
    status: CreditStatusName | None = None
    source: CreditSourceName | None = None
    q: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, Field(max_length=500)] | None = None


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
