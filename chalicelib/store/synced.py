"""Repositories of objects QBO must see: a change to what QBO shows marks the object pending (DESIGN §7)."""
from __future__ import annotations

from typing import Any, Hashable

from ..domain.sync import Synced
from .models import SyncedItem
from .repository import E, Repository
from .sync_state import write_state


class SyncedRepository(Repository[E]):
    """Marks an entity pending when its QBO view changed and the account's mode pushes its kind.

    Subclasses say what QBO sees of an entity (`qbo_view`) and call `write_sync` from their `to_item`.
    """

    def __init__(self, uow) -> None:
        super().__init__(uow)
        self._views: dict[str, Hashable] = {}

    def qbo_view(self, entity: E) -> Hashable:
        """The fields QBO's document is built from; any change to them needs a push."""
        raise NotImplementedError

    def adopt(self, item: Any) -> E:
        entity = super().adopt(item)
        self._views.setdefault(self.id_of(entity), self.qbo_view(entity))
        return entity

    def write_sync(self, entity: Synced, item: SyncedItem) -> None:
        write_state(entity.sync, item, account_id=self.uow.account_id, kind=self.noun, entity_id=self.id_of(entity))

    def _flush(self) -> None:
        if self.noun in self.uow.sync_kinds:  # a kind the account's mode pushes (domain.sync_modes)
            for entity, _, _ in self._seen.values():
                if self.qbo_view(entity) != self._views.get(self.id_of(entity)):
                    entity.sync.touch()
        super()._flush()
