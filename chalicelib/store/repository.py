"""Identity-mapped repositories inside a unit of work: load once, save what changed, all in one transaction.

This module depends on the unit of work, never the other way round: the unit of work only collects puts and
the flush callbacks repositories register.
"""
from __future__ import annotations

from typing import Generic, Iterable, TypeVar

from .. import config
from ..domain.errors import NotFound
from .models import BaseItem, account_pk
from .tables import dynamodb_client
from .uow import UnitOfWork

E = TypeVar("E")
BATCH_GET_LIMIT = 100


class Repository(Generic[E]):
    """Subclasses say how an entity maps to its item; this class tracks entities and flushes changes."""

    model: type[BaseItem]
    prefix: str
    noun: str

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self._seen: dict[str, tuple[E, BaseItem | None, dict]] = {}
        self._missing: set[str] = set()
        uow.on_commit(self._flush)

    # mapping, per entity
    def to_item(self, entity: E, item: BaseItem) -> None:
        raise NotImplementedError

    def from_item(self, item: BaseItem) -> E:
        raise NotImplementedError

    # keys
    def sk(self, entity_id: str) -> str:
        return f"{self.prefix}#{entity_id}"

    def key(self, entity_id: str) -> tuple["Repository", str]:
        return self, entity_id

    # loading
    def get(self, entity_id: str) -> E:
        """The entity, from this unit of work if already loaded, else one consistent read."""
        if entity_id in self._seen:
            return self._seen[entity_id][0]
        if entity_id not in self._missing:
            load_into(self.uow, [self.key(entity_id)])
        if entity_id in self._seen:
            return self._seen[entity_id][0]
        raise NotFound(f"no such {self.noun}", details={f"{self.noun}_id": entity_id})

    def find(self, entity_id: str) -> E | None:
        try:
            return self.get(entity_id)
        except NotFound:
            return None

    def adopt(self, item: BaseItem) -> E:
        """Track an item read elsewhere (a query); an entity already loaded wins."""
        entity_id = item.sk.split("#", 1)[1]
        if entity_id not in self._seen:
            self._seen[entity_id] = (self.from_item(item), item, item.serialize())
        return self._seen[entity_id][0]

    def add(self, entity: E) -> E:
        """Track a new entity: it is written at commit under the condition that it does not exist yet."""
        self._seen[self.id_of(entity)] = (entity, None, {})
        return entity

    def id_of(self, entity: E) -> str:
        return entity.id  # type: ignore[attr-defined]

    def new_item(self, entity: E) -> BaseItem:
        """The item a new entity is written as."""
        item = self.model(account_pk(self.uow.account_id), self.sk(self.id_of(entity)))
        self.to_item(entity, item)
        return item

    def _flush(self) -> None:
        for entity, item, original in self._seen.values():
            if item is None:
                self.uow.put_new(self.new_item(entity))
                continue
            self.to_item(entity, item)
            if item.serialize() != original:
                self.uow.put(item)
        self.after_flush()

    def after_flush(self) -> None:
        """Hook for extra items (e.g. history lines)."""


class ItemRepository(Repository[BaseItem]):
    """For items that are their own entity (roles, users, customers): tracked and written like any other."""

    def from_item(self, item: BaseItem) -> BaseItem:
        return item

    def to_item(self, entity: BaseItem, item: BaseItem) -> None:
        """Entity and item are the same object: nothing to copy."""

    def id_of(self, entity: BaseItem) -> str:
        return entity.sk.split("#", 1)[1]

    def new_item(self, entity: BaseItem) -> BaseItem:
        return entity

    def new(self, entity_id: str, **attributes) -> BaseItem:
        """A new item under this account's key layout, written at commit only if it does not exist yet."""
        return self.add(self.model(account_pk(self.uow.account_id), self.sk(entity_id), **attributes))


def load_into(uow: UnitOfWork, keys: Iterable[tuple[Repository, str]], *, consistent: bool = True) -> None:
    """Fill repositories with one BatchGetItem (in chunks of 100) for any mix of entity types; consistent unless the
    caller can act on a read a moment old (half the read units)."""
    wanted: dict[str, tuple[Repository, str]] = {}
    pk = account_pk(uow.account_id)
    for repo, entity_id in keys:
        if entity_id not in repo._seen:
            wanted[repo.sk(entity_id)] = (repo, entity_id)
    pending = list(wanted)
    client = dynamodb_client()
    table = config.table_name()
    while pending:
        chunk, pending = pending[:BATCH_GET_LIMIT], pending[BATCH_GET_LIMIT:]
        request = {table: {"Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for sk in chunk], "ConsistentRead": consistent}}
        while request:
            answer = client.batch_get_item(RequestItems=request)
            for raw in answer["Responses"].get(table, []):
                repo, _ = wanted.pop(raw["sk"]["S"])
                repo.adopt(repo.model.from_raw_data(raw))
            request = answer.get("UnprocessedKeys") or {}
    for repo, entity_id in wanted.values():
        repo._missing.add(entity_id)
