"""Sync hints on the queue: grouped per account or realm, deduplicated per cause, poison refused."""
from __future__ import annotations

import pytest

from chalicelib.workers.queue import PULL, PUSH, Hint, parse


def test_hints_round_trip_and_group_by_account_or_realm():
    push, pull = Hint(PUSH, "A1", "credit#K1#3"), Hint(PULL, "9130")
    assert parse(push.body()) == Hint(PUSH, "A1") and parse(pull.body()) == Hint(PULL, "9130")
    assert push.group == "push:A1" and pull.group == "pull:9130"


def test_the_same_cause_deduplicates_and_another_does_not():
    assert Hint(PUSH, "A1", "x#1").dedup_id == Hint(PUSH, "A1", "x#1").dedup_id
    assert Hint(PUSH, "A1", "x#1").dedup_id != Hint(PUSH, "A1", "x#2").dedup_id
    assert len(Hint(PUSH, "A1", "x" * 500).dedup_id) <= 128


@pytest.mark.parametrize("body", ['{"kind": "push"}', '{"kind": "other", "account_id": "A"}', '[]', 'not json'])
def test_anything_else_is_poison(body):
    with pytest.raises(ValueError):
        parse(body)
