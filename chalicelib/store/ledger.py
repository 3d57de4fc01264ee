"""Every repository a money-moving use case needs, sharing one unit of work."""
from __future__ import annotations

from .accounts import Customers
from .counters import Counters
from .credit_uses import CreditUses
from .credits import CreditRepository
from .repository import load_into
from .sales import Invoices, Payments, Returns, SalesOrders
from .uow import UnitOfWork


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
