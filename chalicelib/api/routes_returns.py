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
          response=ReturnOut, status=201,
          description=("Records a customer return: lines with product, package, batch, quantity and unit price. "
                       "Completing it issues the credit.\n\n"
                       "**Who:** `manage_sales`.\n\n"
                       "**Errors:** `404 not_found` for an unknown customer; `400 invalid_amount` / `400 "
                       "amount_too_large`; `403 forbidden`; the common errors in the introduction."),
          example={"customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "lines": [{"product_id": "SKU-12",
                   "package_id": "PKG-7", "batch_id": "B-2026-11", "quantity": "2", "unit_price": "15.00"}]})
def create_return(call: Call):
    lines = [ReturnLine(line.product_id, line.package_id, line.batch_id, line.quantity, parse_cents(line.unit_price))
             for line in call.body.lines]
    created = returns.create_return(call.principal, customer_id=call.body.customer_id, lines=lines)
    return presenters.customer_return(created)


listing(bp, "/returns", reads.list_returns, presenters.customer_return, query=ReturnListQuery, response=ReturnList,
        summary="List returns oldest first (filters customer_id, status)",
        description=("One page of returns, oldest first, filtered by `customer_id` and `status`.\n\n"
                     "**Who:** `manage_sales` or `receive_payments`.\n\n"
                     "**Errors:** `403 forbidden`; `400 invalid_request`; the common errors in the introduction."),
        example={"data": [], "next_cursor": None})
by_id(bp, "GET", "/returns/{return_id}", returns.get_return, presenters.customer_return, response=ReturnOut,
      summary="Read a return",
      description=("One return with its lines and, once completed, its `credit_id`.\n\n"
                   "**Who:** `manage_sales`.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"id": "01JF3QRET000000000000000000", "number": "RET-1001",
               "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "status": "open", "lines": [{"product_id": "SKU-12",
               "package_id": "PKG-7", "batch_id": "B-2026-11", "quantity": "2", "unit_price": "15.00",
               "total": "30.00"}], "total": "30.00", "credit_id": None, "created_at": "2026-11-26T13:20:01.123456Z",
               "completed_at": None})
by_id(bp, "POST", "/returns/{return_id}/complete", returns.complete_return, presenters.customer_return,
      response=ReturnOut, summary="Complete a return, issuing its credit once",
      description=("Marks the return Completed and issues, once, a credit for its total that keeps the lineage of "
                   "the returned products, packages and batches (its Line Items).\n\n"
                   "**Who:** `manage_sales`, and `view_credits` + `create_credits` with credits switched on.\n\n"
                   "**Errors:** `403 credits_disabled`; `403 forbidden`; `404 not_found`; the common errors in the "
                   "introduction."),
      example={"id": "01JF3QRET000000000000000000", "number": "RET-1001",
               "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "status": "completed", "lines": [{"product_id": "SKU-12",
               "package_id": "PKG-7", "batch_id": "B-2026-11", "quantity": "2", "unit_price": "15.00",
               "total": "30.00"}], "total": "30.00", "credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6",
               "created_at": "2026-11-26T13:20:01.123456Z", "completed_at": "2026-11-27T09:00:00.000000Z"})
