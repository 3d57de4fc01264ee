"""Customers: create and rename them, and the credit summary of the sales-order form."""
from __future__ import annotations

from ..domain.customers import CreditSummary, available_credit, outstanding_balance
from ..domain.permissions import Permission, Principal
from ..store import accounts as accounts_store
from ..store import balances
from ..store.ids import new_id
from ..store.ledger import Ledger, ledger_use_case
from ..store.models import CustomerItem
from ..store.reads import index_customer_name


@ledger_use_case
def create_customer(principal: Principal, book: Ledger, now: str, *, name: str) -> CustomerItem:
    """A new customer of this account."""
    principal.require(Permission.MANAGE_SALES)
    customer_id = new_id()
    customer = book.customers.new(customer_id, id=customer_id, name=name, created_at=now)
    index_customer_name(principal.account_id, customer)
    return customer


@ledger_use_case
def rename_customer(principal: Principal, book: Ledger, now: str, customer_id: str, name: str) -> CustomerItem:
    """New display name; the lowercased name key moves with it so search finds the new name only."""
    principal.require(Permission.MANAGE_SALES)
    customer = book.customers.get(customer_id)
    customer.name = name
    index_customer_name(principal.account_id, customer)
    return customer


def credit_summary(principal: Principal, customer_id: str, *, warning_threshold: int | None) -> CreditSummary:
    """Always answered; the caller decides what to show (credit fields only to those who may view credits)."""
    principal.require_customer_reader()
    account_id = principal.account_id
    accounts_store.get_customer(account_id, customer_id)
    # only read credits for someone who will see what they add up to
    credits = balances.credits_of_customer(account_id, customer_id) if principal.sees_credits else []
    return CreditSummary(customer_id, available_credit(credits),
                         outstanding_balance(balances.invoices_of_customer(account_id, customer_id)), warning_threshold)
