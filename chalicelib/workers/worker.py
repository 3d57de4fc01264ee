"""The sync worker: a batch of SQS FIFO messages → push, pull or a job step per hint, failures reported per message.

Lambda deletes what the handler does not name in `batchItemFailures` (ReportBatchItemFailures on the event source
mapping); a named message comes back after the visibility timeout, and after maxReceiveCount receives it goes to
the dead-letter queue. So: a deferred push (throttle, outage) is named and retried; an unreadable message is named
too, until it lands in the DLQ; FIFO order holds because, once one message of a group fails, the later ones of that
group in the batch are named as well. Hints of one key in a batch run once: the worker reads current state anyway.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from .. import observability
from .queue import JOB, PULL, PUSH, REVOKE, Hint, parse

logger = logging.getLogger(__name__)
Handler = Callable[[str, "datetime | None"], Any]  # (account or realm id, when the newest hint was sent)


class NoPullReader(RuntimeError):
    """Pull hints arrived before this deployment has an inbound reader: they wait (retried, then DLQ), never lost."""


def push(account_id: str, sent_at: datetime | None = None) -> Any:
    from ..services.sync.gate import push_account

    return push_account(account_id)


def pull(realm_id: str, sent_at: datetime | None = None) -> Any:
    """The inbound reader (issue 10); a read that started after the hint was sent already saw what it names."""
    try:
        from ..services.sync.pull import pull_changes
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.endswith("services.sync.pull"):
            raise NoPullReader("no inbound reader (chalicelib.services.sync.pull) in this deployment") from None
        raise
    return pull_changes(realm_id, hinted_at=sent_at)


def _sent_at(record: Mapping[str, Any]) -> datetime | None:
    """SQS's SentTimestamp (ms since the epoch) of a record, if it carries one."""
    millis = (record.get("attributes") or {}).get("SentTimestamp")
    return datetime.fromtimestamp(int(millis) / 1000, timezone.utc) if millis else None


def job(job_id: str, sent_at: datetime | None = None) -> Any:
    """One step of a lifecycle job (hard disconnect, mass re-sync); the job queues its next step itself."""
    from ..services.sync.jobs import run_job

    return run_job(job_id)


def revoke(account_id: str, sent_at: datetime | None = None) -> Any:
    """Revoke at Intuit what a disconnect of this account dropped (raises while Intuit still refuses)."""
    from ..services.sync.connection import retry_revocations

    return retry_revocations(account_id)


HANDLERS: dict[str, Handler] = {PUSH: push, PULL: pull, JOB: job, REVOKE: revoke}
KEY_NAMES = {PUSH: "account_id", PULL: "realm_id", JOB: "job_id", REVOKE: "account_id"}  # what a hint's key is, in the log lines


def handle_event(event: Mapping[str, Any], handlers: Mapping[str, Handler] | None = None) -> dict:
    """The worker Lambda's body for a raw SQS event; answers Lambda's partial batch response."""
    handlers = handlers or HANDLERS
    newest: dict[tuple[str, str], datetime | None] = {}
    oldest: dict[tuple[str, str], datetime | None] = {}
    for record in event.get("Records") or []:
        try:
            hint = parse(record.get("body") or "")
        except ValueError:
            continue
        key, sent = (hint.kind, hint.key), _sent_at(record)
        newest[key] = max(filter(None, (sent, newest.get(key))), default=None)
        oldest[key] = min(filter(None, (sent, oldest.get(key))), default=None)
    failed: list[str] = []
    failed_groups: set[str] = set()
    done: dict[tuple[str, str], bool] = {}
    for record in event.get("Records") or []:
        message_id = record["messageId"]
        group = (record.get("attributes") or {}).get("MessageGroupId")
        observability.log_keys(message_id=message_id, message_group=group, hint=None, account_id=None,
                               realm_id=None, job_id=None)
        try:
            hint: Hint = parse(record.get("body") or "")
        except ValueError as error:
            logger.error("sync message %s is poison (%s): left for the dead-letter queue", message_id, error)
            failed.append(message_id)
            failed_groups.add(group or f"poison:{message_id}")
            continue
        group = group or hint.group
        observability.log_keys(hint=hint.kind, **{KEY_NAMES.get(hint.kind, "key"): hint.key})
        if group in failed_groups:
            failed.append(message_id)  # FIFO: nothing after a failed message of its group is processed
            continue
        key = (hint.kind, hint.key)
        if key not in done:
            done[key] = _run(handlers, hint, message_id, newest.get(key), oldest.get(key))
        if not done[key]:
            failed.append(message_id)
            failed_groups.add(group)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _run(handlers: Mapping[str, Handler], hint: Hint, message_id: str, sent_at: datetime | None,
         first_sent_at: datetime | None = None) -> bool:
    """One hint's work; False means "give the message back to the queue". Its outcome is counted (metrics)."""
    try:
        result = handlers[hint.kind](hint.key, sent_at)
    except Exception as error:  # noqa: BLE001 - any failure is reported, retried by SQS, and DLQ'd in the end
        from ..services.sync.push import PushDeferred

        log = logger.info if isinstance(error, PushDeferred) else logger.exception
        log("sync %s %s (message %s) failed, back to the queue: %s", hint.kind, hint.key, message_id, error)
        observability.record_sync_failure()
        return False
    if hint.kind == PUSH and hasattr(result, "pushed") and hasattr(result, "parked"):
        waited = (datetime.now(timezone.utc) - first_sent_at).total_seconds() if first_sent_at else None
        observability.record_push(len(result.pushed), len(result.parked), waited)
        logger.info("sync push of account %s: %d pushed, %d parked, %d waiting", hint.key, len(result.pushed),
                    len(result.parked), len(getattr(result, "waiting", ())))
    return True
