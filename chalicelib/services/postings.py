"""Ledger moves shared by several use cases: issuing generated credits, taking money back from an invoice."""
from __future__ import annotations

from ..domain.credits import Credit, CreditSource, CreditStatus
from ..domain.invoices import Invoice
from ..domain.payments import Payment
from ..store.ids import new_id
from ..store.ledger import Ledger


def issue_credit(book: Ledger, *, customer_id: str, source: CreditSource, amount: int, now: str, **lineage) -> Credit:
    """A new credit numbered from the account's sequence, saved with the use case's transaction."""
    credit = Credit.issue(id=new_id(), number=book.counters.next("credit", "CR"), customer_id=customer_id,
                          source=source, amount=amount, now=now, **lineage)
    return book.credits.add(credit)


def issue_adjustment_credit(book: Ledger, invoice: Invoice, amount: int, now: str) -> Credit:
    """Credit what was paid above an invoice's (new) total; it can never pay that same invoice."""
    credit = issue_credit(book, customer_id=invoice.customer_id, source=CreditSource.INVOICE_ADJUSTMENT,
                          amount=amount, now=now, origin_invoice_id=invoice.id,
                          internal_note=f"invoice {invoice.number} reduced below the amount paid")
    invoice.adjustment_credit_ids.append(credit.id)
    return credit


def take_back(book: Ledger, invoice: Invoice, amount: int, now: str) -> None:
    """Remove a voided payment's or credit use's contribution, undoing adjustment credits it had funded."""
    reversal = invoice.reverse(amount, now=now)
    for credit_id in reversal.undone_adjustment_credit_ids:
        book.credits.get(credit_id).void_with_origin(now=now, reason=f"payment on {invoice.number} voided")
    if reversal.new_excess:
        issue_adjustment_credit(book, invoice, reversal.new_excess, now)


def void_payment_and_release(book: Ledger, payment: Payment, now: str) -> None:
    """Void a payment's tenders and credit uses; each credit gets its amount back (the uses stay listed)."""
    for use in payment.void(now=now):
        book.credits.get(use.credit_id).release(use.id, now=now)


def remove_with_invoice(book: Ledger, credit_id: str, now: str, reason: str) -> None:
    book.credits.get(credit_id).void_with_origin(now=now, reason=reason, status=CreditStatus.DELETED)
