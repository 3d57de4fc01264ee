"""The sync Lambdas' event sources, in-process for the local stack (`make run`) and the end-to-end tests.

Three loops call the very handlers `app.py` declares, with the events Lambda would build:
- the relay: DynamoDB Local's real table stream (DescribeStream / GetShardIterator / GetRecords) → `sync_relay`;
- the worker: a FIFO queue with its dead-letter queue in moto's in-process SQS (group order, visibility timeout,
  deduplication window, redrive after maxReceiveCount), received in batches of 10 → `sync_worker`, then the
  messages the handler did not name in `batchItemFailures` are deleted, as Lambda's event source mapping does;
  `workers` loops at once stand in for the worker Lambda's concurrency (a group's messages still go to one at a
  time: moto holds a group back while one of its messages is in flight);
- the schedules: `sync_sweeper` and `sync_cdc_sweep` every `sweep_every` seconds.
moto intercepts botocore calls while the pump runs; DynamoDB and its streams pass through to DynamoDB Local, and
nothing here ever reaches AWS. Given `sqs_endpoint` (a moto server of its own, as `bench/tenants.py` starts), the
queues live there instead, so pumps in several processes share them: one runs the relay, others a worker loop each,
as the worker Lambda's instances are processes of their own.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

logger = logging.getLogger(__name__)
REGION = "us-east-1"
# The event source mappings' batching, as the deploy template sets it (tests/test_package_sync.py holds them equal):
# the relay gets up to 100 stream records per invocation, waiting at most RELAY_BATCHING_WINDOW seconds to gather
# them; the worker gets up to 10 messages (FIFO queues allow no batching window).
RELAY_BATCH_SIZE, RELAY_BATCHING_WINDOW, WORKER_BATCH_SIZE = 100, 0.0, 10
QUEUE_NAME, DLQ_NAME = "credits-sync.fifo", "credits-sync-dlq.fifo"


@dataclass
class PumpStats:
    """What went through the pump (for tests, benches and the banner)."""

    stream_records: int = 0
    relay_calls: int = 0
    worker_batches: int = 0
    messages: int = 0
    failures: int = 0
    sweeps: int = 0
    errors: list[str] = field(default_factory=list)
    received: list[tuple[str, float, float]] = field(default_factory=list)  # (message group, sent, received): epoch s
    handled: list[tuple[str, float, float]] = field(default_factory=list)  # (message group, received, its batch done)


class SyncPump:
    """`start()` … `stop()` (or a with block); the handlers default to app.py's sync_relay / sync_worker / sync_sweeper,
    and `run` picks the loops (a test drives the others itself: `deliver`, `sweep`)."""

    def __init__(self, *, relay: Callable | None = None, worker: Callable | None = None,
                 sweeper: Callable | None = None, cdc_sweeper: Callable | None = None, sweep_every: float = 60.0,
                 visibility_timeout: int = 5,
                 max_receive_count: int = 5, poll_interval: float = 0.05,
                 run: tuple[str, ...] = ("relay", "worker", "schedule"), relay_batch_size: int = RELAY_BATCH_SIZE,
                 relay_window: float = RELAY_BATCHING_WINDOW, worker_batch_size: int = WORKER_BATCH_SIZE,
                 workers: int = 1, sqs_endpoint: str | None = None) -> None:
        self.relay, self.worker, self.sweeper, self.cdc_sweeper = relay, worker, sweeper, cdc_sweeper
        self.workers, self.sqs_endpoint = workers, sqs_endpoint
        self._sqs_lock = threading.Lock()  # moto's receive and delete are not thread-safe: one at a time, as SQS is
        self.sweep_every, self.visibility_timeout = sweep_every, visibility_timeout
        self.max_receive_count, self.poll_interval, self.run = max_receive_count, poll_interval, run
        self.relay_batch_size, self.relay_window, self.worker_batch_size = relay_batch_size, relay_window, \
            worker_batch_size
        self.stream_ready = threading.Event()
        self.stats = PumpStats()
        self.queue_url = self.dlq_url = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._mock: Any = None
        self._env: dict[str, str | None] = {}

    # lifecycle
    def start(self) -> "SyncPump":
        from moto import mock_aws

        if self.relay is None or self.worker is None or self.sweeper is None or self.cdc_sweeper is None:
            import app

            self.relay = self.relay or app.sync_relay
            self.worker = self.worker or app.sync_worker
            self.sweeper = self.sweeper or app.sync_sweeper
            self.cdc_sweeper = self.cdc_sweeper or app.sync_cdc_sweep
        if not self.sqs_endpoint:
            self._mock = mock_aws(config={"core": {"passthrough": {"services": ["dynamodb", "dynamodbstreams"]}}})
            self._mock.start()
        self._create_queues()
        loops = {"relay": [self._stream_loop], "worker": [self._sqs_loop] * self.workers,
                 "schedule": [self._schedule_loop]}
        for n, loop in enumerate(loop for name in self.run for loop in loops[name]):
            thread = threading.Thread(target=self._guard(loop), name=f"pump-{loop.__name__}-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if "relay" in self.run and not self.stream_ready.wait(30):
            raise RuntimeError(f"the table stream reader did not start: {self.stats.errors[-1:]}")
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        for name, value in self._env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if self._mock is not None:
            self._mock.stop()
            self._mock = None

    def __enter__(self) -> "SyncPump":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _guard(self, loop: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            while not self._stop.is_set():
                try:
                    loop()
                except Exception as error:  # noqa: BLE001 - a local loop logs and carries on, as Lambda would retry
                    logger.exception("sync pump %s: %s", loop.__name__, error)
                    self.stats.errors.append(f"{loop.__name__}: {error!r}")
                    self._stop.wait(0.5)
        return run

    # SQS
    def _sqs(self):
        from chalicelib.workers.queue import sqs_client

        return sqs_client()

    def _create_queues(self) -> None:
        for name in ("SYNC_QUEUE_URL", "SQS_ENDPOINT", "SYNC_MAX_RECEIVE_COUNT"):
            self._env[name] = os.environ.get(name)
        if self.sqs_endpoint:
            os.environ["SQS_ENDPOINT"] = self.sqs_endpoint
        else:
            os.environ.pop("SQS_ENDPOINT", None)  # moto answers the default endpoint
        os.environ["SYNC_MAX_RECEIVE_COUNT"] = str(self.max_receive_count)  # as the template sets it on the worker
        sqs = self._sqs()  # creating a queue that exists with the same attributes answers it (another process's)
        self.dlq_url = sqs.create_queue(QueueName=DLQ_NAME, Attributes={"FifoQueue": "true"})["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.queue_url = sqs.create_queue(QueueName=QUEUE_NAME, Attributes={
            "FifoQueue": "true", "VisibilityTimeout": str(self.visibility_timeout),
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"{self.max_receive_count}"}}',
        })["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        os.environ["SYNC_QUEUE_URL"] = self.queue_url

    def _sqs_loop(self) -> None:
        with self._sqs_lock:
            received = self._sqs().receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.worker_batch_size,
                                                   WaitTimeSeconds=0,
                                                   MessageSystemAttributeNames=["All"]).get("Messages", [])
        if not received:
            self._stop.wait(self.poll_interval)
            return
        now = time.time()
        for message in received:  # how long each message waited for a worker (the fairness bench reads it)
            attributes = message.get("Attributes", {})
            sent = int(attributes.get("SentTimestamp", 1000 * now)) / 1000
            self.stats.received.append((attributes.get("MessageGroupId", ""), sent, now))
        self.deliver(received)
        done = time.time()
        self.stats.handled.extend((m.get("Attributes", {}).get("MessageGroupId", ""), now, done) for m in received)

    def deliver(self, messages: list[dict]) -> set[str]:
        """One Lambda invocation of the worker for received messages; deletes what it did not name; answers the
        ids it named (they come back after the visibility timeout, and reach the DLQ after maxReceiveCount)."""
        event = {"Records": [sqs_record(m, self.queue_arn) for m in messages]}
        with self._sqs_lock:
            self.stats.worker_batches += 1  # counted as handed over, before the worker's effects can be seen
            self.stats.messages += len(messages)
        answer = self.worker(event, None) or {}
        failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
        done = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                for n, m in enumerate(messages) if m["MessageId"] not in failed]
        with self._sqs_lock:
            if done:
                self._sqs().delete_message_batch(QueueUrl=self.queue_url, Entries=done)
            self.stats.failures += len(failed)
        return failed

    def dead_letters(self) -> list[dict]:
        """What the dead-letter queue holds now (received and left there)."""
        return self._sqs().receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                           WaitTimeSeconds=0).get("Messages", [])

    # schedule
    def _schedule_loop(self) -> None:
        if self._stop.wait(self.sweep_every):
            return
        self.sweep()

    def sweep(self) -> None:
        """Both schedules at once: the stale-push sweep and the CDC sweep (every `sweep_every` seconds here)."""
        event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events",
                 "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": REGION,
                 "resources": [], "detail": {}, "id": "local", "account": "000000000000"}
        self.sweeper(event, None)
        self.cdc_sweeper(event, None)
        self.stats.sweeps += 1

    # stream
    def _stream_loop(self) -> None:
        from chalicelib.store.tables import connection
        from chalicelib import config

        client = connection().client
        stream_arn = client.describe_table(TableName=config.table_name())["Table"].get("LatestStreamArn")
        if not stream_arn:
            raise RuntimeError(f"table {config.table_name()} has no stream (StreamSpecification)")
        streams = _streams_client()
        iterators: dict[str, str] = {}
        finished: set[str] = set()
        last_describe = 0.0
        gathered: list[dict] = []  # records waiting for the batching window
        first_at = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_describe > 1.0:  # new shards appear as old ones close
                for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
                    shard_id = shard["ShardId"]
                    if shard_id not in iterators and shard_id not in finished:
                        iterators[shard_id] = streams.get_shard_iterator(
                            StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                last_describe = time.monotonic()
                self.stream_ready.set()
            got_any = False
            for shard_id, iterator in list(iterators.items()):
                answer = streams.get_records(ShardIterator=iterator, Limit=self.relay_batch_size)
                records = answer.get("Records", [])
                if records:
                    got_any = True
                    first_at = first_at if gathered else time.monotonic()
                    gathered.extend(records)
                    self.stats.stream_records += len(records)
                if answer.get("NextShardIterator"):
                    iterators[shard_id] = answer["NextShardIterator"]
                else:
                    finished.add(shard_id)
                    del iterators[shard_id]
            if gathered and (len(gathered) >= self.relay_batch_size
                             or time.monotonic() - first_at >= self.relay_window):
                for start in range(0, len(gathered), self.relay_batch_size):
                    chunk = gathered[start:start + self.relay_batch_size]
                    self.relay({"Records": [stream_record(r, stream_arn) for r in chunk]}, None)
                    self.stats.relay_calls += 1
                gathered = []
            if not got_any:
                self._stop.wait(self.poll_interval)


def _streams_client():
    import boto3

    from chalicelib import config

    return boto3.client("dynamodbstreams", endpoint_url=config.dynamodb_endpoint(), region_name=config.aws_region())


def sqs_record(message: dict, queue_arn: str) -> dict:
    """An SQS message as Lambda hands it to the function (one entry of the event's Records)."""
    return {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})), "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
            "awsRegion": REGION}


def stream_record(record: dict, stream_arn: str) -> dict:
    """A GetRecords record as Lambda hands it to the function (times as epoch seconds, as in the Lambda event)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if hasattr(created, "timestamp"):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {"eventID": record["eventID"], "eventName": record["eventName"], "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": REGION, "dynamodb": change, "eventSourceARN": stream_arn}
