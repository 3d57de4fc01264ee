"""`python -m chalicelib.ops dlq redrive` against moto's SQS: the sync FIFO queue with its dead-letter queue, as
deploy/resources.json declares them (redrive after maxReceiveCount). No DynamoDB, no API: SQS only."""
from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"


class Queues:
    def __init__(self, sqs, *, max_receive_count: int = 5) -> None:
        self.sqs = sqs
        self.dlq = sqs.create_queue(QueueName="credits-sync-dlq.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.queue = sqs.create_queue(QueueName="credits-sync.fifo", Attributes={
            "FifoQueue": "true", "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})})[
            "QueueUrl"]

    def put(self, url: str, group: str, body: str, dedup: str) -> None:
        self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=dedup)

    def drain(self, url: str) -> list[dict]:
        """Everything the queue hands out now, in order, deleted as it is read."""
        got = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"],
                                             VisibilityTimeout=30).get("Messages", [])
            if not batch:
                return got
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            got += batch

    def depth(self, url: str) -> int:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        return sum(int(attributes[n]) for n in names)


@pytest.fixture
def queues(monkeypatch):
    for name in ("SYNC_QUEUE_URL", "SYNC_DLQ_URL", "SQS_ENDPOINT", "CREDITS_STACK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield Queues(boto3.client("sqs", region_name=REGION))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    from chalicelib.ops.cli import main

    capsys.readouterr()
    code = main(["dlq", "redrive", "--wait-seconds", "0", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def dead_letters(queues: Queues) -> list[tuple[str, str]]:
    """Five hints of two groups in the DLQ (an account's pushes, a realm's pulls), interleaved."""
    sent = [("push:A", '{"kind":"push","account_id":"A"}'), ("pull:R", '{"kind":"pull","realm_id":"R"}'),
            ("push:A", '{"kind":"job","job_id":"A-1"}'), ("push:A", '{"kind":"push","account_id":"A"}'),
            ("pull:R", '{"kind":"pull","realm_id":"R"}')]
    for i, (group, body) in enumerate(sent):
        queues.put(queues.dlq, group, body, f"original-{i}")
    return sent


def by_group(messages: list[dict]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for m in messages:
        groups.setdefault(m["Attributes"]["MessageGroupId"], []).append(m["Body"])
    return groups


def test_redrive_moves_every_message_back_keeping_its_group_and_order(queues, capsys):
    sent = dead_letters(queues)
    code, out, err = run(capsys, "--queue-url", queues.queue, "--dlq-url", queues.dlq)
    assert code == 0, err
    assert out == "moved 5, failed 0; about 0 left in the DLQ\n"
    moved = queues.drain(queues.queue)
    assert by_group(moved) == by_group([{"Attributes": {"MessageGroupId": g}, "Body": b} for g, b in sent])
    dedup_ids = {m["Attributes"]["MessageDeduplicationId"] for m in moved}
    assert len(dedup_ids) == 5 and not dedup_ids & {f"original-{i}" for i in range(5)}  # fresh ones
    assert queues.depth(queues.dlq) == 0


def test_redrive_json_with_queues_from_the_environment(queues, capsys, monkeypatch):
    dead_letters(queues)
    monkeypatch.setenv("SYNC_QUEUE_URL", queues.queue)
    monkeypatch.setenv("SYNC_DLQ_URL", queues.dlq)
    code, out, _ = run(capsys, "--json")
    assert code == 0
    assert json.loads(out) == {"moved": 5, "failed": 0, "left_in_dlq": 0, "errors": [], "queue_url": queues.queue,
                               "dlq_url": queues.dlq}
    assert len(queues.drain(queues.queue)) == 5


def test_a_redriven_hint_is_not_deduplicated_away_by_its_twin(queues, capsys):
    """SQS drops a message whose dedup id it saw within 5 minutes: a hint that died quickly, or whose twin (the
    relay's and the sweeper's hints share a dedup id) is still queued, would vanish if resent under its own id."""
    body = '{"kind":"push","account_id":"A"}'
    queues.put(queues.queue, "push:A", body, "push-A-v7")
    queues.put(queues.dlq, "push:A", body, "push-A-v7")
    code, out, _ = run(capsys, "--queue-url", queues.queue, "--dlq-url", queues.dlq, "--json")
    assert code == 0 and json.loads(out)["moved"] == 1
    assert [m["Body"] for m in queues.drain(queues.queue)] == [body, body]


def test_max_moves_only_that_many(queues, capsys):
    dead_letters(queues)
    code, out, _ = run(capsys, "--queue-url", queues.queue, "--dlq-url", queues.dlq, "--max", "2")
    assert code == 0 and out == "moved 2, failed 0; about 3 left in the DLQ\n"
    assert len(queues.drain(queues.queue)) == 2 and queues.depth(queues.dlq) == 3


def test_a_queue_that_refuses_leaves_every_message_in_the_dlq_and_exits_4(queues, capsys):
    dead_letters(queues)
    gone = queues.queue.replace("credits-sync.fifo", "deleted-meanwhile.fifo")
    code, out, err = run(capsys, "--queue-url", gone, "--dlq-url", queues.dlq, "--hold-seconds", "0")
    lines = out.splitlines()
    assert code == 4 and lines[0] == "moved 0, failed 5; about 5 left in the DLQ"
    assert sum("held an earlier message of its group was not moved" in line for line in lines) == 3
    assert queues.depth(queues.dlq) == 5
    code, out, _ = run(capsys, "--queue-url", gone, "--dlq-url", queues.dlq, "--hold-seconds", "0", "--json")
    report = json.loads(out)  # how many it tried depends on SQS's batches: each group's first, maybe the rest
    assert code == 4 and report["moved"] == 0 and report["left_in_dlq"] == 5 and report["failed"] >= 2
    refused = [e["group"] for e in report["errors"] if e["code"] == "AWS.SimpleQueueService.NonExistentQueue"]
    assert sorted(refused) == ["pull:R", "push:A"] and len(report["errors"]) == report["failed"]
    assert queues.depth(queues.dlq) == 5


def test_without_queues_it_is_a_usage_error(queues, capsys):
    code, out, err = run(capsys, "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "ops_config" and "--queue-url" in err
