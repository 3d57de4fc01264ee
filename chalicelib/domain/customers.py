"""What the sales-order form shows about a customer's money."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreditSummary:
    customer_id: str
    available_credit: int
    outstanding_balance: int
    warning_threshold: int | None

    @property
    def warning(self) -> bool:
        """Warn when the outstanding balance exceeds the account's threshold (if one is set)."""
        return self.warning_threshold is not None and self.outstanding_balance > self.warning_threshold
