"""The realm budget's port: where each QBO company's shared budget is kept (chalicelib/store/realm_budget.py, one
DynamoDB item per realm), as the client layer (chalicelib/qbo/budget.py) draws on it before every QBO call. The
arithmetic is chalicelib/domain/realm_budget.py; chalicelib/bootstrap.py plugs the store in at start-up.
"""
from __future__ import annotations

from typing import Callable, Protocol

from ..domain.realm_budget import Draw, RealmBudget, Seconds
from .wiring import NotWired, Plug  # noqa: F401 (NotWired: the error its callers may meet)


class BudgetConflict(Exception):
    """The realm is no longer as the write assumed (another process wrote first, or the slot is not free):
    `current` is how it is now, so the caller decides again without reading it."""

    def __init__(self, current: RealmBudget) -> None:
        super().__init__("the realm budget changed since it was read")
        self.current = current


class BudgetUnavailable(Exception):
    """The budget's store could not be reached (the client layer then goes on without it, as before)."""


class BudgetStore(Protocol):
    """One conditional write per decision; every write answers the realm as it left it."""

    def take(self, realm_id: str, seen: RealmBudget, taken: Draw, slot: str | None, lease_until: Seconds,
             in_flight: int) -> RealmBudget:
        """Add the draw to the realm's streams as `seen` says it applies, and (re)new `slot` until `lease_until`
        (unless it is None) if the realm admits it; BudgetConflict otherwise."""
        ...

    def learn(self, realm_id: str, seen: RealmBudget, learned: RealmBudget, pause_until: Seconds) -> RealmBudget:
        """Store what a 429 taught (`learned`, computed from `seen`: the rate, and no cell before `pause_until`);
        BudgetConflict if the realm is not as `seen` says."""
        ...

    def drop_slots(self, realm_id: str, lapsed: dict[str, Seconds]) -> RealmBudget:
        """Remove slots whose lease is over (unless renewed meanwhile); answers the realm as it is now."""
        ...


_plug: Plug[BudgetStore] = Plug("realm budget store")


def wire(factory: Callable[[], BudgetStore]) -> None:
    _plug.wire(factory)


def budget_store() -> BudgetStore:
    """The wired store (made when first asked for: the API Lambda pays nothing for it at import)."""
    return _plug.get()
