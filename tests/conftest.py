"""Test session: one DynamoDB Local on a free port, a fresh table per session, HTTP through Chalice's test client."""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores a fixed set of examples (a red CI must mean a change broke something, not a lucky draw);
# local runs keep drawing new ones. Neither has a per-example deadline: that is a timed assertion, and on a busy
# machine (xdist workers, DynamoDB Local's JVM) it fails tests whose rules hold.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "local")

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("LOCAL_DEV", "1")  # the documented dev JWT secret is accepted only in local runs
os.environ.pop("AWS_PROFILE", None)

from chalicelib import bootstrap  # noqa: E402 (after the environment above)

bootstrap.wire()  # the adapters behind the ports, as app.py plugs them in (tests that call use cases directly)


UNIT_TESTS = Path(__file__).parent / "unit"
SLOW_FIXTURES = {"dynamodb_endpoint", "qbo_emulator"}


def pytest_runtest_setup(item):
    """tests/unit is the fast loop: a test there may not start DynamoDB Local (Java) or the QBO emulator."""
    if Path(str(item.fspath)).is_relative_to(UNIT_TESTS) and SLOW_FIXTURES & set(item.fixturenames):
        pytest.fail(f"{item.nodeid} needs {sorted(SLOW_FIXTURES & set(item.fixturenames))}: it belongs in tests/, "
                    "not tests/unit/", pytrace=False)


@pytest.fixture(scope="session")
def dynamodb_endpoint():
    """Endpoint of a DynamoDB Local started for this test session (stopped at the end)."""
    from devstack import dynamodb_local

    server = dynamodb_local.start()
    os.environ["DYNAMODB_ENDPOINT"] = server.endpoint
    yield server.endpoint
    server.stop()


@pytest.fixture(scope="session")
def table(dynamodb_endpoint):
    from chalicelib.store.tables import create_table

    os.environ["CREDITS_TABLE"] = f"credits-test-{uuid.uuid4().hex[:8]}"
    return create_table()


@pytest.fixture(scope="session")
def chalice_app(table):
    from app import app

    return app


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict

    @property
    def json(self):
        return json.loads(self.body)


class Http:
    """JSON over Chalice's local gateway, the way a client meets the API."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def as_(self, token: str | None) -> "Http":
        return Http(self.client, token)

    def call(self, method: str, path: str, body=None, *, headers: dict | None = None, raw: str | None = None) -> Reply:
        sent = {"Content-Type": "application/json"}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=payload)
        return Reply(response.status_code, response.body, dict(response.headers))

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture(scope="session")
def http(chalice_app):
    from chalice.test import Client

    from devstack import local_gateway

    local_gateway.install()  # API Gateway's greedy {proxy+}: unknown paths reach the catch-all route

    with Client(chalice_app) as client:
        yield Http(client)


@dataclass
class Account:
    id: str
    owner: Http
    staff: Http
    customers: list[str]
    user_token: "callable"

    def user(self, user_id: str) -> Http:
        return self.owner.as_(self.user_token(user_id))


def make_account(http: Http, *, credits_enabled: bool = True, customers: int = 2) -> Account:
    from chalicelib.login_tokens import issue_token

    owner_id = f"owner-{uuid.uuid4().hex[:6]}"
    created = http.as_(issue_token("staff-1", staff=True)).post("/accounts", {"name": "Acme", "owner_user_id": owner_id})
    assert created.status == 201, created.body
    account_id = created.json["id"]
    staff = http.as_(issue_token("staff-1", account_id, staff=True))
    owner = http.as_(issue_token(owner_id, account_id))
    if credits_enabled:
        assert staff.patch("/settings", {"credits_enabled": True}).status == 200
    ids = [owner.post("/customers", {"name": f"Customer {i}"}).json["id"] for i in range(customers)]
    return Account(account_id, owner, staff, ids, lambda user_id: issue_token(user_id, account_id))


@pytest.fixture
def account(http) -> Account:
    return make_account(http)
