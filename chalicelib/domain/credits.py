"""The credit: a customer's balance that can pay invoices, and the rules for changing it."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .errors import (
    Conflict,
    CreditAlreadyUsed,
    CreditBelowUsed,
    CreditNotActive,
    InvalidInput,
    OverpaymentCreditImmutable,
)
from .sync import Synced, SyncState


class CreditAmountFixed(Conflict):
    code = "credit_amount_fixed"


class CreditInUse(Conflict):
    """The credit pays other invoices; those uses must be voided first."""

    code = "credit_in_use"


class CreditSource(str, Enum):
    MANUAL = "manual"
    RETURN = "return"
    OVERPAYMENT = "overpayment"
    INVOICE_ADJUSTMENT = "invoice_adjustment"
    QBO = "qbo"


class CreditStatus(str, Enum):
    ACTIVE = "active"
    CANCELED = "canceled"
    DELETED = "deleted"
    VOIDED = "voided"


class CancelMode(str, Enum):
    BALANCE_ONLY = "balance_only"
    REVERT = "revert"


@dataclass(frozen=True)
class CreditEvent:
    """One line of a credit's history (created, applied, use_voided, edited, canceled, deleted, synced)."""

    kind: str
    at: str
    amount: int = 0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class CreditUse:
    """Part of a credit paying an invoice through a payment; voided uses stay for the audit trail."""

    id: str
    payment_id: str
    invoice_id: str
    amount: int
    at: str
    voided_at: str | None = None
    from_qbo: bool = False  # the accountant applied it in QBO; recorded here so invoice balances stay equal

    @property
    def active(self) -> bool:
        return self.voided_at is None


@dataclass
class Credit(Synced):
    id: str
    number: str
    customer_id: str
    source: CreditSource
    amount: int
    created_at: str
    status: CreditStatus = CreditStatus.ACTIVE
    internal_note: str = ""
    external_note: str = ""
    origin_invoice_id: str | None = None
    origin_payment_id: str | None = None
    return_id: str | None = None
    line_items: list[dict[str, Any]] = field(default_factory=list)
    uses: list[CreditUse] = field(default_factory=list)
    applied_in_qbo: int = 0  # imported credits only: what the accountant applied in QBO, outside our ledger
    updated_at: str | None = None
    sync: SyncState = field(default_factory=SyncState, compare=False)
    version: int = 0
    events: list[CreditEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def issue(cls, *, id: str, number: str, customer_id: str, source: CreditSource, amount: int, now: str,
              internal_note: str = "", external_note: str = "", **lineage: Any) -> "Credit":
        """A new active credit of a positive amount, recording its creation in the history."""
        if amount <= 0:
            raise InvalidInput("a credit amount must be greater than zero", details={"amount": "must be > 0"})
        credit = cls(id=id, number=number, customer_id=customer_id, source=source, amount=amount, created_at=now,
                     updated_at=now, internal_note=internal_note, external_note=external_note, **lineage)
        credit.events.append(CreditEvent("created", now, amount, {"source": source.value}))
        return credit

    @property
    def used(self) -> int:
        """Sum of the active uses (voided uses give their amount back), plus what QBO applied of an imported credit."""
        return sum(use.amount for use in self.uses if use.active) + self.applied_in_qbo

    @property
    def active_uses(self) -> list[CreditUse]:
        return [use for use in self.uses if use.active]

    @property
    def remaining(self) -> int:
        """What is still spendable: nothing once the credit is no longer active."""
        return self.amount - self.used if self.status is CreditStatus.ACTIVE else 0

    @property
    def is_overpayment(self) -> bool:
        return self.source is CreditSource.OVERPAYMENT

    def _require_directly_editable(self) -> None:
        if self.is_overpayment:
            raise OverpaymentCreditImmutable(
                "an overpayment credit cannot be edited, canceled or deleted; void the payment that created it instead",
                details={"origin_payment_id": self.origin_payment_id})
        if self.status is not CreditStatus.ACTIVE:
            raise CreditNotActive(f"credit {self.number} is {self.status.value}", details={"status": self.status.value})

    def edit(self, *, now: str, amount: int | None = None, internal_note: str | None = None,
             external_note: str | None = None) -> None:
        """Change amount or notes; the amount may never drop below what invoices already used."""
        self._require_directly_editable()
        changes: dict[str, Any] = {}
        if amount is not None and amount != self.amount:
            if self.source is not CreditSource.MANUAL:
                raise CreditAmountFixed(
                    f"the amount of a {self.source.value} credit follows what created it; only notes can change",
                    details={"source": self.source.value})
            if amount < self.used:
                raise CreditBelowUsed(
                    f"amount cannot be lower than the {self.used} cents already used",
                    details={"used": self.used, "requested": amount})
            if amount <= 0:
                raise InvalidInput("a credit amount must be greater than zero", details={"amount": "must be > 0"})
            changes["amount"] = {"from": self.amount, "to": amount}
            self.amount = amount
        for name, value in (("internal_note", internal_note), ("external_note", external_note)):
            if value is not None and value != getattr(self, name):
                changes[name] = {"from": getattr(self, name), "to": value}
                setattr(self, name, value)
        if changes:
            self.updated_at = now
            self.events.append(CreditEvent("edited", now, self.amount, changes))

    def soft_delete(self, *, now: str) -> None:
        """Hide a credit that was never used (voided uses count: they stay in the audit trail); else cancel it."""
        self._require_directly_editable()
        if self.uses:
            raise CreditAlreadyUsed("a credit that has been used cannot be deleted; cancel it instead",
                                    details={"used": self.used, "uses": len(self.uses)})
        self.status = CreditStatus.DELETED
        self.updated_at = now
        self.events.append(CreditEvent("deleted", now, self.amount))

    def apply(self, *, use_id: str, payment_id: str, invoice_id: str, amount: int, now: str) -> CreditUse:
        """Spend part of the credit on an invoice; never more than what remains, never on its own invoice."""
        if self.status is not CreditStatus.ACTIVE:
            raise CreditNotActive(f"credit {self.number} is {self.status.value}", details={"credit_id": self.id})
        if amount <= 0 or amount > self.remaining:
            raise CreditAlreadyUsed(f"credit {self.number} has only {self.remaining} cents left",
                                    details={"credit_id": self.id, "remaining": self.remaining})
        if invoice_id == self.origin_invoice_id:
            raise InvalidInput("a credit cannot pay the invoice that generated it", details={"credit_id": self.id})
        use = CreditUse(use_id, payment_id, invoice_id, amount, now)
        self.uses.append(use)
        self.updated_at = now
        self.events.append(CreditEvent("applied", now, amount, {"payment_id": payment_id, "invoice_id": invoice_id,
                                                                "use_id": use_id}))
        return use

    def release(self, use_id: str, *, now: str) -> CreditUse:
        """Void one use: its amount comes back to the credit (if still active) and the use stays listed."""
        use = next(u for u in self.uses if u.id == use_id)
        if use.active:
            use.voided_at = now
            self.updated_at = now
            self.events.append(CreditEvent("use_voided", now, use.amount, {"payment_id": use.payment_id,
                                                                            "invoice_id": use.invoice_id,
                                                                            "use_id": use.id}))
        return use

    def cancel(self, mode: CancelMode, *, now: str) -> list[CreditUse]:
        """Cancel the remaining balance; in revert mode also void every active use (returned to the caller)."""
        self._require_directly_editable()
        reverted = list(self.active_uses) if mode is CancelMode.REVERT else []
        for use in reverted:
            self.release(use.id, now=now)
        removed = self.remaining
        self.status = CreditStatus.CANCELED
        self.updated_at = now
        self.events.append(CreditEvent("canceled", now, removed, {"mode": mode.value,
                                                                   "reverted_uses": [u.id for u in reverted]}))
        return reverted

    def void_with_origin(self, *, now: str, reason: str, status: CreditStatus = CreditStatus.VOIDED) -> None:
        """Remove a credit together with what created it (voided payment, deleted order); refused while in use."""
        if self.active_uses:
            raise CreditInUse(
                f"credit {self.number} already pays other invoices; void those payments first",
                details={"credit_id": self.id,
                         "uses": [{"payment_id": u.payment_id, "invoice_id": u.invoice_id, "amount": u.amount}
                                  for u in self.active_uses]})
        if self.status is CreditStatus.ACTIVE:
            self.status = status
            self.updated_at = now
            self.events.append(CreditEvent(status.value, now, self.amount, {"reason": reason}))
