"""Customer returns: record, list, read, complete."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.money import parse_cents
from ..domain.returns import ReturnLine
from ..services import reads, returns
from . import presenters
from .plain_routes import by_id, listing
from .routing import Call, endpoint
from .wire.returns import CreateReturn, ReturnList, ReturnListQuery, ReturnOut

bp = Blueprint(__name__)


@endpoint(bp, "/returns", "POST", summary="Record a customer return", body=CreateReturn,
          response=ReturnOut, status=201)
def create_return(call: Call):
    lines = [ReturnLine(line.product_id, line.package_id, line.batch_id, line.quantity, parse_cents(line.unit_price))
             for line in call.body.lines]
    created = returns.create_return(call.principal, customer_id=call.body.customer_id, lines=lines)
    return presenters.customer_return(created)


listing(bp, "/returns", reads.list_returns, presenters.customer_return, query=ReturnListQuery, response=ReturnList,
        summary="List returns oldest first (filters customer_id, status)")
by_id(bp, "GET", "/returns/{return_id}", returns.get_return, presenters.customer_return, response=ReturnOut,
      summary="Read a return")
by_id(bp, "POST", "/returns/{return_id}/complete", returns.complete_return, presenters.customer_return,
      response=ReturnOut, summary="Complete a return, issuing its credit once")
