"""The worker's push hint: push a slice of one account's pending changes, and hand the rest back to the queue.

A run takes at most `config.push_slice()` objects (read per call): one account's 5,000-credit import then holds a
worker for a slice at a time, and the other accounts' hints get the workers in between. When pushable objects are
left and the run moved something, it queues a continuation hint for the account: the same message group, so it
comes after what the account already has queued, behind the other groups' messages. A lost continuation loses
nothing: the objects stay in the pending index, and the sweeper hints them again once they are stale.

Kept apart from push.py so the worker imports the push engine (and python-quickbooks) only when a hint arrives.
"""
from __future__ import annotations

from typing import Any

from ... import config
from ...ports import queue
from ...store.ids import new_id


def push_account(account_id: str, **push_options: Any):
    """A slice of `push_pending` for the account (it drops the hint of an account that is gone, off or not
    connected); queues the continuation when more is left. A refused continuation raises: the hint comes back."""
    from .push import push_pending

    push_options.setdefault("limit", config.push_slice())
    report = push_pending(account_id, **push_options)
    if report.more and report.pushed:  # a run that moved nothing waits for the sweeper (no hot loop)
        queue.send([continuation(account_id)])
    return report


def continuation(account_id: str) -> queue.Hint:
    """A push hint for the rest of the account's pending work; its dedup id is new each time (SQS would drop a
    repeat of the same id within 5 minutes)."""
    return queue.Hint(queue.PUSH, account_id, f"more#{new_id()}")
