"""Writing a push's outcome back onto the object, under its version, without marking anything pending again."""
from __future__ import annotations

from typing import Callable

from ...domain import sync_kinds
from ...domain.sync import SyncState
from ...store.ledger import Ledger
from ...store.uow import run_in_transaction

KINDS = sync_kinds.NAMES


def repository(book: Ledger, kind: str):
    """The repository holding objects of one sync kind (a use's id is "<credit id>#<use id>")."""
    return getattr(book, sync_kinds.BY_NAME[kind].repository)


def record(account_id: str, kind: str, object_id: str, change: Callable[[SyncState], None]) -> None:
    """Apply `change` to the stored sync state; a concurrent edit only makes us re-read and apply it again."""

    def write(uow) -> None:
        change(repository(Ledger(uow), kind).get(object_id).sync)

    run_in_transaction(account_id, write)
