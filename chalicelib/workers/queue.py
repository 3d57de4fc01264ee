"""The sync queue (SQS FIFO): hints that an account has changes to push, or that a realm has changes to pull.

A message only says where to look; the worker always reads the current state (DESIGN §7, state not events), so a
duplicate, late or reordered message is harmless. Pushes are grouped per account and pulls per realm, so each is
handled in order while different accounts and realms run in parallel. A job hint (hard disconnect, mass re-sync)
names its job and rides its account's push group: a job step and a push of one account never run at once.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .. import config

PUSH, PULL, JOB, REVOKE = "push", "pull", "job", "revoke"
MAX_BATCH = 10  # SendMessageBatch limit
KEY_FIELDS = {PUSH: "account_id", PULL: "realm_id", JOB: "job_id", REVOKE: "account_id"}


@dataclass(frozen=True)
class Hint:
    """`kind` push (key = account id), pull (key = realm id), job (key = job id "<account>-<ulid>") or revoke (key =
    account id: tokens a disconnect dropped that Intuit has not revoked yet); `dedup` names the change that caused
    it."""

    kind: str
    key: str
    dedup: str = ""

    def body(self) -> str:
        return json.dumps({"kind": self.kind, KEY_FIELDS[self.kind]: self.key}, separators=(",", ":"))

    @property
    def group(self) -> str:
        if self.kind == JOB:
            return f"{PUSH}:{self.key.rpartition('-')[0]}"
        if self.kind == REVOKE:
            return f"{PUSH}:{self.key}"
        return f"{self.kind}:{self.key}"

    @property
    def dedup_id(self) -> str:
        """SQS drops a second message with this id within 5 minutes (FIFO deduplication)."""
        return hashlib.sha256(f"{self.group}|{self.dedup}".encode()).hexdigest()[:80]


def parse(body: str) -> Hint:
    """A message body back into a hint; anything else is a ValueError (the message is poison)."""
    data = json.loads(body)  # a JSONDecodeError is a ValueError too
    if not isinstance(data, dict):
        raise ValueError(f"not a sync hint: {body[:200]!r}")
    kind = data.get("kind")
    field = KEY_FIELDS.get(kind) if isinstance(kind, str) else None
    key = data.get(field) if field else None
    if not isinstance(key, str) or not key:
        raise ValueError(f"not a sync hint: {body[:200]!r}")
    return Hint(kind, key)


def queue_url() -> str:
    """SYNC_QUEUE_URL, read when used (set by the template for the Lambdas and by the devstack locally)."""
    return os.environ["SYNC_QUEUE_URL"]


@lru_cache(maxsize=4)
def _client(endpoint: str | None, region: str):
    import boto3

    return boto3.client("sqs", endpoint_url=endpoint, region_name=region)


def sqs_client():
    """An SQS client for SQS_ENDPOINT (unset: AWS), cached per endpoint (clients are thread-safe)."""
    return _client(os.environ.get("SQS_ENDPOINT") or None, config.aws_region())


def send(hints: Iterable[Hint]) -> None:
    """Send hints in batches of 10; a batch entry SQS refuses raises, so the caller (relay, sweeper) is retried."""
    unique = list({(h.group, h.dedup_id): h for h in hints}.values())
    for start in range(0, len(unique), MAX_BATCH):
        chunk = unique[start:start + MAX_BATCH]
        answer = sqs_client().send_message_batch(QueueUrl=queue_url(), Entries=[
            {"Id": str(n), "MessageBody": h.body(), "MessageGroupId": h.group, "MessageDeduplicationId": h.dedup_id}
            for n, h in enumerate(chunk)])
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} sync hints: {answer['Failed'][:3]}")
