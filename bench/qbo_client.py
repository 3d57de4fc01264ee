"""Count QBO requests the client layer spends creating credit memos (batching, and under 20% throttling)."""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# the client layer alone, with no table: the realm budget (a DynamoDB item per company) has its own bench
os.environ.setdefault("QBO_REALM_BUDGET", "off")

from chalicelib.qbo.batch import batch_create  # noqa: E402
from chalicelib.qbo.client import QboClient, build_client  # noqa: E402
from chalicelib.qbo.config import QboSettings  # noqa: E402
from chalicelib.qbo.money import from_cents  # noqa: E402
from chalicelib.qbo.requestids import make_request_id  # noqa: E402
from chalicelib.qbo.tokens import InMemoryTokenStore, QboConnection  # noqa: E402
from devstack.qbo_emulator import start_emulator  # noqa: E402


def _new_client(url: str, api_base: str, discovery: str, throttle: float) -> tuple[QboClient, str, str]:
    """Fresh realm (limits off, optional injected throttling) and a client for it."""
    info = requests.post(f"{url}/_control/companies", json={}, timeout=5).json()
    realm = info["realm_id"]
    requests.post(f"{url}/_control/companies/{realm}/limits", json={"enabled": False}, timeout=5)
    if throttle:
        requests.post(f"{url}/_control/companies/{realm}/faults",
                      json={"throttle_fraction": throttle, "seed": 42}, timeout=5)
    cust = requests.post(f"{url}/_control/companies/{realm}/objects/Customer",
                         json={"DisplayName": "Bench"}, timeout=5).json()["Customer"]["Id"]
    store = InMemoryTokenStore()  # the client layer alone: tokens as a consent's code exchange gives them
    store.put(QboConnection("bench", realm, info["access_token"], info["refresh_token"],
                            datetime.now(timezone.utc) + timedelta(hours=1), version=1))
    settings = QboSettings(environment=discovery, api_base=api_base, client_id=info["client_id"],
                           client_secret=info["client_secret"], max_attempts=10, backoff_base=0.0005,
                           backoff_max=0.002)
    return build_client("bench", settings=settings, store=store), realm, cust


def _memo(cust: str, n: int) -> dict:
    return {"CustomerRef": {"value": cust}, "Line": [{"Amount": from_cents(1000 + n),
                                                      "DetailType": "SalesItemLineDetail"}]}


def _server_requests(url: str, realm: str) -> int:
    return int(requests.get(f"{url}/_control/companies/{realm}/stats", timeout=5).json().get("requests", 0))


def run(label: str, url: str, api_base: str, discovery: str, count: int, batched: bool, throttle: float) -> None:
    """Create `count` credit memos and print requests used."""
    client, realm, cust = _new_client(url, api_base, discovery, throttle)
    before = _server_requests(url, realm)
    if batched:
        results = batch_create(client, "CreditMemo", [(f"bench-{n}", _memo(cust, n)) for n in range(count)])
        created = sum(1 for r in results if r.obj)
    else:
        for n in range(count):
            client.create("CreditMemo", _memo(cust, n), make_request_id("bench", realm, n))
        created = count
    used = _server_requests(url, realm) - before
    stats = client.session.stats
    print(f"{label:<44} objects={created:>4} requests={used:>4} requests/object={used / count:6.3f} "
          f"throttled={stats['throttled']:>3}")


def main() -> None:
    """Run every scenario against an in-process emulator."""
    emu = start_emulator(port=0)
    try:
        args = (emu.url, emu.api_base, emu.discovery_url)
        print("QBO requests used by the client layer (counted by the emulator)")
        run("create 1 credit memo (single POST)", *args, count=1, batched=False, throttle=0)
        run("create 30 credit memos (batch)", *args, count=30, batched=True, throttle=0)
        run("create 100 credit memos (batch, chunks of 30)", *args, count=100, batched=True, throttle=0)
        run("create 100 credit memos (one POST each)", *args, count=100, batched=False, throttle=0)
        run("20% throttled: 100 one POST each", *args, count=100, batched=False, throttle=0.2)
        run("20% throttled: 100 batched", *args, count=100, batched=True, throttle=0.2)
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
