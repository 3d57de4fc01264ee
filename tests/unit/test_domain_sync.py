"""Sync state: pending while a change is not pushed, errors parked until retried, hard disconnect forgets."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.sync import ConnectionState, SyncState, SyncStatus, retry_delay
from chalicelib.domain.sync_modes import synced_kinds


def test_intent_is_recorded_only_while_the_realm_is_ours():
    assert synced_kinds(True, ConnectionState.CONNECTED)
    assert synced_kinds(True, ConnectionState.SOFT_DISCONNECTED)
    assert not synced_kinds(True, ConnectionState.NONE)
    assert synced_kinds(False, ConnectionState.CONNECTED) == {"customer", "invoice", "payment"}


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


def test_a_first_failure_counts_one_attempt_and_a_hard_disconnect_clears_the_count():
    state = SyncState()
    assert state.attempts == 0
    state.touch()
    state.failed(code="6000", message="business validation")
    assert state.attempts == 1 and retry_delay(state.attempts) == 30
    state.failed(code="6000", message="business validation")
    state.forget()
    assert state.attempts == 0 and state.status is SyncStatus.NOT_SYNCED


def test_each_change_is_the_next_version_and_stays_pending_until_pushed():
    state = SyncState()
    for _ in range(3):
        state.touch()
    state.pushed(3, qbo_id="41", sync_token="2")
    state.touch()
    assert (state.version, state.synced_version, state.pending) == (4, 3, True)


def test_a_retry_makes_even_a_pushed_version_pending_again():
    state = SyncState(qbo_id="41", version=3, synced_version=3)
    state.failed(code="6000", message="business validation")
    state.retry()
    assert (state.version, state.pending, state.status) == (4, True, SyncStatus.PENDING)


def test_failures_count_up_so_the_backoff_doubles():
    state = SyncState()
    for _ in range(3):
        state.failed(code="6000", message="refused")
    assert state.attempts == 3 and retry_delay(state.attempts) == 120


def test_a_business_refusal_waits_five_runs():
    from chalicelib.domain.sync import waits_for_order

    assert waits_for_order(6000, 4) and not waits_for_order(6000, 5)


def test_a_change_pending_two_minutes_is_hinted_again():
    from chalicelib.domain.sync import sweep_due

    assert not sweep_due(119.9) and sweep_due(120) and sweep_due(3600)


def test_synced_objects_show_their_sync_state():
    from chalicelib.domain.sync import Synced

    class Document(Synced):
        def __init__(self) -> None:
            self.sync = SyncState()

    document = Document()
    assert (document.qbo_id, document.sync_status, document.sync_error) == (None, "not_synced", None)
    document.sync.failed(code="6000", message="refused")
    assert (document.sync_status, document.sync_error) == ("error", "refused")
