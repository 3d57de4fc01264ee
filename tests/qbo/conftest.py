"""Fixtures for the QBO emulator and client-layer tests: one emulator per session, one realm per test."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import pytest
import requests

from devstack.qbo_emulator import EmulatorHandle, start_emulator
from tests.conftest import Account
from tests.qbo.consent import connected_account, point_at


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


@pytest.fixture()
def credits_table(dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh single table on the session's DynamoDB Local, configured the way deployed code reads it."""
    from chalicelib.store.tables import create_table

    monkeypatch.setenv("CREDITS_TABLE", f"credits-qbo-{uuid.uuid4().hex[:10]}")
    return create_table()


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
def qbo_account(realm: Realm, credits_table: str, http, monkeypatch) -> QboAccount:
    """An account connected to the realm through the consent flow, in a fresh DynamoDB table."""
    from chalicelib.store.qbo_connections import DynamoTokenStore

    point_at(realm, monkeypatch)
    account = connected_account(http, realm, credit_sync=False)
    return QboAccount(account.id, realm, emulator_settings(realm), DynamoTokenStore())


def emulator_env(realm: Realm, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the QBO_* variables the deployed code reads (per call) at the emulator, with tiny retry waits."""
    point_at(realm, monkeypatch)


@dataclass
class SyncedAccount:
    """An account with QBO credit sync on, connected to its own emulator realm; `push()` runs one push."""

    account: Account
    realm: Realm
    push: Callable

    def books(self, entity: str) -> list[dict]:
        return self.realm.books()["objects"][entity]

    def one(self, entity: str, **match) -> dict:
        found = [o for o in self.books(entity) if all(o.get(k) == v for k, v in match.items())]
        assert len(found) == 1, (entity, match, found)
        return found[0]


@pytest.fixture
def synced(http, realm, monkeypatch) -> SyncedAccount:
    """Routes that push (retry) reach the same realm: the QBO_* environment points at the emulator."""
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync.push import push_pending
    from chalicelib.store.qbo_connections import DynamoTokenStore

    emulator_env(realm, monkeypatch)
    account = connected_account(http, realm)
    store = DynamoTokenStore()

    def push(**settings):
        client = build_client(account.id, settings=emulator_settings(realm, **settings), store=store)
        return push_pending(account.id, client=client)

    return SyncedAccount(account, realm, push)
