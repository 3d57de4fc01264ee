"""A customer's credits and invoices, read through the by-customer index for the domain to sum."""
from __future__ import annotations

from ..domain.credits import Credit
from ..domain.invoices import Invoice
from .credits import to_credit
from .models import ByCustomer, CreditItem, InvoiceItem, customer_gsi_pk
from .sales import to_invoice
from .tables import bind


def credits_of_customer(account_id: str, customer_id: str) -> list[Credit]:
    """Every credit of the customer (one query per page of the index)."""
    bind()
    items = CreditItem.by_customer.query(customer_gsi_pk(account_id, customer_id),
                                         ByCustomer.gsi1sk.startswith("CREDIT#"))
    return [to_credit(item) for item in items]


def invoices_of_customer(account_id: str, customer_id: str) -> list[Invoice]:
    """Every invoice of the customer, deleted ones included (the domain decides what counts)."""
    bind()
    items = InvoiceItem.by_customer.query(customer_gsi_pk(account_id, customer_id),
                                          ByCustomer.gsi1sk.startswith("INV#"))
    return [to_invoice(item) for item in items]
