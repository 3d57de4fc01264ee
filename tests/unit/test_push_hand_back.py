"""The worker's push hint takes a slice (SYNC_PUSH_SLICE, read per call) and hands the rest back to the queue only when
it moved something (no hot loop on objects that keep waiting); each continuation is a new message, never deduplicated
away."""
from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.ports import queue
from chalicelib.services.sync import gate, push
from chalicelib.services.sync.push import PushReport


class Sent:
    def __init__(self) -> None:
        self.hints: list[queue.Hint] = []

    def send(self, hints) -> None:
        self.hints.extend(hints)


@pytest.fixture
def sent(monkeypatch) -> Sent:
    sender = Sent()
    monkeypatch.setattr(queue, "_plug", queue.Plug("queue sender"))  # wired for this test only
    queue.wire(sender)
    return sender


def runs(monkeypatch, *reports: PushReport) -> list[dict]:
    """push_pending answers `reports` in turn; answers the options each call got."""
    calls, answers = [], iter(reports)

    def push_pending(account_id, **options):
        calls.append({"account_id": account_id, **options})
        return next(answers)

    monkeypatch.setattr(push, "push_pending", push_pending)
    return calls


def test_a_run_cut_at_its_slice_queues_a_continuation_in_the_accounts_group(monkeypatch, sent):
    calls = runs(monkeypatch, PushReport(pushed=[("credit", "c1")], more=True),
                 PushReport(pushed=[("credit", "c2")], more=True))
    gate.push_account("acct1")
    gate.push_account("acct1")
    assert [(h.kind, h.key, h.group) for h in sent.hints] == [(queue.PUSH, "acct1", "push:acct1")] * 2
    assert sent.hints[0].dedup_id != sent.hints[1].dedup_id  # SQS would drop a repeat within 5 minutes
    assert calls[0]["limit"] == config.PUSH_SLICE_DEFAULT


@pytest.mark.parametrize("report", [
    PushReport(pushed=[("credit", "c1")], more=False),  # all done
    PushReport(waiting=[("credit", "c1")], more=True),  # nothing moved: the sweeper comes back, not a hot loop
    PushReport(more=False),  # a dropped hint (account disconnected) or nothing pending
])
def test_no_continuation_when_nothing_is_left_or_nothing_moved(monkeypatch, sent, report):
    runs(monkeypatch, report)
    gate.push_account("acct1")
    assert sent.hints == []


def test_the_slice_is_read_per_call(monkeypatch, sent):
    calls = runs(monkeypatch, PushReport(), PushReport())
    monkeypatch.setenv("SYNC_PUSH_SLICE", "7")
    gate.push_account("acct1")
    monkeypatch.setenv("SYNC_PUSH_SLICE", "90")
    gate.push_account("acct1")
    assert [c["limit"] for c in calls] == [7, 90]
