"""Sales orders and their invoices: totals, derived status, edits that issue credits, customer changes."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import Conflict, InvalidInput
from .money import line_total, within_limit
from .sync import Synced, SyncState


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    unit_price: int

    @property
    def total(self) -> int:
        return line_total(self.quantity, self.unit_price)


@dataclass(frozen=True)
class Charge:
    description: str
    amount: int


class InvoiceStatus(str, Enum):
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    FULLY_PAID = "fully_paid"


class InvoiceDeleted(Conflict):
    """The sales order, and so its invoice, was deleted."""

    code = "invoice_deleted"


class InvoiceFullyPaid(Conflict):
    """Nothing is left due on the invoice for a payment to pay."""

    code = "invoice_fully_paid"


@dataclass
class Invoice(Synced):
    id: str
    number: str
    sales_order_id: str
    customer_id: str
    lines: list[Line]
    charges: list[Charge]
    created_at: str
    paid: int = 0
    adjusted_to_credit: int = 0
    adjustment_credit_ids: list[str] = field(default_factory=list)
    payment_ids: list[str] = field(default_factory=list)
    deleted: bool = False
    updated_at: str | None = None
    sync: SyncState = field(default_factory=SyncState, compare=False)
    version: int = 0
    # what its payments send to QBO, when a reader attached them (Ledger.with_sync_documents)
    payment_documents: list[SyncState] | None = field(default=None, compare=False, repr=False)

    def documents(self) -> list[SyncState] | None:
        """QBO's balance of the invoice is right only when its payments' documents are there too: the invoice reads
        synced only then, and shows their trouble."""
        return None if self.payment_documents is None else [self.sync, *self.payment_documents]

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines) + sum(charge.amount for charge in self.charges)

    @property
    def balance(self) -> int:
        return self.total - self.paid

    @property
    def status(self) -> InvoiceStatus:
        """Derived, never stored: unpaid, partially paid or fully paid."""
        if self.paid <= 0:
            return InvoiceStatus.UNPAID if self.total > 0 else InvoiceStatus.FULLY_PAID
        return InvoiceStatus.FULLY_PAID if self.paid >= self.total else InvoiceStatus.PARTIALLY_PAID

    def require_open(self) -> None:
        if self.deleted:
            raise InvoiceDeleted("this invoice's sales order was deleted", details={"invoice_id": self.id})

    def require_payable(self) -> None:
        """A payment needs an open invoice with something still due."""
        self.require_open()
        if self.balance <= 0:
            raise InvoiceFullyPaid(f"invoice {self.number} is fully paid", details={"invoice_id": self.id})

    def receive(self, applied: int, *, now: str) -> None:
        """Record what a payment contributes; the excess of a payment never reaches the invoice."""
        self.require_open()
        if applied > self.balance:
            raise Conflict("a payment cannot pay more than the balance", details={"balance": self.balance})
        self.paid += applied
        self.updated_at = now

    def reverse(self, applied: int, *, now: str, uncut: int = 0) -> "Reversal":
        """Take back what a voided payment or credit use contributed.

        `uncut` is the part of `applied` that reductions had already moved into adjustment credits and that those
        credits have just given up (`give_back_cut`, the void rule of DESIGN §5 money location): it left `paid`
        when the invoice was reduced, so only the rest leaves now. A stored invoice whose `paid` fell below its links
        before that rule existed still reaches the fallback: its adjustment credits are undone (the caller voids
        them) and any excess is credited anew, so `paid` never goes negative and never exceeds the total.
        """
        self.updated_at = now
        applied -= uncut
        self.adjusted_to_credit -= uncut
        if applied <= self.paid:
            self.paid -= applied
            return Reversal([], 0)
        undone = self.adjustment_credit_ids
        self.paid += self.adjusted_to_credit - applied
        excess = max(0, self.paid - self.total)
        self.paid -= excess
        self.adjusted_to_credit, self.adjustment_credit_ids = excess, []
        return Reversal(undone, excess)

    def delete(self, *, now: str) -> None:
        """Removed with its sales order once its payments are voided and its generated credits removed."""
        self.paid = self.adjusted_to_credit = 0
        self.adjustment_credit_ids = []
        self.deleted, self.updated_at = True, now

    def edit(self, *, lines: list[Line] | None, charges: list[Charge] | None, now: str) -> int:
        """Replace lines/charges; returns the amount paid above the new total, to become a credit."""
        self.require_open()
        if lines is not None:
            self.lines = lines
        if charges is not None:
            self.charges = charges
        if self.total < 0:
            raise InvalidInput("an invoice total cannot be negative", details={"total": self.total})
        within_limit(self.total, "invoice total")
        excess = max(0, self.paid - self.total)
        self.paid -= excess
        self.adjusted_to_credit += excess
        self.updated_at = now
        return excess


@dataclass(frozen=True)
class Reversal:
    undone_adjustment_credit_ids: list[str]
    new_excess: int


@dataclass
class SalesOrder:
    id: str
    number: str
    customer_id: str
    invoice_id: str
    created_at: str
    deleted: bool = False
    updated_at: str | None = None
    version: int = 0

    def require_not_deleted(self) -> None:
        if self.deleted:
            raise InvoiceDeleted(f"sales order {self.number} is already deleted", details={"sales_order_id": self.id})


class CustomerLocked(Conflict):
    """The invoice's payments or credits tie it to its customer (the spec's guards below)."""

    code = "customer_locked"


def check_customer_change(invoice: Invoice, *, has_overpayment_credit: bool, has_active_payments: bool,
                          has_active_credit_uses: bool) -> None:
    """The spec's guards on reassigning an invoice to another customer."""
    invoice.require_open()
    if has_overpayment_credit:
        raise CustomerLocked("this invoice has an overpayment credit; resolve it (void the payment) before "
                             "changing the customer", code="overpayment_credit_exists")
    if invoice.qbo_id and has_active_payments:
        raise CustomerLocked("this invoice is mapped to QuickBooks and has non-voided payments; void the payments "
                             "first before reassigning the customer", code="synced_invoice_has_payments")
    if has_active_credit_uses:
        raise CustomerLocked("credits of the current customer pay this invoice; void those payments first",
                             code="invoice_paid_with_credits")
