"""Customers: create, list, read, rename, and their credit summary (routes_customers)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .common import Body, ListQuery, Name, Out, SyncStatusName


class CreateCustomer(Body):
    name: Name


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


class CreditSummaryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    as_of: date | datetime | None = Field(default=None, description="a date (its end, UTC) or an ISO 8601 time: "
                                          "balances as they stood then (see README for what history covers)")


class CreditSummaryAsOfOut(CreditSummaryOut):
    as_of: str | None = Field(default=None, description="the moment answered for; absent: now")


class CustomerListQuery(ListQuery):
    q: Annotated[str, Field(min_length=1, max_length=200, description="start of the name, any case")] | None = None


class RenameCustomer(Body):
    name: Name


class CustomerList(Out):
    data: list[CustomerOut]
    next_cursor: str | None
