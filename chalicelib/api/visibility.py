"""Who sees credit fields: one rule, applied at the edge to every JSON answer, at any depth."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.permissions import Principal

# Fields that say something about credits: only principals who may see credits get them, in every response.
CREDIT_FIELDS = frozenset({"available_credit", "credit_uses", "overpayment_credit_id", "adjusted_to_credit",
                           "adjustment_credit_ids", "credit_id"})


def shown_to(principal: Principal, payload: Any) -> Any:
    """The payload as this principal may see it: without the credit fields unless they may see credits."""
    return payload if principal.sees_credits else _without_credit_fields(payload)


def _without_credit_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _without_credit_fields(v) for name, v in value.items() if name not in CREDIT_FIELDS}
    if isinstance(value, list):
        return [_without_credit_fields(v) for v in value]
    return value
