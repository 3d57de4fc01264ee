"""Every repository a use case that changes the ledger needs, sharing one unit of work."""
from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Callable, Concatenate, Iterable, ParamSpec, TypeVar

from ..domain.sync_kinds import use_key
from .accounts import Customers
from .counters import Counters
from .credit_uses import CreditUses
from .credits import CreditRepository
from .ids import utc_now
from .repository import load_into
from .sales import Invoices, Payments, Returns, SalesOrders
from .uow import UnitOfWork, run_in_transaction

if TYPE_CHECKING:
    from ..domain.credits import Credit, CreditUse
    from ..domain.invoices import Invoice
    from ..domain.payments import Payment
    from ..domain.permissions import Principal

T = TypeVar("T")
P = ParamSpec("P")


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

    @classmethod
    def reading(cls, account_id: str) -> Ledger:
        """The account's ledger to read from, outside any transaction (nothing it holds is ever committed)."""
        return cls(UnitOfWork(account_id))

    def load(self, *keys, consistent: bool = True) -> None:
        load_into(self.uow, keys, consistent=consistent)

    def with_sync_documents(self, payments: list[Payment], invoice: Invoice | None = None) -> None:
        """Attach to each payment its credit uses' sync states (one batch read), and to the invoice what its payments
        send: each then reads synced only when every document it sends to QBO is there."""
        uses = [(u.credit_id, u.id) for p in payments for u in p.credit_uses]
        if uses:
            self.load(*(self.uses.key_of(*use) for use in uses))
        for payment in payments:
            found = {u.id: self.uses.find(use_key(u.credit_id, u.id)) for u in payment.credit_uses}
            payment.use_states = {use_id: use.sync for use_id, use in found.items() if use is not None}
        if invoice is not None:
            invoice.payment_documents = [doc for p in payments for doc in (p.documents() or [p.sync])]


def ledger_use_case(
        decide: Callable[Concatenate[Principal, Ledger, str, P], T]) -> Callable[Concatenate[Principal, P], T]:
    """A use case that changes the ledger, called as `use_case(principal, ...)`, run as one transaction on the
    principal's account: `decide(principal, book, now, ...)` checks what the principal may do, then reads and changes
    the ledger at one clock reading. Changes QBO must see are marked pending when the account syncs, and a lost race
    runs it again on fresh data (run_in_transaction). Its signature, as tools show it, is the one callers use."""

    @functools.wraps(decide)
    def use_case(principal: Principal, *args: P.args, **kwargs: P.kwargs) -> T:
        return run_in_transaction(principal.account_id,
                                  lambda uow: decide(principal, Ledger(uow), utc_now(), *args, **kwargs),
                                  sync_kinds=principal.sync_kinds)

    declared = inspect.signature(decide)
    principal_param, _book, _now, *rest = declared.parameters.values()
    use_case.__signature__ = declared.replace(parameters=[principal_param, *rest])
    return use_case


class LedgerBook:
    """The ledger as the sync planner reads it (domain.sync_plan.Book): each list is one batch read, and what a
    read already brought is not read again."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def credit(self, credit_id: str) -> Credit:
        return self.ledger.credits.get(credit_id)

    def credits_of(self, credit_ids: Iterable[str]) -> list[Credit]:
        return self._many(self.ledger.credits, credit_ids)

    def invoice(self, invoice_id: str) -> Invoice:
        return self.ledger.invoices.get(invoice_id)

    def invoices_of(self, invoice_ids: Iterable[str]) -> list[Invoice]:
        return self._many(self.ledger.invoices, invoice_ids)

    def _many(self, repository, object_ids: Iterable[str]) -> list:
        """Each object once, in the order asked, after one batch read of those not read yet."""
        ids = list(dict.fromkeys(object_ids))
        self.ledger.load(*(repository.key(i) for i in ids))
        return [repository.get(i) for i in ids]

    def payment(self, payment_id: str) -> Payment | None:
        return self.ledger.payments.find(payment_id)

    def uses_of(self, credit_id: str, *, active_only: bool = False) -> list[CreditUse]:
        return self.ledger.uses.of_credit(credit_id, active_only=active_only)
