"""The sync queue's SQS FIFO adapter (chalicelib/ports/queue.py is the port and the message contract, re-exported
here for the workers and tests): sends hints in batches of 10 with their group and deduplication id."""
from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Iterable

from .. import config
from ..ports.queue import JOB, KEY_FIELDS, PULL, PUSH, REVOKE, Hint, parse  # noqa: F401 (the contract, re-exported)

MAX_BATCH = 10  # SendMessageBatch limit


def queue_url() -> str:
    """SYNC_QUEUE_URL, read when used (set by the template for the Lambdas and by the devstack locally)."""
    return os.environ["SYNC_QUEUE_URL"]


_CLIENT_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _client(endpoint: str | None, region: str):
    import boto3

    with _CLIENT_LOCK:  # boto3's default session is not thread-safe, and the worker's groups may send at once
        return boto3.client("sqs", endpoint_url=endpoint, region_name=region)


def sqs_client():
    """An SQS client for SQS_ENDPOINT (unset: AWS), cached per endpoint (clients are thread-safe)."""
    return _client(os.environ.get("SQS_ENDPOINT") or None, config.aws_region())


class SqsSender:
    """The port's adapter (chalicelib/bootstrap.py plugs it in)."""

    def send(self, hints: Iterable[Hint]) -> None:
        send(hints)


def send(hints: Iterable[Hint]) -> None:
    """Send hints in batches of 10; a batch entry SQS refuses raises, so the caller (relay, sweeper) is retried."""
    unique = list({(h.group, h.dedup_id): h for h in hints}.values())
    url = queue_url() if unique else ""  # no client is made for a queue that is not configured
    for start in range(0, len(unique), MAX_BATCH):
        chunk = unique[start:start + MAX_BATCH]
        answer = sqs_client().send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": h.body(), "MessageGroupId": h.group, "MessageDeduplicationId": h.dedup_id}
            for n, h in enumerate(chunk)])
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} sync hints: {answer['Failed'][:3]}")
