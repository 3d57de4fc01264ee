"""Money at the QBO boundary: JSON numbers <-> Decimal <-> integer cents, never floats."""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
_MARK = "\u0000DEC"
_MARK_RE = re.compile(r'"\\u0000DEC([-+0-9.Ee]+)"')


def to_cents(amount: Any) -> int:
    """QBO amount (Decimal, int, or numeric string) to integer cents."""
    if isinstance(amount, float):
        raise TypeError("floats are not money; parse JSON with parse_float=Decimal")
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    """Integer cents to a 2-dp Decimal for a QBO request body."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return _MARK + format(obj, "f")
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def dumps(obj: Any) -> str:
    """JSON text where Decimal values are written as bare numbers (as QBO expects)."""
    return _MARK_RE.sub(lambda m: m.group(1), json.dumps(obj, default=_default))


def loads(text: str | bytes) -> Any:
    """Parse QBO JSON with amounts as Decimal."""
    return json.loads(text, parse_float=Decimal)
