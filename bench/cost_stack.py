"""The stack bench/cost.py drives: the API through Chalice's test client, the Lambdas' event sources run one step at a
time as Lambda's would at this traffic, and the QBO emulator's webhooks handed to the API.

- the table's stream → `sync_relay`: only records passing the template's filter (NewImage has sync_pk), one
  invocation per commit (Lambda polls a shard 4 times a second; one operation's writes land in one poll);
- the FIFO queue (moto) → `sync_worker` in batches of up to 10; what the worker does not name is deleted, as the event
  source mapping does (its receives and deletes are counted as `esm`);
- the emulator's webhooks (Intuit notifies the app of its own pushes too) → `POST /qbo/webhook`.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import redirect_stdout
from io import StringIO

from support import connected_account

from cost_meter import Meter
from cost_mix import Clerk, answer_json

VERIFIER = "cost-bench-verifier"
SCHEDULES = {"sweeper": "sync_sweeper", "cdc_sweep": "sync_cdc_sweep"}


class StreamTap:
    """The table's stream, read as Lambda's stream poller would (not counted: a Lambda trigger's reads are free)."""

    def __init__(self, raw_dynamodb) -> None:
        from chalicelib import config
        from devstack.pump import _streams_client

        self.arn = raw_dynamodb.describe_table(TableName=config.table_name())["Table"]["LatestStreamArn"]
        self.streams = _streams_client()
        self.iterators: dict[str, str] = {}
        self.finished: set[str] = set()
        self.records = 0

    def _poll(self) -> list[dict]:
        for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]:
            if shard["ShardId"] not in self.iterators and shard["ShardId"] not in self.finished:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        got = []
        for shard_id, iterator in list(self.iterators.items()):
            answer = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            got.extend(answer.get("Records", []))
            if answer.get("NextShardIterator"):
                self.iterators[shard_id] = answer["NextShardIterator"]
            else:
                self.finished.add(shard_id)
                del self.iterators[shard_id]
        return got

    def read(self, wait: float) -> list[dict]:
        """The records of what was committed; after a write, wait up to `wait` s for them, then for a quiet poll."""
        deadline, got = time.monotonic() + wait, []
        while True:
            batch = self._poll()
            got.extend(batch)
            if batch:
                time.sleep(0.05)  # the rest of the same commit
            elif got or time.monotonic() >= deadline:
                self.records += len(got)
                return got
            else:
                time.sleep(0.02)


def relayed(record: dict) -> bool:
    """The template's FilterCriteria on the relay's event source: NewImage has sync_pk."""
    return "sync_pk" in (record.get("dynamodb", {}).get("NewImage") or {})


class Stack:
    """The API, the Lambdas' event sources and the emulator's webhooks, driven one step at a time."""

    def __init__(self, meter: Meter, emulator, receiver, client, control: str) -> None:
        import app
        from devstack.pump import SyncPump

        self.meter, self.emulator, self.receiver, self.client, self.control = meter, emulator, receiver, client, control
        self.app, self.token = app, ""
        self.pump = SyncPump(worker=self._worker, relay=self._relay, visibility_timeout=2, run=()).start()
        self.tap: StreamTap | None = None
        self.seen_writes = self.webhooks = self.changes = 0
        self._docs, self._modes = 0, set()  # documents in the CDC answers of the invocation under way, and how read
        self.realm = control.rsplit("/", 1)[1]
        self._instrument_pulls()

    def qbo_requests(self) -> int:
        """QBO API requests the emulator has served the company (free, but 500 a minute per realm at most)."""
        import requests

        return int(requests.get(f"{self.control}/stats", timeout=10).json()["requests"])

    def _instrument_pulls(self) -> None:
        """Note how many documents each pull's CDC answer held (a pull's cost grows with them)."""
        from chalicelib.workers import worker

        pull = worker.HANDLERS[worker.PULL]

        def counted_pull(realm_id, sent_at=None):
            report = pull(realm_id, sent_at)
            self._docs += sum(report.outcomes.values())
            self._modes.add(report.mode)
            return report

        worker.HANDLERS[worker.PULL] = counted_pull

    def _worker(self, event, context):
        """One worker invocation; one that only pulls is counted apart (`worker-pull`): its cost follows the CDC."""
        from chalicelib.workers.queue import PULL, parse

        kinds = {parse(r["body"]).kind for r in event["Records"]}
        before, self._docs, self._modes = self.qbo_requests(), 0, set()
        with self.meter.invocation("worker-pull" if kinds == {PULL} else "worker") as use:
            answer = self.app.sync_worker(event, context)
        use.each[-1].update(qbo=self.qbo_requests() - before, docs=self._docs, modes=self._modes)
        return answer

    def pull_now(self, label: str) -> None:
        """A pull hint for the realm, as a webhook's would be, then the worker runs it."""
        from chalicelib.workers import queue

        queue.send([queue.Hint(queue.PULL, self.realm, label)])
        self.settle()

    def _relay(self, event, context):
        with self.meter.invocation("relay"):
            return self.app.sync_relay(event, context)

    def call(self, method: str, path: str, body=None, headers: dict | None = None, raw: str | None = None):
        """One API request (one Lambda invocation, one API Gateway request); answers (status, json)."""
        bearer = {"Authorization": f"Bearer {self.token}"} if self.token and raw is None else {}
        sent = {"Content-Type": "application/json", **bearer, **(headers or {})}
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        with self.meter.invocation("api"):
            answer = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        return answer.status_code, answer_json(answer.body)

    def settle(self) -> None:
        """Run the event sources until nothing moves: stream → relay, queue → worker, webhooks → the API."""
        from devstack.pump import stream_record

        while True:
            wait = 1.0 if self.meter.writes > self.seen_writes else 0.0
            self.seen_writes = self.meter.writes
            matching = [r for r in self.tap.read(wait) if relayed(r)]
            if matching:
                self.pump.relay({"Records": [stream_record(r, self.tap.arn) for r in matching]}, None)
            with self.meter.attributed("esm"):
                messages = self.pump._sqs().receive_message(
                    QueueUrl=self.pump.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                    MessageSystemAttributeNames=["All"]).get("Messages", [])
                if messages:
                    self.pump.deliver(messages)
            deliveries = self._deliveries()
            for delivery in deliveries:
                self.call("POST", "/qbo/webhook", raw=delivery.body.decode(),
                          headers={"intuit-signature": delivery.signature})
            if not (matching or messages or deliveries) and self.meter.writes == self.seen_writes:
                return

    def _deliveries(self) -> list:
        import requests

        from tests.qbo.inbound_stack import wait_for

        scheduled = requests.post(f"{self.emulator.url}/_control/webhooks/flush", json={}, timeout=10).json()
        if scheduled["scheduled"]:
            wait_for(lambda: len(self.receiver.deliveries) >= scheduled["scheduled"])
        taken = self.receiver.take()
        self.webhooks += len(taken)
        for delivery in taken:
            for notification in json.loads(delivery.body)["eventNotifications"]:
                self.changes += len(notification["dataChangeEvent"]["entities"])
        return taken

    def schedule(self, name: str) -> None:
        """One run of a scheduled Lambda (EventBridge's event), then whatever it set moving."""
        event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "id": "bench",
                 "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
                 "resources": [], "detail": {}, "account": "000000000000"}
        with self.meter.invocation(name):
            getattr(self.app, SCHEDULES[name])(event, None)
        self.settle()

    def stop(self) -> None:
        self.pump.stop()
        self.receiver.stop()
        self.emulator.stop()


def build(meter: Meter) -> Stack:
    """DynamoDB Local must be up: the emulator, an account connected through the consent flow with webhooks on."""
    import requests
    from chalice.test import Client

    from app import app
    from chalicelib.login_tokens import issue_token
    from devstack.qbo_emulator import start_emulator
    from tests.qbo.inbound_stack import Receiver

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    os.environ["QBO_WEBHOOK_VERIFIER"] = VERIFIER
    emulator = start_emulator(port=0)
    company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
    control = f"{emulator.url}/_control/companies/{company['realm_id']}"
    requests.post(f"{control}/limits", json={"enabled": False}, timeout=10)  # our pacing is what is measured
    receiver = Receiver()
    requests.post(f"{emulator.url}/_control/clients/{company['client_id']}/webhooks", timeout=10,
                  json={"url": receiver.url, "verifier": VERIFIER, "batch_size": 1000})
    stack = Stack(meter, emulator, receiver, Client(app), control)
    with redirect_stdout(StringIO()):  # its log lines: not part of the measured day
        account_id = connected_account(emulator.url, company)
    stack.token = issue_token("bench-owner", account_id)
    meter.attach()
    stack.tap = StreamTap(meter._raw)
    stack.settle()
    return stack


def seed(stack: Stack, clerk: Clerk, customers: int = 20) -> None:
    """What the account holds before the measured day: customers, each with an open invoice and a credit. First two
    pulls of an empty company (the first reads it whole, the second is a CDC read of nothing); each change after
    that is pushed and its echo pulled, so the pulls here read 1, 2, 3, ... documents (the pull model's range)."""
    stack.pull_now("bench-first-read")
    stack.pull_now("bench-empty-read")
    for n in range(customers):
        _, customer = stack.call("POST", "/customers", {"name": f"{chr(65 + n % 19)}{n} Wholesale"},
                                 {"Idempotency-Key": f"seed-customer-{n}"})
        clerk.customers.append(customer["id"])
        stack.settle()
    for customer_id in clerk.customers:
        clerk.sales_order()
        stack.settle()
        _, credit = stack.call("POST", "/credits", {"customer_id": customer_id, "amount": "30.00"})
        clerk.credits.append(credit["id"])
        stack.settle()
