"""Customers and the credit summary of the sales-order form."""
from __future__ import annotations

from ..domain.customers import CreditSummary
from ..domain.permissions import Permission, Principal
from ..store import accounts as accounts_store
from ..store import balances
from ..store.reads import index_customer_name
from ..store.ids import new_id, utc_now
from ..store.models import CustomerItem, account_pk


def create_customer(principal: Principal, *, name: str) -> CustomerItem:
    principal.require(Permission.MANAGE_SALES)
    customer_id = new_id()
    customer = CustomerItem(account_pk(principal.account_id), f"CUST#{customer_id}", id=customer_id, name=name,
                            created_at=utc_now())
    index_customer_name(principal.account_id, customer)
    accounts_store.save_new(customer)
    return customer


def credit_summary(principal: Principal, customer_id: str, *, warning_threshold: int | None) -> CreditSummary:
    """Always answered; the caller decides what to show (credit fields only to those who may view credits)."""
    accounts_store.get_customer(principal.account_id, customer_id)
    available = balances.available_credit(principal.account_id, customer_id) if principal.sees_credits else 0
    return CreditSummary(customer_id, available, balances.outstanding_balance(principal.account_id, customer_id),
                         warning_threshold)
