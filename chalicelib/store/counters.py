"""Per-account number sequences (CR-1001, PAY-1001, ...) taken from atomic counters, outside the transaction.

A counter read with a use case's items and written back under a condition would make every numbered write in an
account conflict with every other one (two clerks creating orders at once: one is retried, then refused). Instead
a number is taken with one UpdateItem `ADD value 1` (atomic, never conflicts) only when a use case needs it, and
the numbers a use case took are kept in its unit of work's reservations, so the reruns of run_in_transaction after
a lost race reuse them instead of taking new ones.

Numbers are therefore unique per account and increasing in the order they were taken, but not gapless: a number is
skipped when the use case that took it is then refused (a domain error, or Contention after every retry), or when
a rerun on fresh data no longer needs it (e.g. no overpayment credit this time).
"""
from __future__ import annotations

from .models import CounterItem, account_pk
from .tables import bind
from .uow import UnitOfWork

FIRST_NUMBER = 1000


def take_number(account_id: str, name: str) -> int:
    """Atomically advance the account's `name` counter by one and return its new value (1 on first use)."""
    bind()
    counter = CounterItem(account_pk(account_id), f"COUNTER#{name}")
    counter.update(actions=[CounterItem.value.add(1)])  # UpdateItem ADD, ReturnValues ALL_NEW: no condition
    return int(counter.value)


class Counters:
    """Numbers for one run of a use case; the n-th number of a sequence is the same in every rerun."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self._taken: dict[str, int] = {}

    def next(self, name: str, prefix: str) -> str:
        """The next number of `name` for this use case, e.g. next("payment", "PAY") -> "PAY-1042"."""
        index = self._taken.get(name, 0)
        self._taken[name] = index + 1
        reserved = self.uow.numbers.setdefault(name, [])
        if index == len(reserved):
            reserved.append(take_number(self.uow.account_id, name))
        return f"{prefix}-{FIRST_NUMBER + reserved[index]}"
