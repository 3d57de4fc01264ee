"""A credit's lineage: where it came from (return lines, or invoice and payment), and every invoice it paid."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import Credit, CreditUse
from ..domain.invoices import Invoice
from ..domain.payments import Payment
from ..domain.permissions import Principal
from ..domain.returns import CustomerReturn
from ..store.ledger import Ledger


@dataclass(frozen=True)
class Lineage:
    credit: Credit
    customer_return: CustomerReturn | None
    origin_invoice: Invoice | None
    origin_payment: Payment | None
    uses: list[CreditUse]
    payments: dict[str, Payment]
    invoices: dict[str, Invoice]


def credit_lineage(principal: Principal, credit_id: str) -> Lineage:
    """Three reads: the credit, its uses (one Query), then one BatchGetItem for its origin and every use's payment
    and invoice."""
    principal.require_credits()
    book = Ledger.reading(principal.account_id)
    credit = book.credits.get(credit_id)
    uses = book.uses.of_credit(credit_id)
    book.load(*([book.returns.key(credit.return_id)] if credit.return_id else []),
              *([book.invoices.key(credit.origin_invoice_id)] if credit.origin_invoice_id else []),
              *([book.payments.key(credit.origin_payment_id)] if credit.origin_payment_id else []),
              *(book.payments.key(u.payment_id) for u in uses),
              *(book.invoices.key(u.invoice_id) for u in uses))
    return Lineage(
        credit=credit,
        customer_return=book.returns.find(credit.return_id) if credit.return_id else None,
        origin_invoice=book.invoices.find(credit.origin_invoice_id) if credit.origin_invoice_id else None,
        origin_payment=book.payments.find(credit.origin_payment_id) if credit.origin_payment_id else None,
        uses=uses,
        payments={u.payment_id: p for u in uses if (p := book.payments.find(u.payment_id))},
        invoices={u.invoice_id: i for u in uses if (i := book.invoices.find(u.invoice_id))})
