"""Bench plumbing: a DynamoDB Local with a fresh table, and a counter of DynamoDB calls via botocore event hooks."""
from __future__ import annotations

import json
import os
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chalicelib import bootstrap  # noqa: E402 (the repo root is on the path now)

bootstrap.wire()  # the adapters behind the ports, as app.py plugs them in


@contextmanager
def local_table():
    """Start DynamoDB Local, point the service at a new table, stop it afterwards; yields the server (its
    `endpoint`, its `process`)."""
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("LOCAL_DEV", "1")):
        os.environ.setdefault(name, value)
    from devstack import dynamodb_local

    server = dynamodb_local.start()
    os.environ["DYNAMODB_ENDPOINT"] = server.endpoint
    os.environ["CREDITS_TABLE"] = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        from chalicelib.store.tables import create_table

        create_table()
        yield server
    finally:
        server.stop()


class CallCounter:
    """Counts DynamoDB API calls made by every client the service uses (PynamoDB's and boto3's); `budget_calls`
    counts those on a realm budget's item (sk "BUDGET", chalicelib/store/realm_budget.py) among them."""

    def __init__(self):
        from chalicelib.store.tables import connection, dynamodb_client

        self.calls: Counter[str] = Counter()
        self.budget_calls: Counter[str] = Counter()
        for client in {id(c): c for c in (connection().client, dynamodb_client())}.values():  # may be one
            client.meta.events.register("before-call.dynamodb.*", self._count)
            client.meta.events.register("before-parameter-build.dynamodb.*", self._classify)

    def _count(self, model, **_kwargs):
        self.calls[model.name] += 1

    def _classify(self, params, model, **_kwargs):
        key = params.get("Key") or params.get("Item") or {}
        if key.get("sk", {}).get("S") == "BUDGET":
            self.budget_calls[model.name] += 1

    @contextmanager
    def measure(self):
        self.calls.clear()
        self.budget_calls.clear()
        yield self.calls

    @staticmethod
    def describe(calls: Counter) -> str:
        return f"{sum(calls.values())} ({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))})"


def connected_account(emulator_url: str, company: dict, *, name: str = "Bench") -> str:
    """A new account (through the API, as staff) with credits and two-way sync on, connected to the emulator's
    `company` the way production connects one: POST /qbo/connect → the consent page → GET /qbo/callback. Points this
    process's QBO_* settings at that company's OAuth client. Answers the account id."""
    from urllib.parse import urlsplit

    import requests
    from chalice.test import Client

    from app import app
    from chalicelib.login_tokens import issue_token
    from devstack.qbo_emulator.server import DISCOVERY_PATH

    discovery = emulator_url + DISCOVERY_PATH
    os.environ.update(QBO_ENVIRONMENT=discovery, QBO_API_BASE=f"{emulator_url}/v3", QBO_CLIENT_ID=company["client_id"],
                      QBO_CLIENT_SECRET=company["client_secret"], QBO_REDIRECT_URI=company["redirect_uri"])
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

    def call(client, method: str, path: str, token: str | None, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        answer = getattr(client.http, method)(path, headers=headers, body=None if body is None else json.dumps(body))
        if answer.status_code >= 300:
            raise RuntimeError(f"{method.upper()} {path} answered {answer.status_code}: {answer.body[:300]!r}")
        return json.loads(answer.body)

    with Client(app) as client:
        account_id = call(client, "post", "/accounts", issue_token("bench-staff", staff=True),
                          {"name": name, "owner_user_id": "bench-owner"})["id"]
        staff, owner = issue_token("bench-staff", account_id, staff=True), issue_token("bench-owner", account_id)
        call(client, "patch", "/settings", staff, {"credits_enabled": True, "qbo_credit_sync": True})
        consent_url = call(client, "post", "/qbo/connect", owner, {})["authorization_url"]
        page = requests.get(consent_url, params={"realm_id": company["realm_id"]}, allow_redirects=False, timeout=10)
        if page.status_code != 302:
            raise RuntimeError(f"the emulator's consent page answered {page.status_code}: {page.text[:200]}")
        callback = urlsplit(page.headers["Location"])
        call(client, "get", f"/qbo/callback?{callback.query}", None)
    return account_id
