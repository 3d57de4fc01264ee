"""devstack/sqs_server.py: moto's SQS as a server of its own, which pumps in several processes share (bench/tenants.py
runs the relay in one process and each worker loop in another). Here a worker process receives what this process
queues, each message once, and deletes what it handled."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
WORKER = """
import json, os, sys, threading
from devstack.pump import SyncPump

seen = []
def worker(event, context):
    seen.extend(json.loads(r["body"])["account_id"] for r in event["Records"])
    return {"batchItemFailures": []}

pump = SyncPump(run=("worker",), worker=worker, relay=print, sweeper=print, cdc_sweeper=print, visibility_timeout=30,
                sqs_endpoint=os.environ["TEST_SQS"]).start()
sys.stdin.read()
pump.stop()
print(json.dumps(seen))
"""


@pytest.fixture
def sqs_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "devstack.sqs_server", "--port", str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(url, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.kill()
        process.wait()


def test_a_worker_process_receives_each_message_another_process_queued_once_and_deletes_it(sqs_server, monkeypatch):
    from devstack.pump import SyncPump
    from chalicelib.workers import queue

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, os.environ.get(name) or "local")
    sender = SyncPump(run=(), relay=print, worker=print, sweeper=print, cdc_sweeper=print, visibility_timeout=30,
                      sqs_endpoint=sqs_server).start()
    try:
        queue.send([queue.Hint(queue.PUSH, account, f"change-{n}") for n, account in enumerate(["a", "b", "a", "c"])])
        worker = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=dict(os.environ, TEST_SQS=sqs_server))
        deadline = time.monotonic() + 30
        while sum(_left(sender.queue_url).values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        answer, _ = worker.communicate("", timeout=30)
        left = _left(sender.queue_url)
    finally:
        sender.stop()
    assert sorted(json.loads(answer.strip().splitlines()[-1])) == ["a", "a", "b", "c"]
    assert left == {"ApproximateNumberOfMessages": 0, "ApproximateNumberOfMessagesNotVisible": 0}


def _left(queue_url: str) -> dict[str, int]:
    """What the queue still holds: waiting, and received but not deleted."""
    from chalicelib.workers import queue

    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = queue.sqs_client().get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return {name: int(attributes[name]) for name in names}
