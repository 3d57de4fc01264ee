"""Every repository a money-moving use case needs, sharing one unit of work."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, TypeVar

from .accounts import Customers
from .counters import Counters
from .credit_uses import CreditUses
from .credits import CreditRepository
from .repository import load_into
from .sales import Invoices, Payments, Returns, SalesOrders
from .ids import utc_now
from .uow import UnitOfWork, run_in_transaction

if TYPE_CHECKING:
    from ..domain.permissions import Principal

T = TypeVar("T")


class Ledger:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.credits = CreditRepository(uow)
        self.uses = CreditUses(uow)
        self.invoices = Invoices(uow)
        self.payments = Payments(uow)
        self.sales_orders = SalesOrders(uow)
        self.returns = Returns(uow)
        self.counters = Counters(uow)
        self.customers = Customers(uow)

    def load(self, *keys) -> None:
        load_into(self.uow, keys)


def in_ledger(principal: Principal, decide: Callable[[Ledger, str], T]) -> T:
    """A money-moving use case as one transaction on the principal's account: `decide(book, now)` reads and changes
    the ledger at one clock reading; changes QBO must see are marked pending when the account syncs, and a lost race
    runs it again on fresh data (run_in_transaction)."""
    return run_in_transaction(principal.account_id, lambda uow: decide(Ledger(uow), utc_now()),
                              sync_intent=principal.qbo_sync)
