"""Per-account number sequences (CR-1001, PAY-1001, ...) taken inside a use case's transaction."""
from __future__ import annotations

from .models import CounterItem, account_pk
from .repository import Repository
from .uow import UnitOfWork

FIRST_NUMBER = 1000


class Sequence:
    def __init__(self, name: str, value: int, item: CounterItem | None):
        self.id, self.value, self.item, self.taken = name, value, item, 0


class Counters(Repository[Sequence]):
    """A counter read with the use case's other items and written back under a condition on its old value.

    Two transactions taking numbers at once conflict and one is retried: numbers stay unique and gapless.
    """

    model, prefix, noun = CounterItem, "COUNTER", "counter"

    def __init__(self, uow: UnitOfWork):
        super().__init__(uow)

    def from_item(self, item: CounterItem) -> Sequence:
        return Sequence(item.sk.split("#", 1)[1], int(item.value or 0), item)

    def next(self, name: str, prefix: str) -> str:
        sequence = self.find(name)
        if sequence is None:
            sequence = Sequence(name, 0, None)
            self._seen[name] = (sequence, None, {})
        sequence.taken += 1
        return f"{prefix}-{FIRST_NUMBER + sequence.value + sequence.taken}"

    def _flush(self) -> None:
        pk = account_pk(self.uow.account_id)
        for sequence, item, _ in self._seen.values():
            if not sequence.taken:
                continue
            new = CounterItem(pk, self.sk(sequence.id), value=sequence.value + sequence.taken)
            condition = CounterItem.value == sequence.value if item is not None else CounterItem.pk.does_not_exist()
            self.uow.put(new, condition)
