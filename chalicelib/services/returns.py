"""Customer returns: record them, complete them once into a credit with the returned lineage."""
from __future__ import annotations

from ..domain.credits import CreditSource
from ..domain.permissions import Permission, Principal
from ..domain.returns import CustomerReturn, ReturnLine
from ..store.ids import new_id
from ..store.ledger import Ledger, ledger_use_case
from .postings import issue_credit


@ledger_use_case
def create_return(principal: Principal, book: Ledger, now: str, *, customer_id: str,
                  lines: list[ReturnLine]) -> CustomerReturn:
    principal.require(Permission.MANAGE_SALES)
    book.load(book.customers.key(customer_id))
    book.customers.get(customer_id)
    customer_return = CustomerReturn(id=new_id(), number=book.counters.next("return", "RET"),
                                     customer_id=customer_id, lines=lines, created_at=now)
    customer_return.require_valid_total()
    return book.returns.add(customer_return)


def get_return(principal: Principal, return_id: str) -> CustomerReturn:
    principal.require(Permission.MANAGE_SALES)
    return Ledger.reading(principal.account_id).returns.get(return_id)


@ledger_use_case
def complete_return(principal: Principal, book: Ledger, now: str, return_id: str) -> CustomerReturn:
    """Issue one credit for the return total; completing again answers with that same credit."""
    principal.require(Permission.MANAGE_SALES)
    principal.require_credits(Permission.CREATE_CREDITS)
    book.load(book.returns.key(return_id))
    customer_return = book.returns.get(return_id)
    if customer_return.credit_id:
        return customer_return
    credit = issue_credit(book, customer_id=customer_return.customer_id, source=CreditSource.RETURN,
                          amount=customer_return.total, now=now, return_id=customer_return.id,
                          line_items=[line.lineage() for line in customer_return.lines],
                          internal_note=f"return {customer_return.number}")
    customer_return.complete(credit_id=credit.id, now=now)
    return customer_return
