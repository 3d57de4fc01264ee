"""Who sees credit fields: one rule, applied at the edge (routing.endpoint) to every answer a handler returns as
data, at any depth. A handler that builds its own Response (CSV exports, parity's 202) shows what it built: those
routes already require credits to be visible."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.permissions import Principal

# Fields that say something about credits: only principals who may see credits get them, in every response.
CREDIT_FIELDS = frozenset({"available_credit", "credit_uses", "overpayment_credit_id", "adjusted_to_credit",
                           "adjustment_credit_ids", "credit_id", "credits_total", "invoices_open_for_credits"})


def shown_to(principal: Principal, payload: Any) -> Any:
    """The payload as this principal may see it: without the credit fields unless they may see credits. Vendor staff
    see them on every account: they support its credits (legacy memos, re-syncs) whether or not it shows them."""
    return payload if principal.sees_credits or principal.staff else _without_credit_fields(payload)


def _without_credit_fields(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _without_credit_fields(v) for name, v in value.items() if name not in CREDIT_FIELDS}
    if isinstance(value, list):
        return [_without_credit_fields(v) for v in value]
    return value
