"""Credit uses as items of their own (a credit used thousands of times stays one small item).

sk = "USE#<credit_id>#<use_id>": a credit's uses are one strongly consistent key-range Query, and a payment reaches
its uses by key (it lists their ids and credit ids).
"""
from __future__ import annotations

from ..domain.credits import CreditUse
from ..domain.locations import Location
from ..domain.sync_kinds import use_key
from .models import CreditUseItem, account_pk
from .sync_state import read_state
from .synced import SyncedRepository

FIELDS = ("id", "credit_id", "payment_id", "invoice_id", "at", "voided_at", "from_qbo")


class CreditUses(SyncedRepository[CreditUse]):
    model, prefix, noun = CreditUseItem, "USE", "use"

    def id_of(self, entity: CreditUse) -> str:
        return use_key(entity.credit_id, entity.id)

    def of(self, credit_id: str, use_id: str) -> CreditUse:
        return self.get(use_key(credit_id, use_id))

    def key_of(self, credit_id: str, use_id: str):
        return self.key(use_key(credit_id, use_id))

    def of_credit(self, credit_id: str, *, active_only: bool = False) -> list[CreditUse]:
        """A credit's uses, oldest first (one consistent Query; voided ones skipped on request)."""
        condition = CreditUseItem.voided_at.does_not_exist() if active_only else None
        items = CreditUseItem.query(account_pk(self.uow.account_id), CreditUseItem.sk.startswith(f"USE#{credit_id}#"),
                                    filter_condition=condition, consistent_read=True)
        return sorted((self.adopt(item) for item in items), key=lambda use: (use.at, use.id))

    def to_item(self, entity: CreditUse, item: CreditUseItem) -> None:
        for name in FIELDS:
            setattr(item, name, getattr(entity, name))
        item.amount, item.created_at = entity.amount, entity.at
        item.parts = [part.as_dict() for part in entity.parts] or None
        self.write_sync(entity, item)

    def from_item(self, item: CreditUseItem) -> CreditUse:
        return CreditUse(amount=int(item.amount), parts=[Location.from_dict(p) for p in item.parts or []],
                         sync=read_state(item), version=item.version or 0,
                         **{name: getattr(item, name) for name in FIELDS})

    def qbo_view(self, entity: CreditUse) -> tuple:
        """A use is its linking Payment (or lines on an unapplied Payment): amount, invoice, sources, voided."""
        return entity.amount, entity.invoice_id, tuple(entity.parts), entity.active
