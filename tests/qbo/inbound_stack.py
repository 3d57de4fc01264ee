"""The inbound path end to end for tests: emulator webhooks → our route → SQS (moto) → pull worker → ledger.

The emulator delivers signed webhooks over HTTP to a small receiver; the receiver keeps them so a test can hand
them to `POST /qbo/webhook` as they came, or duplicated, delayed, reordered. Hints the route enqueues land in a
moto SQS FIFO queue; `drain()` is the worker: it receives them and runs `pull_changes` for each pull hint.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import requests

from tests.qbo.conftest import Realm, emulator_settings

VERIFIER = "verifier-token"


@dataclass
class Delivery:
    body: bytes
    signature: str


class Receiver:
    """Where the emulator POSTs its webhooks: keeps every delivery (thread-safe) until the test replays it."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.deliveries.append(Delivery(body, self.headers.get("intuit-signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/qbo/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> list[Delivery]:
        with self._lock:
            taken, self.deliveries = self.deliveries, []
        return taken

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until the emulator's background delivery has happened (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


@dataclass
class InboundStack:
    account: Any  # tests.conftest.Account
    realm: Realm
    store: Any
    http: Any
    receiver: Receiver
    queue_url: str
    pulls: list = field(default_factory=list)

    # the accountant, in QBO
    def accountant(self, method: str, path: str, body: Any = None) -> dict:
        return self.realm.control(method, path, body)

    def webhooks(self, **settings: Any) -> dict:
        resp = requests.post(f"{self.realm.emulator.url}/_control/clients/{self.realm.info['client_id']}/webhooks",
                             json=settings, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def books(self, entity: str) -> list[dict]:
        return self.realm.books()["objects"][entity]

    # our side
    def client(self):
        from chalicelib.qbo.client import build_client

        return build_client(self.account.id, settings=emulator_settings(self.realm), store=self.store)

    def push(self):
        from chalicelib.services.sync.push import push_pending

        return push_pending(self.account.id, client=self.client())

    def post_webhook(self, delivery: Delivery):
        return self.http.post("/qbo/webhook", raw=delivery.body.decode(),
                              headers={"intuit-signature": delivery.signature})

    def wait_deliveries(self, count: int = 1) -> list[Delivery]:
        """The emulator's deliveries so far (at least `count` of them), taken from the receiver."""
        requests.post(f"{self.realm.emulator.url}/_control/webhooks/flush", json={}, timeout=10)
        wait_for(lambda: len(self.receiver.deliveries) >= count)
        return self.receiver.take()

    def deliver(self, count: int = 1) -> None:
        """Hand the emulator's webhooks to our route as they came."""
        for delivery in self.wait_deliveries(count):
            assert self.post_webhook(delivery).status == 200

    def drain(self) -> list:
        """The worker: every pull hint on the queue runs the change reader once."""
        from chalicelib.services.sync.pull import pull_changes
        from chalicelib.workers import queue

        sqs, reports = queue.sqs_client(), []
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                      AttributeNames=["SentTimestamp"]).get("Messages", [])
            if not got:
                break
            for message in got:
                hint = queue.parse(message["Body"])
                if hint.kind == queue.PULL and hint.key == self.realm.realm_id:  # other tests' realms: not ours
                    sent = datetime.fromtimestamp(int(message["Attributes"]["SentTimestamp"]) / 1000, timezone.utc)
                    reports.append(pull_changes(hint.key, client=self.client(), hinted_at=sent))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.pulls.extend(reports)
        return reports

    def pull(self, **kw: Any):
        from chalicelib.services.sync.pull import pull_changes

        report = pull_changes(self.realm.realm_id, client=self.client(), **kw)
        self.pulls.append(report)
        return report

    def credits(self, **filters: str) -> list[dict]:
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        reply = self.account.owner.get(f"/credits?limit=100{'&' + query if query else ''}")
        assert reply.status == 200, reply.body
        return reply.json["data"]


def connect(http: Any, realm: Realm):
    """An account with QBO sync on, connected to the realm through the consent flow (QBO_* must name the realm)."""
    from chalicelib.store.qbo_connections import DynamoTokenStore
    from tests.qbo.consent import connected_account

    return connected_account(http, realm), DynamoTokenStore()


def fifo_queue(sqs: Any, name: str) -> str:
    return sqs.create_queue(QueueName=f"{name}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]


def memo_body(customer_id: str, amount: str, *, note: str = "", item_id: str = "1") -> dict:
    body = {"CustomerRef": {"value": customer_id}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": amount, "Description": "credit from QBO",
        "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 1, "UnitPrice": amount}}]}
    if note:
        body["PrivateNote"] = note
    return body


def dumps(obj: Any) -> str:
    return json.dumps(obj, default=str)
