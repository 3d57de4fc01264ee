"""How many transient QBO failures a push hint rides out before the dead-letter queue, which sizes maxReceiveCount.

One worker receive tries each QBO request up to QBO_RETRY_ATTEMPTS times (chalicelib/qbo/session.py, 5) and then
hands the hint back; the queue redelivers it up to maxReceiveCount times (deploy/resources.json), deployed after the
transient retry schedule (chalicelib/workers/worker.py redelivery_delay). Here a credit's push meets N consecutive
QBO 503s (the emulator's faults) through the real path (stream → relay → FIFO queue with its DLQ in moto → worker),
with the backoff sleeps shrunk and the queue's visibility at 0, and the bench counts the messages, how often each was
received, and what reached the dead-letter queue.
Usage: .venv/bin/python bench/retries.py
"""
from __future__ import annotations

import json
import os
import time
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from support import connected_account, local_table

ROOT = Path(__file__).resolve().parent.parent
FAILURES = (4, 5, 14, 24, 25)


def max_receive_count() -> int:
    queue = json.loads((ROOT / "deploy" / "resources.json").read_text())["Resources"]["SyncQueue"]
    return int(queue["Properties"]["RedrivePolicy"]["maxReceiveCount"])


def one_push(pump, client, headers: dict, customer: str, control: str, failures: int) -> str:
    """A credit whose push meets `failures` consecutive 503s; answers what happened to its hint."""
    import requests

    requests.post(f"{control}/faults", json={"fail_next": failures, "fail_status": 503}, timeout=10)
    credit = json.loads(client.http.post("/credits", headers=headers, body=json.dumps(
        {"customer_id": customer, "amount": "10.00"})).body)["id"]
    deadline, receives = time.monotonic() + 60, {}  # message → its receive count
    while time.monotonic() < deadline:
        got = pump._sqs().receive_message(QueueUrl=pump.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                          MessageSystemAttributeNames=["All"]).get("Messages", [])
        receives.update({m["MessageId"]: int(m["Attributes"]["ApproximateReceiveCount"]) for m in got})
        if got:
            pump.deliver(got)
        seen = f"{len(receives)} message(s), received {'/'.join(map(str, receives.values()))} times"
        if json.loads(client.http.get(f"/credits/{credit}", headers=headers).body)["sync_status"] == "synced":
            return f"synced; {seen}; dead letters {len(pump.dead_letters())}"
        time.sleep(0.05)
    return f"not synced; {seen}; dead letters {len(pump.dead_letters())}"


def main() -> None:
    import requests
    from chalice.test import Client

    import app
    from chalicelib.login_tokens import issue_token
    from chalicelib.services.sync.push import push_pending
    from chalicelib.workers.worker import redelivery_delay
    from devstack.pump import SyncPump
    from devstack.qbo_emulator import start_emulator

    os.environ.update(OAUTHLIB_INSECURE_TRANSPORT="1", QBO_RETRY_BASE_SECONDS="0.001", QBO_RETRY_MAX_SECONDS="0.002")
    attempts, receives = int(os.environ.get("QBO_RETRY_ATTEMPTS", "5")), max_receive_count()
    emulator = start_emulator(port=0)
    try:
        company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
        control = f"{emulator.url}/_control/companies/{company['realm_id']}"
        requests.post(f"{control}/limits", json={"enabled": False}, timeout=10)
        outcomes = []
        with redirect_stdout(StringIO()):  # the service's log lines
            account_id = connected_account(emulator.url, company)
            headers = {"Authorization": f"Bearer {issue_token('bench-owner', account_id)}",
                       "Content-Type": "application/json"}
            with Client(app.app) as client:
                customer = json.loads(client.http.post("/customers", headers=headers, body=json.dumps(
                    {"name": "Retry Wholesale"})).body)["id"]
                push_pending(account_id)  # the customer is in QBO: each credit's push is one request
                for failures in FAILURES:
                    pump = SyncPump(visibility_timeout=0, max_receive_count=receives, run=("relay",)).start()
                    outcomes.append((failures, one_push(pump, client, headers, customer, control, failures)))
                    pump.stop()
        print(f"QBO requests tried {attempts} times per receive (one receive rides out {attempts - 1} consecutive "
              f"failures), maxReceiveCount {receives}; N consecutive QBO 503s met by one credit's push:")
        for failures, outcome in outcomes:
            print(f"  {failures:>2} consecutive 503s: {outcome}")
        waits = [redelivery_delay(n) for n in range(1, receives)]
        print(f"  deployed, the hint waits {' + '.join(map(str, waits))} = {sum(waits)} s between its receives "
              f"(plus each receive's own retries) before the dead-letter queue and its alarm")
    finally:
        emulator.stop()


if __name__ == "__main__":
    with local_table():
        main()
