"""Which of an account's pending objects one push run takes: a bounded slice, so a run ends soon and the worker it
holds goes back to the other accounts; the rest waits for the run's continuation (a new hint at the back of the
queue, in the same message group).

Pure: the caller passes the pending index lazily, oldest change first. Objects never tried come first; those that
failed for now (retried on their own) fill what room is left, so a head of objects still waiting (for a repair, for
QBO) cannot hold the rest back. Parked objects and kinds the account's mode does not push are never taken.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterable, Protocol, TypeVar


class Pending(Protocol):
    kind: str
    parked: bool  # refused: waits for a person's retry
    retrying: bool  # failed for now: tried again


P = TypeVar("P", bound=Pending)


class BadSliceSize(ValueError):
    """A push run must take at least one object."""


@dataclass(frozen=True)
class PushSlice(Generic[P]):
    taken: list[P]  # in the index's order (oldest change first)
    more: bool  # pushable objects were left out: the run hands the rest back


def take_slice(pending: Iterable[P], size: int, kinds: frozenset[str]) -> PushSlice[P]:
    """At most `size` pushable objects of `pending`: fresh ones first, then those being retried. Reads `pending` only
    as far as it must (a 5,000-object backlog costs a page, not the whole index)."""
    if size < 1:
        raise BadSliceSize(f"a push run takes at least one object, not {size}")
    fresh: list[tuple[int, P]] = []
    retrying: list[tuple[int, P]] = []
    pushable = ((n, p) for n, p in enumerate(pending) if not p.parked and p.kind in kinds)
    for n, entry in pushable:
        if not entry.retrying:
            fresh.append((n, entry))
            if len(fresh) > size:  # the slice is all fresh, and more are left: no need to read on
                break
        elif len(retrying) <= size:
            retrying.append((n, entry))
    chosen = fresh[:size] + retrying[:max(0, size - len(fresh))]
    more = len(fresh) + len(retrying) > len(chosen)
    return PushSlice([entry for _, entry in sorted(chosen, key=lambda pair: pair[0])], more)

