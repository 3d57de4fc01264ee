"""Payments: tenders plus credit uses against one invoice, voidable as a whole."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import Conflict, InvalidInput
from .money import within_limit
from .sync import Synced, SyncState
from .sync_kinds import use_key


class TenderMethod(str, Enum):
    CASH = "cash"
    CHECK = "check"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class Tender:
    method: TenderMethod
    amount: int


@dataclass
class PaymentCreditUse:
    """The payment's view of a credit use (the credit keeps the same use id)."""

    id: str
    credit_id: str
    amount: int
    voided_at: str | None = None

    @property
    def key(self) -> str:
        """The use's name in the pending index and on the API (domain.sync_kinds.use_key)."""
        return use_key(self.credit_id, self.id)


class PaymentStatus(str, Enum):
    ACTIVE = "active"
    VOIDED = "voided"


class PaymentAlreadyVoided(Conflict):
    """A voided payment stays voided: voiding it again is refused."""

    code = "payment_voided"


@dataclass
class Payment(Synced):
    id: str
    number: str
    invoice_id: str
    customer_id: str
    tenders: list[Tender]
    credit_uses: list[PaymentCreditUse]
    tender_applied: int
    created_at: str
    overpayment_credit_id: str | None = None
    status: PaymentStatus = PaymentStatus.ACTIVE
    voided_at: str | None = None
    updated_at: str | None = None
    sync: SyncState = field(default_factory=SyncState, compare=False)
    version: int = 0
    events: list = field(default_factory=list, compare=False, repr=False)
    # the credit uses' own sync states, by use id, when a reader attached them (Ledger.with_use_states)
    use_states: dict[str, SyncState] | None = field(default=None, compare=False, repr=False)

    def documents(self) -> list[SyncState] | None:
        """In QBO a payment is its tender Payment (if it has tenders) and each credit use's linking Payment: it reads
        synced only when all of them are there (a payment made of credits alone has no Payment of its own)."""
        if self.use_states is None:
            return None
        own = [self.sync] if self.tender_total or self.sync.qbo_id else []
        return own + [self.use_states[u.id] for u in self.credit_uses if u.id in self.use_states]

    @property
    def tender_total(self) -> int:
        return sum(t.amount for t in self.tenders)

    @property
    def credits_applied(self) -> int:
        return sum(u.amount for u in self.credit_uses if u.voided_at is None)

    @property
    def applied(self) -> int:
        """What this payment contributes to its invoice now."""
        if self.status is PaymentStatus.VOIDED:
            return 0
        return self.tender_applied + self.credits_applied

    @property
    def total(self) -> int:
        """Money and credit the payment brought in (voided credit uses excluded)."""
        if self.status is PaymentStatus.VOIDED:
            return 0
        return self.tender_total + self.credits_applied

    @property
    def active(self) -> bool:
        return self.status is PaymentStatus.ACTIVE

    def void(self, *, now: str) -> list[PaymentCreditUse]:
        """Void tenders and credit uses (all stay listed); returns the credit uses to give back."""
        if not self.active:
            raise PaymentAlreadyVoided("this payment is already voided", details={"payment_id": self.id})
        released = [u for u in self.credit_uses if u.voided_at is None]
        for use in released:
            use.voided_at = now
        self.status = PaymentStatus.VOIDED
        self.voided_at = self.updated_at = now
        return released

    def void_credit_use(self, use_id: str, *, now: str) -> PaymentCreditUse:
        use = next(u for u in self.credit_uses if u.id == use_id)
        use.voided_at = use.voided_at or now
        self.updated_at = now
        return use


def validate_tenders(tenders: list[Tender]) -> None:
    """Each tender brings money, and together they stay within the cap (their excess can become a credit)."""
    if any(t.amount <= 0 for t in tenders):
        raise InvalidInput("each tender amount must be greater than zero")
    within_limit(sum(t.amount for t in tenders), "tender total")
