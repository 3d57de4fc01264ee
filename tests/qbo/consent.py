"""The one way a test connects an account to QuickBooks: the way production does.

`POST /qbo/connect` gives Intuit's consent URL; the emulator's consent page (the browser's trip) redirects to our
redirect URI with `code`, `state` and `realmId`; `GET /qbo/callback` exchanges the code, proves the token opens the
company and stores tokens, connection and realm mapping in one transaction. No test writes any of those itself
(tests/unit/test_connection_writers.py fails if one does).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from tests.conftest import Account, Http, Reply, make_account


def qbo_env(realm: Any, *, attempts: int = 6) -> dict[str, str]:
    """The QBO_* variables deployed code reads (per call), naming the emulator's company, with tiny retry waits."""
    return {"QBO_ENVIRONMENT": realm.emulator.discovery_url, "QBO_API_BASE": realm.emulator.api_base,
            "QBO_CLIENT_ID": realm.info["client_id"], "QBO_CLIENT_SECRET": realm.info["client_secret"],
            "QBO_REDIRECT_URI": realm.info["redirect_uri"], "QBO_RETRY_ATTEMPTS": str(attempts),
            "QBO_RETRY_BASE_SECONDS": "0.001", "QBO_RETRY_MAX_SECONDS": "0.005",
            "QBO_CONNECT_TIMEOUT": "2", "QBO_READ_TIMEOUT": "10"}


def point_at(realm: Any, monkeypatch: pytest.MonkeyPatch, **options: Any) -> None:
    """Point this test's QBO_* settings at the realm's emulator (its OAuth client, its API)."""
    for name, value in qbo_env(realm, **options).items():
        monkeypatch.setenv(name, value)


def consent(starter: Http, realm: Any, realm_id: str | None = None) -> dict[str, str]:
    """`POST /qbo/connect` as `starter`, then the consent page for `realm_id` (default: the realm's company): the
    query the browser brings back to the callback."""
    reply = starter.post("/qbo/connect", {})
    assert reply.status == 200, reply.body
    page = requests.get(reply.json["authorization_url"], params={"realm_id": realm_id or realm.realm_id},
                        allow_redirects=False, timeout=10)
    assert page.status_code == 302, page.text
    return {k: v[0] for k, v in parse_qs(urlsplit(page.headers["Location"]).query).items()}


def callback(http: Http, query: dict[str, str]) -> Reply:
    """The browser arriving at `GET /qbo/callback` (no bearer token)."""
    return http.as_(None).get("/qbo/callback?" + urlencode(query))


def connect(starter: Http, realm: Any, realm_id: str | None = None) -> Reply:
    """The whole consent flow; asserts it connected."""
    reply = callback(starter, consent(starter, realm, realm_id))
    assert reply.status == 200, reply.body
    assert reply.json["connected"] is True
    return reply


def connected_account(http: Http, realm: Any, *, credit_sync: bool = True, limits: bool = False,
                      **account_options: Any) -> Account:
    """A new account (owner, staff, customers) connected to `realm` through the consent flow; `credit_sync` switches
    two-way credit sync on first (staff), `limits` keeps the emulator's rate limits on. QBO_* must name the realm
    (`point_at`)."""
    account = make_account(http, **account_options)
    if credit_sync:
        assert account.staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    if not limits:
        realm.limits(enabled=False)
    connect(account.owner, realm)
    return account
