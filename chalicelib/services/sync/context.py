"""What one push run of one account shares: the QBO client, the company's sales item, and a fresh ledger view."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ...domain.sync_modes import TWO_WAY_KINDS
from ...ports.qbo import QboApi
from ...qbo.mapping import Ref
from ...store import accounts as accounts_store
from ...store.ledger import Ledger, LedgerBook

DEFAULT_ITEM_NAME = "Services"


class NoSalesItem(Exception):
    """The company has no item to put on invoice and credit-memo lines."""


def quoted(text: str) -> str:
    """A string literal of QBO's query language."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class PushContext:
    """`ensure(kind, id, when="pending")` answers a dependency's QBO id, pushing it first when it is missing in
    QBO, pending, or always (services.sync.push.PUSH_WHEN)."""

    account_id: str
    client: QboApi
    ensure: Callable[..., str | None]
    _item: Ref | None = None
    kinds: frozenset[str] = TWO_WAY_KINDS  # what the account's mode pushes (domain.sync_modes)
    done: set[tuple[str, str]] = field(default_factory=set)
    waits: dict[tuple[str, str], str] = field(default_factory=dict)  # why an object waits, for the retry's answer

    def ledger(self) -> Ledger:
        """A fresh read of the ledger (each object is pushed from its current state)."""
        return Ledger.reading(self.account_id)

    def book(self) -> LedgerBook:
        """A fresh read of the ledger as the planner reads it (domain.sync_plan.Book)."""
        return LedgerBook(self.ledger())

    def item(self) -> Ref:
        """The QBO Item our lines use: the account's configured one, else the company's "Services" item, once."""
        if self._item is None:
            account = accounts_store.get_account(self.account_id)
            if account.qbo_item_id:
                self._item = Ref(account.qbo_item_id)
            else:
                rows = self.client.query(f"SELECT * FROM Item WHERE Name = {quoted(DEFAULT_ITEM_NAME)}")
                if not rows:
                    raise NoSalesItem(f'the QuickBooks company has no "{DEFAULT_ITEM_NAME}" item; set qbo_item_id')
                self._item = Ref(str(rows[0]["Id"]), rows[0].get("Name"))
                accounts_store.remember_qbo_item(self.account_id, self._item.value)
        return self._item
