"""What a failing push shows (DESIGN §7, visible failures): a refusal at once; a failure QBO gets over after 3 tries or
5 minutes, while it is retried on a capped backoff; a wait only after 5 minutes or when a person must act; drift on
the object until ours is pushed again; several documents of one object together."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.sync import (MAX_BACKOFF_SECONDS, SHOW_AFTER_ATTEMPTS, SHOW_AFTER_SECONDS,
                                    TRANSIENT_BACKOFF_SECONDS, SyncState, SyncStatus, combined_status, drift_text,
                                    retry_delay)


def _pending() -> SyncState:
    state = SyncState()
    state.touch()
    return state


def test_a_refusal_shows_at_once_and_is_not_retried_by_the_engine():
    state = _pending()
    state.failed(code="6240", message="Duplicate Name")
    assert state.status is SyncStatus.ERROR and state.parked and not state.retrying


@given(failures=st.integers(1, 10), seconds=st.floats(0, 3 * SHOW_AFTER_SECONDS, allow_nan=False))
def test_a_transient_failure_shows_after_3_tries_or_5_minutes_and_keeps_being_retried(failures, seconds):
    state = _pending()
    for _ in range(failures):
        state.failed_for_now(code="500", message="QBO answered 500", seconds_pending=seconds)
    shown = failures >= SHOW_AFTER_ATTEMPTS or seconds >= SHOW_AFTER_SECONDS
    assert state.status is (SyncStatus.ERROR if shown else SyncStatus.PENDING)
    assert not state.parked and state.retrying and state.attempts == failures and state.shown_error


def test_the_3rd_try_is_the_one_that_shows():
    state = _pending()
    seen = []
    for _ in range(SHOW_AFTER_ATTEMPTS):
        state.failed_for_now(code="429", message="throttled", seconds_pending=0)
        seen.append(state.status)
    assert seen == [SyncStatus.PENDING] * (SHOW_AFTER_ATTEMPTS - 1) + [SyncStatus.ERROR]


def test_a_refused_token_shows_at_once():
    state = _pending()
    state.failed_for_now(code="401", message="reconnect", seconds_pending=0, needs_person=True)
    assert state.status is SyncStatus.ERROR and state.retrying


@given(waits=st.integers(1, 20), seconds=st.floats(0, SHOW_AFTER_SECONDS - 1, allow_nan=False))
def test_a_wait_for_something_of_ours_is_not_a_failed_try(waits, seconds):
    state = _pending()
    for _ in range(waits):
        state.waits(reason="its invoice is not in QuickBooks yet", seconds_pending=seconds)
    assert state.status is SyncStatus.PENDING and state.error_code == "waiting"
    state.waits(reason="its invoice is not in QuickBooks yet", seconds_pending=SHOW_AFTER_SECONDS)
    assert state.status is SyncStatus.ERROR


def test_a_wait_for_a_repair_shows_at_once():
    state = _pending()
    state.waits(reason="waits for the repair of CR-1004's drift", seconds_pending=0, needs_person=True)
    assert state.status is SyncStatus.ERROR and "CR-1004" in state.shown_error


def test_a_push_that_lands_clears_failure_wait_and_drift():
    state = _pending()
    state.failed_for_now(code="500", message="x", seconds_pending=SHOW_AFTER_SECONDS)
    state.drifted("ours 40.00, QuickBooks 30.00")
    state.pushed(state.version, qbo_id="7", sync_token="2")
    assert state.status is SyncStatus.SYNCED and state.shown_error is None
    assert (state.attempts, state.retrying, state.shown, state.drift) == (0, False, False, None)


def test_drift_shows_until_a_person_chooses_ours_and_the_sweeper_never_does():
    state = _pending()
    state.pushed(state.version, qbo_id="7", sync_token="0")
    state.drifted(drift_text("CreditMemo", "7", {"exists": True, "total": 4000}, {"exists": True, "total": 3000}))
    assert state.status is SyncStatus.DRIFT and "40.00" in state.shown_error and "30.00" in state.shown_error
    state.retry()  # the sweeper's automatic retry
    assert state.drift and state.status is SyncStatus.DRIFT
    state.repair()  # the retry route, parity repair
    assert state.drift is None and state.status is SyncStatus.PENDING


def test_an_error_outranks_drift_which_outranks_pending():
    state = _pending()
    state.drifted("differs")
    assert state.status is SyncStatus.DRIFT
    state.failed(code="6000", message="refused")
    assert state.status is SyncStatus.ERROR


STATES = st.sampled_from(["synced", "pending", "not_synced", "error", "drift"])


def _state(kind: str) -> SyncState:
    state = SyncState()
    if kind in ("synced", "drift"):
        state.touch()
        state.pushed(state.version, qbo_id="1", sync_token="0")
    if kind == "pending":
        state.touch()
    if kind == "error":
        state.failed(code="6000", message="refused")
    if kind == "drift":
        state.drifted("differs")
    return state


@given(st.lists(STATES, min_size=1, max_size=6))
def test_several_documents_read_synced_only_when_all_are_and_show_the_worst(kinds):
    status, message = combined_status([_state(k) for k in kinds])
    order = ["error", "drift", "pending", "not_synced", "synced"]
    assert status.value == min(kinds, key=order.index)
    assert (status is SyncStatus.SYNCED) == all(k == "synced" for k in kinds)
    assert (message is not None) == (status in (SyncStatus.ERROR, SyncStatus.DRIFT))


@given(st.integers(0, 40))
def test_backoff_doubles_and_a_transient_one_is_capped_at_5_minutes(attempts):
    assert retry_delay(attempts, transient=True) <= TRANSIENT_BACKOFF_SECONDS
    assert retry_delay(attempts) <= MAX_BACKOFF_SECONDS
    assert retry_delay(attempts + 1) >= retry_delay(attempts)
    assert retry_delay(attempts, transient=True) == min(retry_delay(attempts), TRANSIENT_BACKOFF_SECONDS)
