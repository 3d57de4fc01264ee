"""A push run's slice of the pending index (chalicelib/domain/push_slice.py): bounded, fresh objects first, parked
ones and kinds the mode does not push never taken, and `more` exactly when pushable objects were left out."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.push_slice import BadSliceSize, take_slice

KINDS = frozenset({"customer", "credit", "invoice"})


@dataclass(frozen=True)
class Entry:
    n: int
    kind: str
    parked: bool = False
    retrying: bool = False


entries = st.lists(st.tuples(st.sampled_from(["customer", "credit", "invoice", "use"]),
                             st.sampled_from(["fresh", "retrying", "parked"])), max_size=40).map(
    lambda rows: [Entry(n, kind, state == "parked", state == "retrying") for n, (kind, state) in enumerate(rows)])


@given(entries, st.integers(min_value=1, max_value=12))
def test_a_slice_is_bounded_pushable_fresh_first_and_says_what_is_left(index, size):
    pushable = [e for e in index if not e.parked and e.kind in KINDS]
    fresh = [e for e in pushable if not e.retrying]
    got = take_slice(iter(index), size, KINDS)
    assert len(got.taken) == min(size, len(pushable))
    assert all(e in pushable for e in got.taken)
    assert [e.n for e in got.taken] == sorted(e.n for e in got.taken)  # oldest change first
    assert sum(not e.retrying for e in got.taken) == min(size, len(fresh))  # never a retried one before a fresh one
    assert got.more == (len(pushable) > len(got.taken))


def test_a_backlog_is_read_only_as_far_as_the_slice_needs():
    backlog = (Entry(n, "credit") for n in count())  # endless: a run reading it all would never end
    got = take_slice(backlog, 30, KINDS)
    assert [e.n for e in got.taken] == list(range(30)) and got.more
    assert next(backlog).n == 31  # one past the slice was read, to know more is left


def test_objects_still_failing_at_the_head_do_not_hold_the_rest_back():
    index = [Entry(n, "credit", retrying=True) for n in range(5)] + [Entry(n, "credit") for n in range(5, 9)]
    got = take_slice(index, 4, KINDS)
    assert [e.n for e in got.taken] == [5, 6, 7, 8] and got.more
    got = take_slice(index, 6, KINDS)
    assert [e.n for e in got.taken] == [0, 1, 5, 6, 7, 8] and got.more


def test_a_slice_takes_at_least_one_object():
    with pytest.raises(BadSliceSize):
        take_slice([], 0, KINDS)
