"""List and detail reads an integrator builds screens from: customers, invoices, payments, orders, returns, roles,
users. Lists answer `{"data": [...], "next_cursor": ...}` from one key range of an index, never a Scan."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chalice import Blueprint

from ..domain.permissions import ADMIN_ROLE_ID, ADMIN_ROLE_NAME, ALL_PERMISSIONS
from ..services import reads
from ..store.cursor import decode_position, encode_position
from . import presenters
from .routing import Call, endpoint
from .wire.common import ListQuery
from .wire.customers import CustomerOut
from .wire.reads import (
    CustomerList, CustomerListQuery, InvoiceList, InvoiceListQuery, PaymentList, PaymentListQuery, RenameCustomer,
    ReturnList, ReturnListQuery, RoleList, UserList)
from .wire.sales import PaymentOut, SalesOrderOut

if TYPE_CHECKING:
    from ..store.reads import Page

bp = Blueprint(__name__)


def _listed(call: Call, list_page: Callable[..., Page], present: Callable[[Any], dict]) -> dict:
    """One page of a list: the query's filters (every field but the page's own) and page go to the read use case
    as they are named, each row is presented, and the next page's cursor is encoded."""
    query = call.query
    page = list_page(call.principal, **query.model_dump(exclude={"limit", "cursor"}), limit=query.limit,
                     after=decode_position(query.cursor))
    return {"data": [present(x) for x in page.items], "next_cursor": encode_position(page.next_position)}


@endpoint(bp, "/customers", "GET", summary="List customers by name; q matches the start of the name in any case",
          query=CustomerListQuery, response=CustomerList)
def list_customers(call: Call):
    return _listed(call, reads.list_customers, presenters.customer)


@endpoint(bp, "/customers/{customer_id}", "GET", summary="Read a customer", response=CustomerOut)
def get_customer(call: Call):
    return presenters.customer(reads.get_customer(call.principal, call.params["customer_id"]))


@endpoint(bp, "/customers/{customer_id}", "PATCH", summary="Rename a customer", body=RenameCustomer,
          response=CustomerOut)
def rename_customer(call: Call):
    return presenters.customer(reads.rename_customer(call.principal, call.params["customer_id"], call.body.name))


@endpoint(bp, "/invoices", "GET", summary="List invoices oldest first (filters customer_id, status)",
          query=InvoiceListQuery, response=InvoiceList)
def list_invoices(call: Call):
    return _listed(call, reads.list_invoices, lambda i: presenters.invoice_row(i, call.principal))


@endpoint(bp, "/payments", "GET", summary="List payments oldest first (filters invoice_id, customer_id, status)",
          query=PaymentListQuery, response=PaymentList)
def list_payments(call: Call):
    return _listed(call, reads.list_payments, lambda p: presenters.payment_row(p, call.principal))


@endpoint(bp, "/payments/{payment_id}", "GET", summary="Read a payment with its invoice's balance",
          response=PaymentOut)
def get_payment(call: Call):
    return presenters.payment_view(reads.get_payment(call.principal, call.params["payment_id"]), call.principal)


@endpoint(bp, "/sales-orders/{sales_order_id}", "GET", summary="Read a sales order with its invoice's balance",
          response=SalesOrderOut)
def get_sales_order(call: Call):
    return presenters.order_view(reads.get_sales_order(call.principal, call.params["sales_order_id"]))


@endpoint(bp, "/returns", "GET", summary="List returns oldest first (filters customer_id, status)",
          query=ReturnListQuery, response=ReturnList)
def list_returns(call: Call):
    return _listed(call, reads.list_returns, lambda r: presenters.customer_return(r, call.principal))


@endpoint(bp, "/roles", "GET", summary="List roles (manage_roles); the built-in Admin role opens the first page",
          query=ListQuery, response=RoleList)
def list_roles(call: Call):
    listed = _listed(call, reads.list_roles, presenters.role)
    if not call.query.cursor:
        admin = {"id": ADMIN_ROLE_ID, "name": ADMIN_ROLE_NAME, "permissions": sorted(p.value for p in ALL_PERMISSIONS)}
        listed["data"].insert(0, admin)
    return listed


@endpoint(bp, "/users", "GET", summary="List the account's users and their roles (manage_roles)",
          query=ListQuery, response=UserList)
def list_users(call: Call):
    return _listed(call, reads.list_users, presenters.user_row)
