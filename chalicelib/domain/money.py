"""Money: integer cents inside, two-decimal strings on the wire."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import InvalidInput

MAX_CENTS = 1_000_000_000_00
# [0-9], not \d: \d also matches Arabic-Indic, full-width and other Unicode digits, which int() would then accept.
_AMOUNT = re.compile(r"^(?P<sign>-?)(?P<units>[0-9]{1,13})(?:\.(?P<frac>[0-9]{1,2}))?$")


class InvalidAmount(InvalidInput):
    """The text is not a two-decimal amount within the allowed range."""

    code = "invalid_amount"


class AmountTooLarge(InvalidAmount):
    """A computed total (lines × prices + charges, a return, tenders) is above the limit every amount obeys."""

    code = "amount_too_large"


def within_limit(cents: int, what: str = "amount") -> int:
    """The one cap on money: typed amounts and computed totals alike stay within ±1,000,000,000.00."""
    if abs(cents) > MAX_CENTS:
        raise AmountTooLarge(f"{what} must not exceed {format_cents(MAX_CENTS)}",
                             details={"field": what, "max": format_cents(MAX_CENTS)})
    return cents


def parse_cents(text: str, *, allow_zero: bool = True, allow_negative: bool = False) -> int:
    """Parse "120.5" / "120.50" / "120" into 12050 cents, refusing floats' ambiguity and 3 decimals."""
    if not isinstance(text, str):
        raise InvalidAmount("amount must be a string such as \"120.00\"")
    match = _AMOUNT.match(text.strip())
    if not match:
        raise InvalidAmount("amount must be a decimal with at most two places, such as \"120.00\"")
    frac = (match["frac"] or "").ljust(2, "0")
    cents = int(match["units"]) * 100 + int(frac or "0")
    if match["sign"]:
        cents = -cents
    if cents < 0 and not allow_negative:
        raise InvalidAmount("amount must not be negative")
    if cents == 0 and not allow_zero:
        raise InvalidAmount("amount must be greater than zero")
    return within_limit(cents)


def format_cents(cents: int) -> str:
    """12050 -> "120.50"."""
    sign = "-" if cents < 0 else ""
    units, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{units}.{frac:02d}"


def line_total(quantity: str, unit_price: int) -> int:
    """quantity × unit price in cents, rounded half up to the cent (an invoice line, a returned line)."""
    return int((Decimal(quantity) * unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP))
