"""How a payment splits between credits and tenders: FIFO or chosen credits, never past the balance."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .credits import Credit, CreditFromSameInvoice, InsufficientCredit
from .errors import Conflict, InvalidInput

MAX_CREDITS_PER_PAYMENT = 30

__all__ = ["ChosenCredit", "CreditFromSameInvoice", "CreditNotApplicable", "CreditsExceedBalance",
           "InsufficientCredit", "MAX_CREDITS_PER_PAYMENT", "PaymentPlan", "check_applicable", "plan_chosen",
           "plan_fifo"]


@dataclass(frozen=True)
class PaymentPlan:
    credit_amounts: list[tuple[Credit, int]]
    tender_total: int
    tender_applied: int
    overpayment: int

    @property
    def credits_total(self) -> int:
        return sum(amount for _, amount in self.credit_amounts)

    @property
    def applied(self) -> int:
        """What the invoice receives from this payment."""
        return self.credits_total + self.tender_applied

    def require_something(self) -> None:
        if self.applied == 0:
            raise InvalidInput("the payment brings nothing: add a tender or a credit with a balance left")


class CreditNotApplicable(Conflict):
    """The chosen credit belongs to another customer or has nothing left to apply."""

    code = "credit_not_applicable"


def check_applicable(credit: Credit, *, invoice_id: str, customer_id: str) -> None:
    """A credit pays only its own customer's other invoices, and only while active."""
    credit.require_may_pay(invoice_id)
    if credit.customer_id != customer_id:
        raise CreditNotApplicable(f"credit {credit.number} belongs to another customer",
                                  details={"credit_id": credit.id})
    if credit.remaining <= 0:
        raise CreditNotApplicable(f"credit {credit.number} is {credit.status.value} with nothing left to apply",
                                  details={"credit_id": credit.id, "status": credit.status.value})


def plan_fifo(balance: int, tender_total: int, credits: Sequence[Credit], *, invoice_id: str,
              customer_id: str) -> PaymentPlan:
    """Oldest credits first cover what the tenders leave unpaid; credits from this invoice are skipped."""
    room = max(0, balance - tender_total)
    chosen: list[tuple[Credit, int]] = []
    for credit in sorted(credits, key=lambda c: (c.created_at, c.id)):
        if room == 0 or len(chosen) == MAX_CREDITS_PER_PAYMENT:
            break
        if not credit.may_pay(invoice_id) or credit.customer_id != customer_id or credit.remaining <= 0:
            continue
        amount = min(credit.remaining, room)
        chosen.append((credit, amount))
        room -= amount
    return _with_tenders(balance, tender_total, chosen)


@dataclass(frozen=True)
class ChosenCredit:
    """A credit the clerk picked for this payment, with the amount to take from it."""

    credit_id: str
    amount: int | None = None  # None: as much as the credit has, up to what is still due


class CreditsExceedBalance(Conflict):
    """The amounts chosen from credits add up to more than the invoice still owes."""

    code = "credits_exceed_balance"


def plan_chosen(balance: int, tender_total: int, credits: Sequence[tuple[Credit, ChosenCredit]], *, invoice_id: str,
                customer_id: str) -> PaymentPlan:
    """Chosen credits apply first, in the order given, up to the balance; tenders pay the rest."""
    if len(credits) > MAX_CREDITS_PER_PAYMENT:
        raise InvalidInput(f"at most {MAX_CREDITS_PER_PAYMENT} credits per payment")
    if len({c.id for c, _ in credits}) != len(credits):
        raise InvalidInput("a credit may be listed once per payment")
    room = balance
    chosen: list[tuple[Credit, int]] = []
    for credit, choice in credits:
        check_applicable(credit, invoice_id=invoice_id, customer_id=customer_id)
        if choice.amount is None:
            amount = min(credit.remaining, room)
        else:
            amount = choice.amount
            credit.require_remaining(amount)
            if amount > room:
                raise CreditsExceedBalance("credits cannot pay more than the invoice balance",
                                           details={"balance": balance, "credit_id": credit.id})
        if amount > 0:
            chosen.append((credit, amount))
            room -= amount
    return _with_tenders(balance, tender_total, chosen)


def _with_tenders(balance: int, tender_total: int, chosen: list[tuple[Credit, int]]) -> PaymentPlan:
    due_after_credits = balance - sum(a for _, a in chosen)
    tender_applied = min(tender_total, due_after_credits)
    return PaymentPlan(chosen, tender_total, tender_applied, tender_total - tender_applied)
