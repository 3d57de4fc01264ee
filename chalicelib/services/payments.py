"""Receive a payment (tenders and credits, one transaction) and void it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..domain.allocation import ChosenCredit, PaymentPlan, plan_chosen, plan_fifo
from ..domain.credits import CreditSource
from ..domain.invoices import Invoice
from ..domain.payments import Payment, PaymentCreditUse, Tender, validate_tenders
from ..domain.permissions import Permission, Principal
from ..store.ids import new_id
from ..store.ledger import Ledger, ledger_use_case
from ..store.uow import dry_run
from .postings import (
    issue_credit,
    load_for_voiding,
    payment_links,
    take_back,
    void_payment_and_release,
    void_with_origin,
)

CreditChoice = Literal["fifo"] | list[ChosenCredit] | None


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    invoice: Invoice


@dataclass(frozen=True)
class PaymentPreview:
    """What a payment would do now: the invoice as it stands and the split of the money."""

    invoice: Invoice
    plan: PaymentPlan


def _plan(principal: Principal, book: Ledger, invoice_id: str, tenders: list[Tender],
          credits: CreditChoice) -> PaymentPreview:
    """Tenders first, then credits (FIFO or the chosen ones) up to the balance; a tender beyond it is a credit."""
    principal.require(Permission.RECEIVE_PAYMENTS)
    if credits:
        principal.require_credits()
    validate_tenders(tenders)
    tender_total = sum(t.amount for t in tenders)
    chosen = credits if isinstance(credits, list) else []
    book.load(book.invoices.key(invoice_id), *(book.credits.key(c.credit_id) for c in chosen))
    invoice = book.invoices.get(invoice_id)
    invoice.require_payable()
    scope = {"invoice_id": invoice.id, "customer_id": invoice.customer_id}
    if chosen:
        plan = plan_chosen(invoice.balance, tender_total, [(book.credits.get(c.credit_id), c) for c in chosen],
                           **scope)
    else:
        candidates = book.credits.of_customer(invoice.customer_id) if credits == "fifo" else []
        plan = plan_fifo(invoice.balance, tender_total, candidates, **scope)
    return PaymentPreview(invoice, plan)


def preview_payment(principal: Principal, invoice_id: str, *, tenders: list[Tender],
                    credits: CreditChoice) -> PaymentPreview:
    """What receive_payment with these tenders and credits would do now (the Receive Payment dialog's live
    balance), decided by the same code on fresh reads and never committed; refuses what the payment would refuse,
    except a payment that brings nothing (the dialog before anything is entered)."""
    return dry_run(principal.account_id, lambda uow: _plan(principal, Ledger(uow), invoice_id, tenders, credits))


@ledger_use_case
def receive_payment(principal: Principal, book: Ledger, now: str, invoice_id: str, *, tenders: list[Tender],
                    credits: CreditChoice, payment_number: str | None = None) -> PaymentResult:
    """The planned split (see _plan) in one transaction: credit uses, an overpayment credit, the payment."""
    planned = _plan(principal, book, invoice_id, tenders, credits)
    invoice, plan = planned.invoice, planned.plan
    plan.require_something()
    payment_id = new_id()
    uses = [book.uses.add(credit.apply(use_id=new_id(), payment_id=payment_id, invoice_id=invoice.id,
                                       amount=amount, now=now)) for credit, amount in plan.credit_amounts]
    overpayment = None
    if plan.overpayment:
        overpayment = issue_credit(book, customer_id=invoice.customer_id, source=CreditSource.OVERPAYMENT,
                                   amount=plan.overpayment, now=now, origin_invoice_id=invoice.id,
                                   origin_payment_id=payment_id,
                                   internal_note=f"overpayment on invoice {invoice.number}")
    payment = book.payments.add(Payment(
        id=payment_id, number=payment_number or book.counters.next("payment", "PAY"), invoice_id=invoice.id,
        customer_id=invoice.customer_id, tenders=tenders, tender_applied=plan.tender_applied,
        credit_uses=[PaymentCreditUse(use.id, use.credit_id, use.amount) for use in uses],
        created_at=now, updated_at=now, overpayment_credit_id=overpayment.id if overpayment else None))
    invoice.receive(plan.applied, now=now)
    invoice.payment_ids.append(payment_id)
    return PaymentResult(payment, invoice)


@ledger_use_case
def void_payment(principal: Principal, book: Ledger, now: str, payment_id: str) -> PaymentResult:
    """Void tenders and credit uses (kept visible), give credits back, remove the overpayment credit."""
    principal.require(Permission.RECEIVE_PAYMENTS)
    payment = book.payments.get(payment_id)
    invoice = book.invoices.get(payment.invoice_id)
    load_for_voiding(book, invoice, [payment])
    applied = payment.applied
    void_payment_and_release(book, payment, now)
    if payment.overpayment_credit_id:
        void_with_origin(book, payment.overpayment_credit_id, now=now, reason=f"payment {payment.number} voided")
    take_back(book, invoice, applied, now, links=payment_links(book, payment))
    return PaymentResult(payment, invoice)
