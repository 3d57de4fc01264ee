"""Customers: create, list, read, rename, and their credit summary."""
from __future__ import annotations

from chalice import Blueprint

from ..services import customers, reads, reports
from . import presenters
from .plain_routes import by_id, listing
from .routing import Call, endpoint
from .wire.customers import (
    CreateCustomer,
    CreditSummaryAsOfOut,
    CreditSummaryQuery,
    CustomerList,
    CustomerListQuery,
    CustomerOut,
    RenameCustomer,
)

bp = Blueprint(__name__)


@endpoint(bp, "/customers", "POST", summary="Create a customer", body=CreateCustomer,
          response=CustomerOut, status=201,
          description=("Creates a customer. While the account syncs with QuickBooks it is pushed (linked to a QBO "
                       "customer of the same DisplayName, or created).\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `403 forbidden` without manage_sales; `400 invalid_request` for an empty or "
                       "too long name; the common errors in the introduction."),
          example={"name": "Green Leaf Dispensary"})
def create_customer(call: Call):
    return presenters.customer(customers.create_customer(call.principal, name=call.body.name))


listing(bp, "/customers", reads.list_customers, presenters.customer, query=CustomerListQuery, response=CustomerList,
        summary="List customers by name; q matches the start of the name in any case",
        description=("One page of customers by name A\u2192Z; `q` matches the start of the name in any case.\n\n"
                     "**Who:** `manage_sales`, `receive_payments` or `view_credits`.\n\n"
                     "**Errors:** `403 forbidden` with none of those; the common errors in the introduction."),
        example={"data": [{"id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "name": "Green Leaf Dispensary",
                 "created_at": "2026-11-26T13:20:01.123456Z", "qbo_id": "58", "sync_status": "synced",
                 "sync_error": None}], "next_cursor": None})
by_id(bp, "GET", "/customers/{customer_id}", reads.get_customer, presenters.customer, response=CustomerOut,
      summary="Read a customer",
      description=("One customer with its QuickBooks id and sync status.\n\n"
                   "**Who:** `manage_sales`, `receive_payments` or `view_credits`.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "name": "Green Leaf Dispensary",
               "created_at": "2026-11-26T13:20:01.123456Z", "qbo_id": "58", "sync_status": "synced",
               "sync_error": None})


@endpoint(bp, "/customers/{customer_id}", "PATCH", summary="Rename a customer", body=RenameCustomer,
          response=CustomerOut,
          description=("Renames a customer; while the account syncs, the new name becomes the QBO customer's "
                       "DisplayName.\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
          example={"name": "Green Leaf Dispensary LLC"})
def rename_customer(call: Call):
    return presenters.customer(customers.rename_customer(call.principal, call.params["customer_id"], call.body.name))


@endpoint(bp, "/customers/{customer_id}/credit-summary", "GET",
          summary="Available credit and outstanding balance, now or as_of a date or time",
          query=CreditSummaryQuery, response=CreditSummaryAsOfOut,
          description=("The customer's available credit and outstanding balance, with `warning` when the balance "
                       "exceeds the account's threshold (the Sales Order form always shows it). `as_of` (a date, "
                       "meaning its end in UTC, or an ISO time) answers as things stood then (see the README for "
                       "what history covers).\n\n"
                       "**Who:** what reading the customer needs; `available_credit` only for those who may view "
                       "credits.\n\n"
                       "**Errors:** `403 forbidden`; `404 not_found`; `400 invalid_request` for a bad `as_of`; the "
                       "common errors in the introduction."),
          example={"customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "available_credit": "45.00",
                   "outstanding_balance": "620.00", "warning_threshold": "500.00", "warning": True})
def credit_summary(call: Call):
    if call.query.as_of is not None:
        at = reports.moment(call.query.as_of)
        summary = reports.credit_summary_as_of(call.principal, call.params["customer_id"], at,
                                               warning_threshold=call.settings.credit_balance_warning_threshold)
        return presenters.credit_summary_as_of(summary, at)
    summary = customers.credit_summary(call.principal, call.params["customer_id"],
                                       warning_threshold=call.settings.credit_balance_warning_threshold)
    return presenters.credit_summary(summary)
