"""Customers and the credit summary of the sales-order form."""
from __future__ import annotations

from ..domain.customers import CreditSummary, available_credit, outstanding_balance
from ..domain.permissions import Permission, Principal
from ..store import accounts as accounts_store
from ..store import balances
from ..store.ids import new_id, utc_now
from ..store.reads import index_customer_name
from ..store.models import CustomerItem
from ..store.uow import UnitOfWork, run_in_transaction


def create_customer(principal: Principal, *, name: str) -> CustomerItem:
    """A new customer of this account."""
    principal.require(Permission.MANAGE_SALES)

    def write(uow: UnitOfWork) -> CustomerItem:
        customer_id = new_id()
        customer = accounts_store.Customers(uow).new(customer_id, id=customer_id, name=name, created_at=utc_now())
        index_customer_name(principal.account_id, customer)
        return customer

    return run_in_transaction(principal.account_id, write, sync_intent=principal.qbo_sync)


def credit_summary(principal: Principal, customer_id: str, *, warning_threshold: int | None) -> CreditSummary:
    """Always answered; the caller decides what to show (credit fields only to those who may view credits)."""
    account_id = principal.account_id
    accounts_store.get_customer(account_id, customer_id)
    # only read credits for someone who will see what they add up to
    credits = balances.credits_of_customer(account_id, customer_id) if principal.sees_credits else []
    return CreditSummary(customer_id, available_credit(credits),
                         outstanding_balance(balances.invoices_of_customer(account_id, customer_id)), warning_threshold)
