"""The longest push run a worker invocation can be handed, which sizes the worker's timeout (and, six times that, the
queue's visibility timeout).

A queued push run takes a slice of the account's pending objects (SYNC_PUSH_SLICE, 30 by default) and hands the rest
back; the slice may be set as high as `push_pending`'s limit (500). The slowest backlog is one QBO request per
object: updates of documents QBO already holds (no batch request exists for them). So: an account connected to the
emulator through the consent flow gets LIMIT credits, pushed (in batches of 30), then each credit is edited while
nothing pushes (a QBO outage, or a soft disconnect), and one worker invocation is handed the account's push hint:
once with the slice at the limit (the longest run the timeout must cover), once, after editing them all again, with
the default slice (what a run takes as deployed; its continuation goes to a moto SQS FIFO queue).

Prints each run's wall time here, its QBO and DynamoDB requests, and the estimate on Lambda: wall here + QBO requests
x QBO_LATENCY_SECONDS (the emulator answers in milliseconds, QBO in a few hundred), against QBO's floor for those
requests (500 a minute per realm). Usage: .venv/bin/python bench/push_run.py [objects=500]
"""
from __future__ import annotations

import inspect
import json
import os
import sys
import time
from contextlib import redirect_stdout
from io import StringIO

from support import CallCounter, connected_account, local_table

QBO_LATENCY_SECONDS = 0.25  # as bench/cost.py assumes
REALM_REQUESTS_PER_MINUTE = 500
LAMBDA_VCPU = 0.58  # at the worker's 1,024 MB (1,769 MB is one vCPU)


def _worker_event(account_id: str) -> dict:
    from chalicelib.workers.queue import PUSH, Hint

    hint = Hint(PUSH, account_id, "bench")
    return {"Records": [{"messageId": "m1", "receiptHandle": "rh", "body": hint.body(), "md5OfBody": "",
                         "attributes": {"MessageGroupId": hint.group, "ApproximateReceiveCount": "1",
                                        "SentTimestamp": str(int(time.time() * 1000))},
                         "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": "us-east-1",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:credits-sync.fifo"}]}


def main(objects: int) -> None:
    import requests
    from chalice.test import Client

    import app
    from chalicelib.login_tokens import issue_token
    from chalicelib.services.sync.push import push_pending
    from devstack.qbo_emulator import start_emulator

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    # the realm budget's bookkeeping runs, but its pacing stays out of the wall time: the estimate adds QBO's latency
    # per request instead, and prints QBO's floor beside it (as the test suite sets it: tests/conftest.py)
    os.environ.setdefault("QBO_BUDGET_REQUESTS_PER_MINUTE", "600000")
    os.environ.setdefault("QBO_BUDGET_BATCHES_PER_MINUTE", "60000")
    limit = inspect.signature(push_pending).parameters["limit"].default
    emulator = start_emulator(port=0)
    try:
        company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
        control = f"{emulator.url}/_control/companies/{company['realm_id']}"
        requests.post(f"{control}/limits", json={"enabled": False}, timeout=10)
        with redirect_stdout(StringIO()):
            account_id = connected_account(emulator.url, company)
        headers = {"Authorization": f"Bearer {issue_token('bench-owner', account_id)}",
                   "Content-Type": "application/json"}
        with Client(app.app) as client, redirect_stdout(StringIO()):  # the API's log lines
            customer = json.loads(client.http.post("/customers", headers=headers, body=json.dumps(
                {"name": "Backlog Wholesale"})).body)["id"]
            credits = [json.loads(client.http.post("/credits", headers=headers, body=json.dumps(
                {"customer_id": customer, "amount": "10.00"})).body)["id"] for _ in range(objects)]
            push_pending(account_id)  # the credits reach QBO (batches of 30)
            for credit_id in credits:
                client.http.patch(f"/credits/{credit_id}", headers=headers,
                                  body=json.dumps({"internal_note": "recounted"}))
        _run(account_id, control, f"push run of {objects} edited credits, slice = the push limit {limit}", limit)
        with Client(app.app) as client, redirect_stdout(StringIO()):
            for credit_id in credits:
                client.http.patch(f"/credits/{credit_id}", headers=headers,
                                  body=json.dumps({"internal_note": "recounted again"}))
        _run(account_id, control, f"push run of {objects} edited credits, default slice", None)
    finally:
        emulator.stop()


def _run(account_id: str, control: str, label: str, push_slice: int | None) -> None:
    """One worker invocation handed the account's push hint, its continuation queued on moto's SQS."""
    import requests

    import app
    from chalicelib import config
    from devstack.pump import SyncPump

    os.environ.pop("SYNC_PUSH_SLICE", None)
    if push_slice is not None:
        os.environ["SYNC_PUSH_SLICE"] = str(push_slice)
    pump = SyncPump(run=()).start()  # the queue only: this bench is the worker's invocation
    try:
        counter, before = CallCounter(), int(requests.get(f"{control}/stats", timeout=10).json()["requests"])
        with counter.measure() as calls, redirect_stdout(StringIO()):  # the worker's log lines
            started, cpu = time.perf_counter(), time.process_time()
            answer = app.sync_worker(_worker_event(account_id), None)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        queued = pump._sqs().get_queue_attributes(QueueUrl=pump.queue_url, AttributeNames=[
            "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
    finally:
        pump.stop()
    qbo = int(requests.get(f"{control}/stats", timeout=10).json()["requests"]) - before
    estimate = wall + qbo * QBO_LATENCY_SECONDS
    print(f"{label} ({config.push_slice()}): failures {answer['batchItemFailures']}, continuations queued {queued}")
    print(f"  here: wall {wall:.1f} s (CPU {cpu:.1f} s), {qbo} QBO requests, DynamoDB {CallCounter.describe(calls)}")
    print(f"  on Lambda: {wall:.1f} s + {qbo} x {QBO_LATENCY_SECONDS} s = {estimate:.0f} s; QBO's floor for "
          f"{qbo} requests {qbo / REALM_REQUESTS_PER_MINUTE * 60:.0f} s")
    together = estimate + 9 * cpu / LAMBDA_VCPU  # the worker runs a batch's groups at once; they share the CPU
    print(f"  a batch of 10 such accounts on Lambda: their groups at once ≈ {together:.0f} s (this run + the other "
          f"nine's CPU at {LAMBDA_VCPU} vCPU); one after another it would be {10 * estimate:.0f} s")


if __name__ == "__main__":
    with local_table():
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
