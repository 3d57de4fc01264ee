"""Customer returns: completing one issues a single credit that keeps the returned inventory's lineage."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from .errors import InvalidInput
from .money import line_total, within_limit


@dataclass(frozen=True)
class ReturnLine:
    product_id: str
    package_id: str | None
    batch_id: str | None
    quantity: str
    unit_price: int

    @property
    def total(self) -> int:
        return line_total(self.quantity, self.unit_price)

    def lineage(self) -> dict:
        """What the credit's Line Items tab shows."""
        return {**asdict(self), "total": self.total}


class ReturnStatus(str, Enum):
    OPEN = "open"
    COMPLETED = "completed"


@dataclass
class CustomerReturn:
    id: str
    number: str
    customer_id: str
    lines: list[ReturnLine]
    created_at: str
    status: ReturnStatus = ReturnStatus.OPEN
    credit_id: str | None = None
    completed_at: str | None = None
    version: int = 0

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    def require_valid_total(self) -> None:
        """A return's total becomes a credit's amount, so it obeys the same cap as any amount."""
        within_limit(self.total, "return total")

    def complete(self, *, credit_id: str, now: str) -> bool:
        """Mark completed once; returns False when it already was (the same credit stands)."""
        if self.status is ReturnStatus.COMPLETED:
            return False
        if self.total <= 0:
            raise InvalidInput("a return worth nothing issues no credit", details={"total": self.total})
        self.require_valid_total()
        self.status, self.credit_id, self.completed_at = ReturnStatus.COMPLETED, credit_id, now
        return True
