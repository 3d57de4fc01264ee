"""Fixtures for the QBO emulator and client-layer tests: one emulator per session, one realm per test."""
from __future__ import annotations

import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from devstack.qbo_emulator import EmulatorHandle, start_emulator

DDB_JAR_DIR = Path("/tmp/ddbl/package/emulator")


@dataclass
class Realm:
    """A fresh emulator company plus raw control-API helpers."""

    emulator: EmulatorHandle
    info: dict

    @property
    def realm_id(self) -> str:
        return self.info["realm_id"]

    def control(self, method: str, path: str, json: Any = None) -> Any:
        """Call /_control/companies/<realm>/<path>."""
        resp = requests.request(method, f"{self.emulator.url}/_control/companies/{self.realm_id}/{path}",
                                json=json, timeout=10)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def faults(self, **settings: Any) -> dict:
        return self.control("POST", "faults", settings)

    def limits(self, **settings: Any) -> dict:
        return self.control("POST", "limits", settings)

    def advance(self, seconds: float) -> dict:
        return self.control("POST", "clock", {"advance": seconds})

    def user_create(self, entity: str, body: dict) -> dict:
        return self.control("POST", f"objects/{entity}", body)[entity]

    def books(self) -> dict:
        return self.control("GET", "books")

    def stats(self) -> dict:
        return self.control("GET", "stats")

    def customer(self, name: str | None = None) -> dict:
        return self.user_create("Customer", {"DisplayName": name or f"Customer {uuid.uuid4().hex[:8]}"})

    def quickbooks(self, access_token: str | None = None, refresh_token: str | None = None):
        """A python-quickbooks client (with a real intuit-oauth AuthClient) pointed at this realm."""
        from intuitlib.client import AuthClient
        from quickbooks import QuickBooks

        auth = AuthClient(self.info["client_id"], self.info["client_secret"], self.info["redirect_uri"],
                          environment=self.emulator.discovery_url,
                          access_token=access_token or self.info["access_token"],
                          refresh_token=refresh_token or self.info["refresh_token"], realm_id=self.realm_id)
        qb = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=self.realm_id,
                        minorversion=75)
        qb.api_url_v3 = self.emulator.api_base
        return qb


@pytest.fixture(scope="session")
def qbo_emulator() -> Iterator[EmulatorHandle]:
    """One in-process emulator for the whole session."""
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # requests-oauthlib refuses plain http otherwise
    handle = start_emulator(port=0)
    yield handle
    handle.stop()


@pytest.fixture()
def realm(qbo_emulator: EmulatorHandle) -> Realm:
    """A new company with its own OAuth client, so tests never share books, limits or faults."""
    info = requests.post(f"{qbo_emulator.url}/_control/companies", json={}, timeout=10).json()
    return Realm(qbo_emulator, info)


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def qbo_ddb_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """DynamoDB Local endpoint: the shared `dynamodb_endpoint` fixture if the repo has one, else our own."""
    try:
        yield request.getfixturevalue("dynamodb_endpoint")
        return
    except pytest.FixtureLookupError:
        pass
    port = _free_port()
    proc = subprocess.Popen(
        ["java", f"-Djava.library.path={DDB_JAR_DIR / 'DynamoDBLocal_lib'}", "-jar", str(DDB_JAR_DIR / "DynamoDBLocal.jar"),
         "-sharedDb", "-disableTelemetry", "-inMemory", "-port", str(port)],
        cwd=DDB_JAR_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import boto3
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="local", aws_secret_access_key="local")
        deadline = time.monotonic() + 30
        while True:
            try:
                client.list_tables()
                break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("DynamoDB Local did not start")
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def credits_table(qbo_ddb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh single table (pk/sk) with the env vars our token store reads."""
    import boto3
    name = f"credits-qbo-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CREDITS_TABLE", name)
    monkeypatch.setenv("DYNAMODB_ENDPOINT", qbo_ddb_endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    client = boto3.client("dynamodb", endpoint_url=qbo_ddb_endpoint, region_name="us-east-1")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    return name


@dataclass
class QboAccount:
    """A connected account: emulator realm, DynamoDB-stored tokens and settings for the client layer."""

    account_id: str
    realm: Realm
    settings: Any
    store: Any

    def client(self, **kw: Any):
        from chalicelib.qbo.client import build_client
        return build_client(self.account_id, settings=self.settings, store=self.store, **kw)


def emulator_settings(realm: Realm, **overrides: Any):
    """Client-layer settings for the emulator with tiny retry waits."""
    from chalicelib.qbo.config import QboSettings
    values = dict(environment=realm.emulator.discovery_url, api_base=realm.emulator.api_base,
                  client_id=realm.info["client_id"], client_secret=realm.info["client_secret"],
                  redirect_uri=realm.info["redirect_uri"], webhook_verifier="verifier-token",
                  max_attempts=6, backoff_base=0.001, backoff_max=0.005, connect_timeout=2, read_timeout=10)
    values.update(overrides)
    return QboSettings(**values)


@pytest.fixture()
def qbo_account(realm: Realm, credits_table: str) -> QboAccount:
    """Account whose QBO connection is stored in a fresh DynamoDB table."""
    from datetime import datetime, timedelta, timezone
    from chalicelib.qbo.tokens import DynamoTokenStore

    store = DynamoTokenStore(credits_table)
    account_id = "acct-" + uuid.uuid4().hex[:8]
    store.connect(account_id, realm.realm_id, realm.info["access_token"], realm.info["refresh_token"],
                  datetime.now(timezone.utc) + timedelta(seconds=3600))
    realm.limits(enabled=False)
    return QboAccount(account_id, realm, emulator_settings(realm), store)
