"""The sync worker: a batch of SQS FIFO messages → push, pull or a job step per hint, failures reported per message.

Lambda deletes what the handler does not name in `batchItemFailures` (ReportBatchItemFailures on the event source
mapping); a named message comes back after the visibility timeout, and after maxReceiveCount receives it goes to
the dead-letter queue. So: a deferred push (throttle, outage) is named and retried; an unreadable message is named
too, until it lands in the DLQ. Deployed (SYNC_REDELIVERY_BACKOFF=1), a named message comes back on the sync retry
schedule (30 s doubling, at most 5 minutes) rather than after the queue's visibility timeout, which is six times the
function's timeout so that no message is redelivered while it is still in work; FIFO order holds because, once one message of a group fails, the later ones of that
group in the batch are named as well (Powertools' SqsFifoPartialProcessor). Hints of one key in a batch run once:
the worker reads current state anyway. The batch's message groups (accounts, realms) run at once, each in a thread
of its own: a quiet account's hint that shares a batch with another account's push slice does not wait for it.
"""
from __future__ import annotations

import contextvars
import logging
import os
from concurrent.futures import ThreadPoolExecutor
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


class HintFailed(Exception):
    """The hint's work failed (or the message is not a hint): its message goes back to the queue."""


def handle_event(event: Mapping[str, Any], handlers: Mapping[str, Handler] | None = None) -> dict:
    """The worker Lambda's body for a raw SQS event; answers Lambda's partial batch response.

    Each message group runs in a thread of its own (its I/O waits on DynamoDB and QBO overlap), so one account's long
    push slice holds only its own group. Within a group, Powertools' SqsFifoPartialProcessor names a failed message
    and the later ones of its group (FIFO order within an account holds). A batch whose messages all fail is
    answered, not raised: the same messages come back either way, and an answer keeps the log clean."""
    handlers = handlers or HANDLERS
    records = list(event.get("Records") or [])
    sent = _sent_times(event)
    groups = _groups(records)
    if len(groups) <= 1:
        failed = [_handle_group(group, handlers, sent) for group in groups]
    else:  # each thread starts from a copy of the invocation's context (its log keys) and its X-Ray segment
        adopt_trace = observability.trace_carrier()
        with ThreadPoolExecutor(max_workers=len(groups), thread_name_prefix="sync-group") as pool:
            runs = [pool.submit(contextvars.copy_context().run, _in_thread, adopt_trace, group, handlers, sent)
                    for group in groups]
            failed = [run.result() for run in runs]
    named = set().union(*failed)
    _back_off(event, named)
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records if r.get("messageId") in named]}


def _groups(records: list[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The batch's records by message group, each group in its queue order (a record without one stands alone)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        group = (record.get("attributes") or {}).get("MessageGroupId") or f"message:{record.get('messageId')}"
        groups.setdefault(group, []).append(record)
    return list(groups.values())


def _in_thread(adopt_trace: Callable[[], None], *group_args: Any) -> set[str]:
    adopt_trace()
    return _handle_group(*group_args)


def _handle_group(records: list[Mapping[str, Any]], handlers: Mapping[str, Handler], sent: tuple[dict, dict]
                  ) -> set[str]:
    """One message group's records in order; answers the message ids to hand back. Hints of one key run once."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    newest, oldest = sent
    done: dict[tuple[str, str], str | None] = {}  # hint → None (done) or why it failed

    def record_handler(record: Any) -> None:
        observability.log_keys(message_id=record.message_id, message_group=record.attributes.message_group_id,
                               hint=None, account_id=None, realm_id=None, job_id=None)
        try:
            hint = parse(record.body or "")
        except ValueError as error:
            logger.error("sync message %s is poison (%s): left for the dead-letter queue", record.message_id, error)
            raise HintFailed("not a sync hint") from None
        observability.log_keys(hint=hint.kind, **{KEY_NAMES.get(hint.kind, "key"): hint.key})
        key = (hint.kind, hint.key)
        if key not in done:
            done[key] = _run(handlers, hint, record.message_id, newest.get(key), oldest.get(key))
        if done[key] is not None:
            _last_receive(record.raw_event, hint, done[key])
            raise HintFailed(done[key])

    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    processor.raise_on_entire_batch_failure = False
    answer = process_partial_response(event={"Records": [dict(r) for r in records]}, record_handler=record_handler,
                                      processor=processor)
    return {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}


def redelivery_delay(receives: int) -> int:
    """Seconds a message handed back after its `receives`-th receive stays hidden: the transient retry schedule."""
    from ..domain.sync import retry_delay

    return retry_delay(max(1, receives), transient=True)


def _back_off(event: Mapping[str, Any], failed: set[str]) -> None:
    """Hide the named messages for redelivery_delay() instead of the rest of the visibility timeout: a deferred push
    is tried again within minutes, and its account's FIFO group is not held for a quarter of an hour."""
    if not failed or os.environ.get("SYNC_REDELIVERY_BACKOFF") != "1":
        return
    from . import queue

    entries = [{"Id": str(n), "ReceiptHandle": r["receiptHandle"], "VisibilityTimeout": redelivery_delay(
        int((r.get("attributes") or {}).get("ApproximateReceiveCount") or 1))}
        for n, r in enumerate(event.get("Records") or []) if r.get("messageId") in failed]
    try:
        answer = queue.sqs_client().change_message_visibility_batch(QueueUrl=queue.queue_url(), Entries=entries)
    except Exception:  # noqa: BLE001 - the queue's own visibility timeout still brings the messages back
        logger.exception("could not set the redelivery delay of %d sync messages", len(entries))
        return
    if answer.get("Failed"):
        logger.warning("SQS refused the redelivery delay of %d sync messages: %s", len(answer["Failed"]),
                       answer["Failed"][:3])


def _sent_times(event: Mapping[str, Any]) -> tuple[dict, dict]:
    """Per hint, the newest and the oldest SentTimestamp of its messages in the batch."""
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
    return newest, oldest


def _last_receive(record: Mapping[str, Any], hint: Hint, why: str) -> None:
    """A message handed back on its last allowed receive goes to the dead-letter queue: its account's panel says so."""
    receives = int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 0)
    if receives < max_receive_count():
        return
    from ..services.sync.dead_letters import noted

    try:
        noted(hint.kind, hint.key, receives=receives, error=why)
    except Exception:  # noqa: BLE001 - the message goes to the DLQ (and its alarm fires) whether or not this is noted
        logger.exception("could not note the dead letter of sync %s %s", hint.kind, hint.key)


def max_receive_count() -> int:
    """The queue's maxReceiveCount (the template sets SYNC_MAX_RECEIVE_COUNT from the same number)."""
    return int(os.environ.get("SYNC_MAX_RECEIVE_COUNT", "5"))


def _run(handlers: Mapping[str, Handler], hint: Hint, message_id: str, sent_at: datetime | None,
         first_sent_at: datetime | None = None) -> str | None:
    """One hint's work; a reason means "give the message back to the queue". Its outcome is counted (metrics)."""
    try:
        result = handlers[hint.kind](hint.key, sent_at)
    except Exception as error:  # noqa: BLE001 - any failure is reported, retried by SQS, and DLQ'd in the end
        from ..services.sync.push import PushDeferred

        log = logger.info if isinstance(error, PushDeferred) else logger.exception
        log("sync %s %s (message %s) failed, back to the queue: %s", hint.kind, hint.key, message_id, error)
        observability.record_sync_failure()
        return f"{type(error).__name__}: {error}"[:300]
    if hint.kind == PUSH and hasattr(result, "pushed") and hasattr(result, "parked"):
        waited = (datetime.now(timezone.utc) - first_sent_at).total_seconds() if first_sent_at else None
        observability.record_push(len(result.pushed), len(result.parked), waited)
        logger.info("sync push of account %s: %d pushed, %d parked, %d waiting", hint.key, len(result.pushed),
                    len(result.parked), len(getattr(result, "waiting", ())))
    return None
