"""Sync state: pending while a change is not pushed, errors parked until retried, hard disconnect forgets."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.sync import ConnectionState, SyncState, SyncStatus, records_sync_intent, retry_delay


def test_intent_is_recorded_only_while_sync_is_on_and_the_realm_is_ours():
    assert records_sync_intent(True, ConnectionState.CONNECTED)
    assert records_sync_intent(True, ConnectionState.SOFT_DISCONNECTED)
    assert not records_sync_intent(True, ConnectionState.NONE)
    assert not records_sync_intent(False, ConnectionState.CONNECTED)


def test_lifecycle_of_one_object():
    state = SyncState()
    assert state.status is SyncStatus.NOT_SYNCED
    state.touch()
    assert state.status is SyncStatus.PENDING
    state.pushed(1, qbo_id="41", sync_token="0")
    assert state.status is SyncStatus.SYNCED
    state.touch()
    state.failed(code="6000", message="business validation")
    assert state.status is SyncStatus.ERROR and state.attempts == 1
    state.retry()
    assert state.status is SyncStatus.PENDING and state.error is None
    state.pushed(state.version, qbo_id="41", sync_token="1")
    assert state.status is SyncStatus.SYNCED and state.attempts == 0
    state.forget()
    assert state.status is SyncStatus.NOT_SYNCED and not state.pending and state.qbo_id is None


@given(st.lists(st.sampled_from(["touch", "push_latest", "push_stale"]), max_size=30))
def test_a_stale_push_never_hides_a_newer_change(steps):
    state = SyncState()
    stale = 0
    for step in steps:
        if step == "touch":
            stale = state.version
            state.touch()
        elif step == "push_latest":
            state.pushed(state.version, qbo_id="1", sync_token="0")
        else:
            was_pending = state.pending
            state.pushed(stale, qbo_id="1", sync_token="0")
            assert state.pending == (was_pending and stale < state.version)
        assert state.synced_version <= state.version


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(50) == 3600


def test_a_business_refusal_waits_a_few_runs_for_our_other_changes_then_parks():
    from chalicelib.domain.sync import ORDER_RETRIES, waits_for_order

    assert waits_for_order(6000, 0) and waits_for_order(6000, ORDER_RETRIES - 1)
    assert not waits_for_order(6000, ORDER_RETRIES)
    assert not waits_for_order(2500, 0) and not waits_for_order(None, 0)
