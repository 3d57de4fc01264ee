"""The sync Lambdas' bodies without I/O: which stream records the relay turns into hints, what the worker reports
back to Lambda for a batch, and the sweeper's timing rules."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone

from hypothesis import given, strategies as st

from chalicelib import observability
from chalicelib.domain.sync import (ConnectionState, MAX_BACKOFF_SECONDS, STALE_PENDING_SECONDS, retry_delay,
                                    retry_due, sweep_due)
from chalicelib.domain.sync_modes import pushes_now
from chalicelib.workers import relay, worker
from chalicelib.workers.queue import PULL, PUSH, Hint


def _image(**fields) -> dict:
    typed = {}
    for name, value in fields.items():
        typed[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return typed


def _record(event_name="MODIFY", **fields) -> dict:
    return {"eventName": event_name, "dynamodb": {"NewImage": _image(**fields)}}


PENDING = dict(sync_pk="A#acct1#SYNC", sync_sk="2026-11-26T10:00:00.000000Z#credit#c1", sync_version=3,
               synced_version=2)


def test_relay_hints_only_changes_left_pending():
    records = [
        _record("INSERT", **PENDING),
        _record(**{**PENDING, "synced_version": 3}),  # the worker recorded the push: nothing to do
        _record(**{k: v for k, v in PENDING.items() if k not in ("sync_pk", "sync_sk")}),  # not in the index
        _record(**PENDING, sync_error="6000 bad"),  # parked: the sweeper decides when to retry
        {"eventName": "REMOVE", "dynamodb": {"Keys": {}}},
        _record(pk="A#acct1", sk="ACCOUNT", name="Acme"),  # an item that never syncs
        _record(**{**PENDING, "sync_pk": "A#acct2#SYNC", "sync_sk": "2026-11-26T10:00:01.000000Z#invoice#i9",
                   "sync_version": 1, "synced_version": 0}),
    ]
    assert list(relay.hints_from_records(records)) == [
        Hint(PUSH, "acct1", "credit#c1#3"), Hint(PUSH, "acct2", "invoice#i9#1")]


def test_relay_names_a_use_by_its_whole_id():
    """A use's id holds a "#" (`<credit id>#<use id>`): the hint names the use, not a credit called after the use."""
    use = _record(**{**PENDING, "sync_sk": "2026-11-26T10:00:00.000000Z#use#c1#u7"})
    assert list(relay.hints_from_records([use])) == [Hint(PUSH, "acct1", "use#c1#u7#3")]


def test_relay_sends_the_batch_and_a_same_change_twice_has_one_dedup_id():
    sent = []
    assert relay.handle_event({"Records": [_record(**PENDING)]}, send=sent.extend) == 1
    assert relay.handle_event({"Records": [_record(**PENDING)]}, send=sent.extend) == 1  # the stream's retry
    assert sent[0].dedup_id == sent[1].dedup_id and sent[0].group == "push:acct1"
    assert relay.handle_event({"Records": []}, send=sent.extend) == 0 and len(sent) == 2


def test_relay_sends_one_hint_per_account_of_a_batch_named_after_its_newest_change():
    """An import's hundred records in a batch make one message, not a hundred ahead of the other accounts'."""
    other = {**PENDING, "sync_pk": "A#acct2#SYNC", "sync_sk": "2026-11-26T10:00:01.000000Z#invoice#i9"}
    records = [_record(**{**PENDING, "sync_sk": f"2026-11-26T10:00:00.000000Z#credit#c{n}"}) for n in range(100)]
    sent = []
    assert relay.handle_event({"Records": [_record(**other)] + records}, send=sent.extend) == 2
    assert sent == [Hint(PUSH, "acct2", "invoice#i9#3"), Hint(PUSH, "acct1", "credit#c99#3")]


def _message(message_id: str, body, group: str | None = None) -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"messageId": message_id, "body": text, "attributes": {"MessageGroupId": group} if group else {}}


def _push(account: str, message_id: str) -> dict:
    return _message(message_id, {"kind": PUSH, "account_id": account}, f"push:{account}")


class Deferred(Exception):
    pass


def test_worker_reports_only_the_failed_accounts_messages():
    calls = []

    def push(account_id, sent_at=None):
        calls.append(account_id)
        if account_id == "throttled":
            raise Deferred("429")

    event = {"Records": [_push("a", "m1"), _push("throttled", "m2"), _push("b", "m3"), _push("a", "m4")]}
    answer = worker.handle_event(event, {PUSH: push})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert calls == ["a", "throttled", "b"]  # two hints of one account in a batch: pushed once


def test_worker_keeps_fifo_order_after_a_failure_in_a_group():
    outcomes = iter([Deferred("outage")])

    def push(account_id, sent_at=None):
        raise next(outcomes)

    event = {"Records": [_push("a", "m1"), _push("a", "m2")]}
    assert worker.handle_event(event, {PUSH: push}) == {
        "batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}


def test_a_long_push_of_one_account_does_not_hold_the_other_accounts_of_its_batch():
    """The import's slice and a quiet account's hint share a batch: the quiet one runs while the slice still runs (in
    queue order, the slice would wait the full 10 s for it and then report it missing)."""
    quiet_done = threading.Event()
    seen = {}

    def push(account_id, sent_at=None):
        keys = observability.logger().thread_safe_get_current_keys()
        seen[account_id] = (keys.get("request_id"), keys.get("message_id"))
        if account_id == "importing":
            if not quiet_done.wait(10):
                raise Deferred("the quiet account's hint waited behind this slice")
        else:
            quiet_done.set()

    event = {"Records": [_push("importing", "m1"), _push("quiet", "m2")]}
    with observability.invocation(function="sync_worker", request_id="req-7"):
        assert worker.handle_event(event, {PUSH: push}) == {"batchItemFailures": []}
    assert seen == {"importing": ("req-7", "m1"), "quiet": ("req-7", "m2")}  # each group's log lines say whose


def test_poison_is_reported_so_it_reaches_the_dead_letter_queue_and_blocks_only_its_group():
    seen = []
    event = {"Records": [_message("p1", "not json", "push:a"), _push("a", "m2"), _message("p2", {"kind": "x"}),
                         _message("p3", [1, 2]), _push("b", "m3")]}
    answer = worker.handle_event(event, {PUSH: lambda key, sent_at: seen.append(key)})
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == ["p1", "m2", "p2", "p3"]
    assert seen == ["b"]


def test_pull_hints_reach_the_reader_once_per_realm_with_the_newest_sent_time():
    event = {"Records": [
        {**_message("m1", {"kind": PULL, "realm_id": "9130"}, "pull:9130"), "attributes": {
            "MessageGroupId": "pull:9130", "SentTimestamp": "1764150000000"}},
        {**_message("m2", {"kind": PULL, "realm_id": "9130"}, "pull:9130"), "attributes": {
            "MessageGroupId": "pull:9130", "SentTimestamp": "1764150005000"}},
        _push("a", "m3")]}
    pulled, pushed = [], []
    answer = worker.handle_event(event, {PUSH: lambda key, sent: pushed.append(key),
                                         PULL: lambda key, sent: pulled.append((key, sent))})
    assert answer == {"batchItemFailures": []} and pushed == ["a"]
    assert pulled == [("9130", datetime(2025, 11, 26, 9, 40, 5, tzinfo=timezone.utc))]


def test_only_connected_accounts_push_now():
    assert pushes_now(ConnectionState.CONNECTED)
    assert not pushes_now(ConnectionState.SOFT_DISCONNECTED)  # keeps its pending changes for the reconnect
    assert not pushes_now(ConnectionState.NONE)


@given(st.integers(min_value=0, max_value=40), st.floats(min_value=0, max_value=3 * MAX_BACKOFF_SECONDS))
def test_a_parked_object_is_retried_exactly_when_its_backoff_has_passed(attempts, elapsed):
    assert retry_due(attempts, elapsed) == (elapsed >= retry_delay(attempts))
    assert retry_due(attempts, MAX_BACKOFF_SECONDS)  # never waits more than the cap
    assert not retry_due(attempts, 29.9)  # never sooner than the first delay


def test_stale_threshold():
    assert not sweep_due(STALE_PENDING_SECONDS - 1) and sweep_due(STALE_PENDING_SECONDS)


def test_job_hints_run_one_step_of_their_job():
    from chalicelib.workers.queue import JOB

    stepped = []
    event = {"Records": [_message("j1", {"kind": JOB, "job_id": "A1-J1"}, "push:A1")]}
    answer = worker.handle_event(event, {JOB: lambda key, sent: stepped.append(key)})
    assert answer == {"batchItemFailures": []} and stepped == ["A1-J1"]
    assert worker.HANDLERS[JOB] is worker.job


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(timezone.utc)),
       st.integers(min_value=0, max_value=10 * 24 * 3600 * 1_000_000))
def test_the_age_of_a_stored_timestamp_is_the_time_from_it_to_the_callers_clock(stored_at, micros):
    from datetime import timedelta

    from chalicelib.store.ids import seconds_since

    now = stored_at + timedelta(microseconds=micros)
    as_stored = stored_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # utc_now's format (pending_since, failed_at)
    assert seconds_since(as_stored, now) == micros / 1_000_000
    assert seconds_since(stored_at.isoformat(), now) == micros / 1_000_000  # an offset instead of Z


class _VisibilityRecorder:
    """Stands in for the SQS client: what the worker asked to change."""

    def __init__(self):
        self.calls = []

    def change_message_visibility_batch(self, **request):
        self.calls.append(request)
        return {"Successful": [{"Id": e["Id"]} for e in request["Entries"]]}


def _received(message_id: str, account: str, receives: int) -> dict:
    record = _push(account, message_id)
    record["receiptHandle"] = f"rh-{message_id}"
    record["attributes"] = {**record["attributes"], "ApproximateReceiveCount": str(receives)}
    return record


def test_handed_back_messages_return_on_the_transient_retry_schedule_when_deployed(monkeypatch):
    """Deployed, the queue's visibility timeout is six times the worker's timeout (redelivery while in work); a message
    the worker hands back waits 30 s doubling, at most 5 minutes, instead: only the failed ones are touched."""
    from chalicelib.workers import queue

    sqs = _VisibilityRecorder()
    monkeypatch.setattr(queue, "sqs_client", lambda: sqs)
    monkeypatch.setenv("SYNC_QUEUE_URL", "https://sqs.example/credits-sync.fifo")

    def push(account_id, sent_at=None):
        if account_id == "throttled":
            raise Deferred("429")

    event = {"Records": [_received("m1", "a", 1), _received("m2", "throttled", 3)]}
    monkeypatch.delenv("SYNC_REDELIVERY_BACKOFF", raising=False)
    assert worker.handle_event(event, {PUSH: push}) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert sqs.calls == []  # locally: the queue's own visibility timeout
    monkeypatch.setenv("SYNC_REDELIVERY_BACKOFF", "1")
    assert worker.handle_event(event, {PUSH: push}) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}
    assert sqs.calls == [{"QueueUrl": "https://sqs.example/credits-sync.fifo",
                          "Entries": [{"Id": "1", "ReceiptHandle": "rh-m2", "VisibilityTimeout": 120}]}]
    assert [worker.redelivery_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 300, 300]
