"""Customers and their credit summary."""
from __future__ import annotations

from chalice import Blueprint

from ..services import customers
from . import presenters, schemas
from .routing import Call, endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/customers", "POST", summary="Create a customer", body=schemas.CreateCustomer,
          response=schemas.CustomerOut, status=201)
def create_customer(call: Call):
    return presenters.customer(customers.create_customer(call.principal, name=call.body.name))


@endpoint(bp, "/customers/{customer_id}/credit-summary", "GET", summary="Available credit and outstanding balance",
          response=schemas.CreditSummaryOut)
def credit_summary(call: Call):
    summary = customers.credit_summary(call.principal, call.params["customer_id"],
                                       warning_threshold=call.settings.credit_balance_warning_threshold)
    return presenters.credit_summary(summary, call.principal)
