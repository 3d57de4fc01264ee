"""Redrive the sync dead-letter queue: move its messages back to the sync FIFO queue.

Each message keeps its body, attributes and MessageGroupId (so an account's hints stay in order) and gets a fresh
deduplication id (the original one may still be inside the queue's 5-minute window and would be dropped). A message
is deleted from the DLQ only after the queue took it; a sync hint is a pointer to current state, so the rare copy a
crash between the two leaves behind is harmless. SQS's StartMessageMoveTask is not used: moto does not implement it,
so the tests could not run the real path against it."""
from __future__ import annotations

import argparse
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from .errors import INCOMPLETE, OK, Unreachable
from .output import Result
from .target import queue_urls

RECEIVE_BATCH = 10  # ReceiveMessage's maximum


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("dlq", help="the sync dead-letter queue")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    redrive = sub.add_parser("redrive", parents=[common], help="move the DLQ's messages back to the sync queue")
    redrive.add_argument("--queue-url", help="the sync FIFO queue (env SYNC_QUEUE_URL; or --stack)")
    redrive.add_argument("--dlq-url", help="its dead-letter queue (env SYNC_DLQ_URL; or --stack)")
    redrive.add_argument("--sqs-endpoint", default=os.environ.get("SQS_ENDPOINT"),
                         help="an SQS endpoint other than AWS's (env SQS_ENDPOINT)")
    redrive.add_argument("--max", type=int, default=None, help="move at most this many messages")
    redrive.add_argument("--hold-seconds", type=int, default=60,
                         help="how long a message that could not be moved stays hidden in the DLQ (its visibility)")
    redrive.add_argument("--wait-seconds", type=int, default=2,
                         help="long-poll wait before deciding the DLQ is empty")
    redrive.set_defaults(run=redrive_command)


@dataclass
class Redrive:
    moved: int = 0
    failed: int = 0
    left: int | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


def redrive_command(args: argparse.Namespace) -> Result:
    import boto3

    queue_url, dlq_url = queue_urls(args)
    sqs = boto3.client("sqs", region_name=args.region, endpoint_url=args.sqs_endpoint or None)
    report = redrive(sqs, queue_url, dlq_url, limit=args.max, hold_seconds=args.hold_seconds,
                     wait_seconds=args.wait_seconds)
    document = {"moved": report.moved, "failed": report.failed, "left_in_dlq": report.left, "errors": report.errors,
                "queue_url": queue_url, "dlq_url": dlq_url}
    text = "\n".join([f"moved {report.moved}, failed {report.failed}; about {report.left} left in the DLQ"]
                     + [f"  {e['message_id']}: {e['code']} {e['message']}" for e in report.errors])
    return Result(document, text, INCOMPLETE if report.failed or report.errors else OK)


def redrive(sqs: Any, queue_url: str, dlq_url: str, *, limit: int | None = None, hold_seconds: int = 60,
            wait_seconds: int = 2) -> Redrive:
    """Receive from the DLQ in batches and send each message to the queue, in order. Once a message of a group is
    refused, the later ones of that group stay in the DLQ too (hidden for `hold_seconds`), so order holds. A message
    seen once is not tried again in the same run."""
    from botocore.exceptions import BotoCoreError, ClientError

    report, refused_groups, seen = Redrive(), set(), set()
    while limit is None or report.moved + report.failed < limit:
        want = RECEIVE_BATCH if limit is None else min(RECEIVE_BATCH, limit - report.moved - report.failed)
        try:
            messages = sqs.receive_message(
                QueueUrl=dlq_url, MaxNumberOfMessages=want, VisibilityTimeout=hold_seconds,
                WaitTimeSeconds=wait_seconds, MessageSystemAttributeNames=["MessageGroupId"],
                MessageAttributeNames=["All"]).get("Messages", [])
        except (BotoCoreError, ClientError) as error:
            raise Unreachable(f"SQS: could not receive from the DLQ ({_code(error)})", details={"dlq_url": dlq_url}) \
                from None
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:  # empty, or only what this run could not move, visible again after hold_seconds
            break
        for message in fresh:
            seen.add(message["MessageId"])
            group = message.get("Attributes", {}).get("MessageGroupId")
            if group is not None and group in refused_groups:
                report.failed += 1
                report.errors.append(_error(message, "held", "an earlier message of its group was not moved"))
                continue
            try:
                sqs.send_message(**_resend(queue_url, message, group))
            except (BotoCoreError, ClientError) as error:
                report.failed += 1
                refused_groups.add(group)
                report.errors.append(_error(message, _code(error), str(error)))
                continue
            report.moved += 1
            try:
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            except (BotoCoreError, ClientError) as error:  # moved; a copy comes back after hold_seconds
                report.errors.append(_error(message, _code(error), f"moved but not deleted from the DLQ: {error}"))
    report.left = _depth(sqs, dlq_url)
    return report


def _resend(queue_url: str, message: dict, group: str | None) -> dict[str, Any]:
    sent: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
    if message.get("MessageAttributes"):
        sent["MessageAttributes"] = message["MessageAttributes"]
    if group is not None:
        sent["MessageGroupId"] = group
        sent["MessageDeduplicationId"] = f"redrive-{uuid.uuid4().hex}"
    return sent


def _depth(sqs: Any, url: str) -> int | None:
    """Messages still in the DLQ, visible or held (SQS's approximate counts)."""
    from botocore.exceptions import BotoCoreError, ClientError

    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    try:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    except (BotoCoreError, ClientError):
        return None
    return sum(int(attributes.get(name, 0)) for name in names)


def _error(message: dict, code: str, text: str) -> dict[str, Any]:
    return {"message_id": message.get("MessageId"), "group": message.get("Attributes", {}).get("MessageGroupId"),
            "code": code, "message": text}


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or type(error).__name__)
