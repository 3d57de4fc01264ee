"""The relay: DynamoDB stream records of objects that became pending → push hints on the sync queue.

Only a change that left an object pending makes a hint (its NewImage has `sync_pk` and `sync_version >
synced_version`, and it is not parked); the dedup id names that change (`kind#id#sync_version`), so the stream's
own retries and the sweeper's hints for the same change collapse in SQS's deduplication window. A batch of records
sends one hint per account, named after the account's newest change in the batch.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Iterator, Mapping

from . import queue
from .queue import PUSH, Hint

logger = logging.getLogger(__name__)


def _attr(image: Mapping[str, Any], name: str, kind: str) -> str | None:
    value = image.get(name)
    return value.get(kind) if isinstance(value, Mapping) else None


def hints_from_records(records: Iterable[Mapping[str, Any]]) -> Iterator[Hint]:
    """The hints a batch of raw stream records (Lambda's `Records`) asks for."""
    from ..store.sync_state import account_of_pending_pk, parse_sync_sk

    for record in records:
        if record.get("eventName") == "REMOVE":
            continue
        image = (record.get("dynamodb") or {}).get("NewImage") or {}
        sync_pk, sync_sk = _attr(image, "sync_pk", "S"), _attr(image, "sync_sk", "S")
        if not sync_pk or not sync_sk or _attr(image, "sync_error", "S"):
            continue  # not waiting, or parked (the sweeper retries it when its backoff allows)
        version = int(_attr(image, "sync_version", "N") or 0)
        if version <= int(_attr(image, "synced_version", "N") or 0):
            continue
        _, kind, object_id = parse_sync_sk(sync_sk)
        yield Hint(PUSH, account_of_pending_pk(sync_pk), f"{kind}#{object_id}#{version}")


def one_per_account(hints: Iterable[Hint]) -> list[Hint]:
    """One hint per account of a batch, named after its newest change: a run reads everything the account has pending
    anyway, so a 5,000-credit import queues a message per batch of records, not 5,000 messages ahead of the next
    batch's (the worker's push hands the rest of a long backlog back itself). Accounts in the order of their first
    change in the batch."""
    newest: dict[tuple[str, str], Hint] = {}
    for hint in hints:
        newest[(hint.kind, hint.key)] = hint  # a dict keeps the first insertion's place
    return list(newest.values())


def handle_event(event: Mapping[str, Any], send: Callable[[Iterable[Hint]], None] | None = None) -> int:
    """The relay Lambda's body: send the batch's hints, one per account (SQS refusing any raises, so Lambda retries
    the batch, whose hints keep their dedup ids)."""
    hints = one_per_account(hints_from_records(event.get("Records") or []))
    if hints:
        (send or queue.send)(hints)
        logger.info("relayed %d push hints for accounts %s", len(hints), sorted({hint.key for hint in hints}))
    return len(hints)
