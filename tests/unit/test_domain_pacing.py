"""Pacing inside QBO's per-realm limits: requests spaced so no sliding minute holds more than 500, nor 40 batches."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.pacing import BATCH_ITEMS, BATCHES_PER_MINUTE, REQUESTS_PER_MINUTE, Pacer, floor_seconds


def test_a_fresh_pacer_sends_at_once_then_spaces_requests_and_batches():
    pacer = Pacer()
    assert pacer.wait(100.0, batch=True) == 0.0 and pacer.wait(100.0, batch=False) == 0.0
    pacer.sent(100.0, batch=True)
    assert pacer.wait(100.0, batch=False) == pytest.approx(60 / REQUESTS_PER_MINUTE)
    assert pacer.wait(100.0, batch=True) == pytest.approx(60 / BATCHES_PER_MINUTE)
    assert pacer.wait(100.0 + 60 / BATCHES_PER_MINUTE, batch=True) == 0.0
    pacer.sent(200.0, batch=False)  # a single request does not push the next batch further out
    assert pacer.next_batch_at == pytest.approx(100.0 + 60 / BATCHES_PER_MINUTE)
    assert pacer.wait(150.0, batch=False) == pytest.approx(50.0 + 60 / REQUESTS_PER_MINUTE)


@given(st.lists(st.booleans(), min_size=1, max_size=700), st.floats(min_value=0, max_value=5))
def test_a_worker_that_waits_as_told_never_exceeds_a_limit_in_any_minute(kinds, extra):
    pacer, now, sent = Pacer(), 0.0, []
    for batch in kinds:
        now += pacer.wait(now, batch=batch) + (extra if len(sent) % 7 == 0 else 0.0)
        pacer.sent(now, batch=batch)
        sent.append((now, batch))
    for start, _ in sent:
        window = [b for at, b in sent if start <= at < start + 60 - 1e-9]
        assert len(window) <= REQUESTS_PER_MINUTE and sum(window) <= BATCHES_PER_MINUTE


@pytest.mark.parametrize("batches, singles, seconds", [(0, 0, 0.0), (40, 0, 60.0), (1, 0, 1.5), (0, 500, 60.0),
                                                       (34, 0, 51.0), (10, 1000, 1010 * 60 / 500)])
def test_the_floor_is_the_tighter_of_the_two_limits(batches, singles, seconds):
    assert floor_seconds(batches, singles) == pytest.approx(seconds)


def test_the_limits_are_qbos_per_realm_limits():
    """qbo-reference, "Limits": 500 requests and 40 batch requests per minute per realm, 30 items per batch."""
    assert (REQUESTS_PER_MINUTE, BATCHES_PER_MINUTE, BATCH_ITEMS) == (500, 40, 30)


def test_a_fresh_pacer_sends_at_once_from_the_start_of_the_clock():
    pacer = Pacer()
    assert pacer.wait(0.0, batch=False) == 0.0 and pacer.wait(0.0, batch=True) == 0.0


def test_a_single_request_waits_only_for_the_last_request_not_for_the_batch_spacing():
    pacer = Pacer()
    pacer.sent(0.0, batch=True)
    assert pacer.wait(0.5, batch=False) == 0.0 and pacer.wait(0.5, batch=True) == pytest.approx(1.0)


def test_a_pacer_resumed_from_a_stored_cursor_keeps_its_spacing():
    """The mass re-sync stores next_request_at / next_batch_at in its job cursor and resumes from them."""
    pacer = Pacer(next_request_at=10.0, next_batch_at=11.5)
    assert pacer.wait(10.0, batch=True) == pytest.approx(1.5) and pacer.wait(10.0, batch=False) == 0.0
    assert pacer.wait(9.0, batch=False) == pytest.approx(1.0)
