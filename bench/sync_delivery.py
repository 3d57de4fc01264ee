"""Commit → synced in the local stack: the time from a credit's 201 to its CreditMemo in the emulator's books,
through the same in-process pump as `make run` (table stream → relay → FIFO queue → worker).

Prints median / p95 / max over N sequential credits, and the pump's counts per credit. Then the event sources'
batching (the deploy template's relay batching window and worker batch size): a burst of BURST credits posted back to
back under each of SETTINGS, with the relay and worker invocations it took per credit and commit → synced. Usage:
python bench/sync_delivery.py [N=40]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
for name, value in dict(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1",
                        LOCAL_DEV="1", CREDITS_TABLE="credits-bench-sync").items():
    os.environ.setdefault(name, value)


BURST = 30
# (relay batching window s, worker batch size): the template's (0, 10) first
SETTINGS = ((0.0, 10), (1.0, 10), (2.0, 10), (0.0, 1))


def percentiles(lags: list[float]) -> str:
    lags_ms = sorted(1000 * lag for lag in lags)
    p95 = lags_ms[min(len(lags_ms) - 1, int(round(0.95 * len(lags_ms))) - 1)]
    return f"median {statistics.median(lags_ms):.0f} ms, p95 {p95:.0f} ms, max {lags_ms[-1]:.0f} ms"


def burst(app, demo, window: float, batch: int) -> None:
    """BURST credits back to back; each one's commit → synced, and the invocations the burst took."""
    from chalice.test import Client

    from devstack.pump import SyncPump

    pump = SyncPump(sweep_every=3600, relay_window=window, worker_batch_size=batch).start()
    headers = {"Authorization": f"Bearer {demo.tokens['owner']}", "Content-Type": "application/json"}
    committed: dict[str, float] = {}
    lags: list[float] = []
    with Client(app) as client:
        for n in range(BURST):
            body = json.dumps({"customer_id": demo.customer_ids[n % 2], "amount": f"{n + 1}.00"})
            committed[json.loads(client.http.post("/credits", headers=headers, body=body).body)["id"]] = \
                time.perf_counter()
        while committed:  # pushed oldest first: look at the oldest not yet seen synced
            credit_id = next(iter(committed))
            if json.loads(client.http.get(f"/credits/{credit_id}", headers=headers).body)["sync_status"] == "synced":
                lags.append(time.perf_counter() - committed.pop(credit_id))
            else:
                time.sleep(0.005)
    stats = pump.stats
    pump.stop()
    print(f"  relay window {window:.0f} s, worker batch {batch:>2}: {stats.relay_calls / BURST:.2f} relay and "
          f"{stats.worker_batches / BURST:.2f} worker invocations per credit; commit → synced {percentiles(lags)}")


def main(count: int) -> None:
    from chalice.test import Client

    from devstack import api_server, dynamodb_local, qbo_demo
    from devstack.pump import SyncPump

    dynamodb = dynamodb_local.start()
    os.environ["DYNAMODB_ENDPOINT"] = dynamodb.endpoint
    try:
        from app import app
        from chalicelib.store.tables import create_table
        from devstack.seed import seed

        create_table()
        demo = seed()
        api = api_server.serve(app, quiet=True)  # the consent flow needs a callback URL
        qbo = qbo_demo.start(0, api_url=api.url)
        qbo_demo.connect_with_sync(qbo, api.url, demo.tokens)
        pump = SyncPump(sweep_every=3600).start()
        headers = {"Authorization": f"Bearer {demo.tokens['owner']}", "Content-Type": "application/json"}
        lags, numbers = [], []
        with Client(app) as client:
            for n in range(count):
                body = json.dumps({"customer_id": demo.customer_ids[n % 2], "amount": f"{n + 1}.00"})
                created = json.loads(client.http.post("/credits", headers=headers, body=body).body)
                committed = time.perf_counter()
                while json.loads(client.http.get(f"/credits/{created['id']}", headers=headers).body)[
                        "sync_status"] != "synced":
                    time.sleep(0.005)
                lags.append(time.perf_counter() - committed)
                numbers.append(created["number"])
        import requests

        books = requests.get(f"{qbo.company_url}/books", timeout=10).json()["objects"]["CreditMemo"]
        in_books = sorted(m["DocNumber"] for m in books)
        print(f"commit → synced over {count} credits: {percentiles(lags)} (README promise: 5000 ms)")
        print(f"CreditMemos in the books: {len(in_books)} for {count} credits "
              f"(duplicates: {len(in_books) - len(set(in_books))}, missing: {len(set(numbers) - set(in_books))})")
        stats = pump.stats
        print(f"per credit: stream records {stats.stream_records / count:.2f}, relay calls {stats.relay_calls / count:.2f}, "
              f"queue messages {stats.messages / count:.2f}, worker batches {stats.worker_batches / count:.2f}, "
              f"reported failures {stats.failures}, pump errors {len(stats.errors)}")
        pump.stop()
        print(f"a burst of {BURST} credits posted back to back, per event source setting:")
        for window, batch in SETTINGS:
            burst(app, demo, window, batch)
        qbo.stop()
        api.stop()
    finally:
        dynamodb.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
