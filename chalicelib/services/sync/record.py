"""Writing a push's outcome back onto the object, under its version, without marking anything pending again."""
from __future__ import annotations

from typing import Callable

from ...domain import sync_kinds
from ...domain.sync import SyncState
from ...store.ids import utc_now
from ...store.inbound import QboMaps, map_id
from ...store.ledger import Ledger
from ...store.repository import load_into
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


OWN_PREFIX = "own_"  # QBMAP object_type of a document we created (imports._own_mapping reads it)


def record_created(account_id: str, kind: str, object_id: str, change: Callable[[SyncState], None], *,
                   entity: str | None, qbo_id: str | None) -> None:
    """`record`, and, for an object whose own document (`entity`: its CreditMemo, Payment or Invoice) our push now
    knows by id, the mapping reading its echo would write, in the same transaction: the accountant may delete the
    document before any read of QBO sees it, and a tombstone names no marker, yet that is drift (DESIGN §7)."""

    def write(uow) -> None:
        objects = repository(Ledger(uow), kind)
        if not (entity and qbo_id):
            change(objects.get(object_id).sync)
            return
        maps, document = QboMaps(uow), map_id(entity, qbo_id)
        load_into(uow, [objects.key(object_id), maps.key(document)])  # the object and its mapping: one read, not two
        change(objects.get(object_id).sync)
        if maps.find(document) is None:
            maps.new(document, object_type=OWN_PREFIX + kind, object_id=object_id, created_at=utc_now())

    run_in_transaction(account_id, write)
