"""What the sales-order form shows about a customer's money."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .credits import Credit
from .invoices import Invoice


def available_credit(credits: Iterable[Credit]) -> int:
    """What the customer can still spend: the sum of what each credit has left (only active credits have any)."""
    return sum(credit.remaining for credit in credits)


def outstanding_balance(invoices: Iterable[Invoice]) -> int:
    """What the customer still owes: the sum of the balances of invoices whose sales order was not deleted."""
    return sum(invoice.balance for invoice in invoices if not invoice.deleted)


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
