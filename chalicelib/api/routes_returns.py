"""Customer returns: record, list, read, complete."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.money import parse_cents
from ..domain.returns import ReturnLine
from ..services import reads, returns
from . import presenters
from .listing import listed
from .routing import Call, endpoint
from .wire.returns import CreateReturn, ReturnList, ReturnListQuery, ReturnOut

bp = Blueprint(__name__)


@endpoint(bp, "/returns", "POST", summary="Record a customer return", body=CreateReturn,
          response=ReturnOut, status=201)
def create_return(call: Call):
    lines = [ReturnLine(line.product_id, line.package_id, line.batch_id, line.quantity, parse_cents(line.unit_price))
             for line in call.body.lines]
    created = returns.create_return(call.principal, customer_id=call.body.customer_id, lines=lines)
    return presenters.customer_return(created, call.principal)


@endpoint(bp, "/returns", "GET", summary="List returns oldest first (filters customer_id, status)",
          query=ReturnListQuery, response=ReturnList)
def list_returns(call: Call):
    return listed(call, reads.list_returns, lambda r: presenters.customer_return(r, call.principal))


@endpoint(bp, "/returns/{return_id}", "GET", summary="Read a return", response=ReturnOut)
def get_return(call: Call):
    return presenters.customer_return(returns.get_return(call.principal, call.params["return_id"]), call.principal)


@endpoint(bp, "/returns/{return_id}/complete", "POST", summary="Complete a return, issuing its credit once",
          response=ReturnOut)
def complete_return(call: Call):
    completed = returns.complete_return(call.principal, call.params["return_id"])
    return presenters.customer_return(completed, call.principal)
