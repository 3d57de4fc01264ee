"""Customers: create, list, read, rename, and their credit summary."""
from __future__ import annotations

from chalice import Blueprint

from ..services import customers, reads, reports
from . import presenters
from .plain_routes import by_id, listing
from .routing import Call, endpoint
from .wire.customers import (
    CreateCustomer, CreditSummaryAsOfOut, CreditSummaryQuery, CustomerList, CustomerListQuery, CustomerOut,
    RenameCustomer)

bp = Blueprint(__name__)


@endpoint(bp, "/customers", "POST", summary="Create a customer", body=CreateCustomer,
          response=CustomerOut, status=201)
def create_customer(call: Call):
    return presenters.customer(customers.create_customer(call.principal, name=call.body.name))


listing(bp, "/customers", reads.list_customers, presenters.customer, query=CustomerListQuery, response=CustomerList,
        summary="List customers by name; q matches the start of the name in any case")
by_id(bp, "GET", "/customers/{customer_id}", reads.get_customer, presenters.customer, response=CustomerOut,
      summary="Read a customer")


@endpoint(bp, "/customers/{customer_id}", "PATCH", summary="Rename a customer", body=RenameCustomer,
          response=CustomerOut)
def rename_customer(call: Call):
    return presenters.customer(customers.rename_customer(call.principal, call.params["customer_id"], call.body.name))


@endpoint(bp, "/customers/{customer_id}/credit-summary", "GET",
          summary="Available credit and outstanding balance, now or as_of a date or time",
          query=CreditSummaryQuery, response=CreditSummaryAsOfOut)
def credit_summary(call: Call):
    if call.query.as_of is not None:
        at = reports.moment(call.query.as_of)
        summary = reports.credit_summary_as_of(call.principal, call.params["customer_id"], at,
                                               warning_threshold=call.settings.credit_balance_warning_threshold)
        return presenters.credit_summary_as_of(summary, at)
    summary = customers.credit_summary(call.principal, call.params["customer_id"],
                                       warning_threshold=call.settings.credit_balance_warning_threshold)
    return presenters.credit_summary(summary)
