"""The sync queue's port: the message contract (hints) and the sender the use cases call; the SQS adapter
(chalicelib/workers/queue.py) implements it and chalicelib/bootstrap.py plugs it in at start-up.

A message only says where to look; the worker always reads the current state (DESIGN §7, state not events), so a
duplicate, late or reordered message is harmless. Pushes are grouped per account and pulls per realm, so each is
handled in order while different accounts and realms run in parallel. A job hint (hard disconnect, mass re-sync)
names its job and rides its account's push group: a job step and a push of one account never run at once.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Protocol

from .wiring import NotWired, Plug  # noqa: F401 (NotWired: the error its callers may meet)

PUSH, PULL, JOB, REVOKE = "push", "pull", "job", "revoke"
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


class QueueSender(Protocol):
    """Sends hints (a refused one raises, so the caller is retried)."""

    def send(self, hints: Iterable[Hint]) -> None: ...


_plug: Plug[QueueSender] = Plug("queue sender")


def wire(sender: QueueSender) -> None:
    _plug.wire(lambda: sender)


def send(hints: Iterable[Hint]) -> None:
    """Send hints through the wired sender (SQS deployed and in the dev stack)."""
    _plug.get().send(hints)
