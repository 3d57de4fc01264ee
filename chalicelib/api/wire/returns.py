"""Customer returns (routes_returns)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Amount, Body, Id, ListQuery, Out, Quantity


class ReturnLineIn(Body):
    product_id: Id
    package_id: Id | None = None
    batch_id: Id | None = None
    quantity: Quantity
    unit_price: Amount


class CreateReturn(Body):
    customer_id: Id
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)


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


class ReturnListQuery(ListQuery):
    customer_id: Id | None = None
    status: Literal["open", "completed"] | None = None


class ReturnList(Out):
    data: list[ReturnOut]
    next_cursor: str | None
