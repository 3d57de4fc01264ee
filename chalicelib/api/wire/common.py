"""What every resource's models share: amounts and quantities validated as strings, ids, names, notes, the
strict request base, the response base, list paging."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ...domain.money import InvalidAmount, parse_cents


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
CreditStatusName = Literal["active", "canceled", "deleted", "voided"]
CreditSourceName = Literal["manual", "return", "overpayment", "invoice_adjustment", "qbo"]
SyncStatusName = Literal["not_synced", "pending", "synced", "error", "drift"]
Limit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, Field(max_length=700)]


class Body(BaseModel):
    """Request bodies: unknown fields and loose types are refused; validators are built on first use (cold start)."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ListQuery(BaseModel):
    """A page of a list: at most `limit` rows, from where `cursor` (the last page's next_cursor) left off."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    limit: Limit = 25
    cursor: Cursor | None = None
