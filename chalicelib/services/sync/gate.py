"""The worker's push hint: push one account's pending changes (push_pending decides whether the account pushes now).

Kept apart from push.py so the worker imports the push engine (and python-quickbooks) only when a hint arrives.
"""
from __future__ import annotations

from typing import Any


def push_account(account_id: str, **push_options: Any):
    """`push_pending` for the account; it drops the hint of an account that is gone, off or not connected."""
    from .push import push_pending

    return push_pending(account_id, **push_options)
