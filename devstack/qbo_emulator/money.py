"""Decimal money handling and JSON encoding that writes Decimals as JSON numbers without floats."""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
_MARK = "\u0000DEC"
_MARK_RE = re.compile(r'"\\u0000DEC([-+0-9.Ee]+)"')


def to_money(value: Any, field: str = "amount") -> Decimal:
    """Coerce a JSON amount (number, numeric string, Decimal) to a 2-dp Decimal."""
    if isinstance(value, bool):
        raise ValueError(f"{field} is not a number")
    if value is None or value == "":
        return Decimal("0.00")
    try:
        return Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{field} is not a number: {value!r}") from exc


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return _MARK + format(obj, "f")
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def dumps(obj: Any) -> str:
    """json.dumps where Decimal values become bare JSON numbers."""
    return _MARK_RE.sub(lambda m: m.group(1), json.dumps(obj, default=_default))


def loads(text: str | bytes) -> Any:
    """json.loads with floats parsed as Decimal."""
    return json.loads(text, parse_float=Decimal)


def line_amount(qty: Any, unit_price: Any) -> Decimal:
    """Qty x UnitPrice rounded half up to the cent: what QBO expects in a sales line's Amount."""
    try:
        return (Decimal(str(qty)) * Decimal(str(unit_price))).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"Qty and UnitPrice must be numbers: {qty!r}, {unit_price!r}") from exc
