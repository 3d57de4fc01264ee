"""Read use cases behind the list and detail routes: who may read what, then one index read.

Sales objects (customers, invoices, payments, orders, returns) are read by anyone who sells or takes payments;
customers also by whoever may view credits (the credits table names them); roles and users need manage_roles.
"""
from __future__ import annotations

from ..domain.invoices import Invoice
from ..domain.payments import Payment
from ..domain.permissions import Permission, Principal
from ..store import accounts as accounts_store
from ..store import reads
from ..store.ledger import Ledger
from ..store.models import CustomerItem
from .payments import PaymentResult
from .sales import OrderView

SALES_READERS = (Permission.MANAGE_SALES, Permission.RECEIVE_PAYMENTS)


def list_customers(principal: Principal, *, q: str | None, limit: int, after: str | None) -> reads.Page[CustomerItem]:
    principal.require_customer_reader()
    return reads.customers(principal.account_id, name_prefix=q, limit=limit, after=after)


def get_customer(principal: Principal, customer_id: str) -> CustomerItem:
    principal.require_customer_reader()
    return accounts_store.get_customer(principal.account_id, customer_id)


def list_invoices(principal: Principal, **filters) -> reads.Page[Invoice]:
    principal.require_any(*SALES_READERS)
    return reads.invoices(principal.account_id, **filters)


def list_payments(principal: Principal, **filters) -> reads.Page[Payment]:
    principal.require_any(*SALES_READERS)
    return reads.payments(principal.account_id, **filters)


def get_payment(principal: Principal, payment_id: str) -> PaymentResult:
    principal.require_any(*SALES_READERS)
    book = Ledger.reading(principal.account_id)
    payment = book.payments.get(payment_id)
    return PaymentResult(payment, book.invoices.get(payment.invoice_id))


def get_sales_order(principal: Principal, order_id: str) -> OrderView:
    principal.require_any(*SALES_READERS)
    book = Ledger.reading(principal.account_id)
    order = book.sales_orders.get(order_id)
    return OrderView(order, book.invoices.get(order.invoice_id))


def list_returns(principal: Principal, **filters):
    principal.require_any(*SALES_READERS)
    return reads.returns(principal.account_id, **filters)


def list_roles(principal: Principal, *, limit: int, after: str | None):
    principal.require(Permission.MANAGE_ROLES)
    return reads.roles(principal.account_id, limit=limit, after=after)


def list_users(principal: Principal, *, limit: int, after: str | None):
    principal.require(Permission.MANAGE_ROLES)
    return reads.users(principal.account_id, limit=limit, after=after)
