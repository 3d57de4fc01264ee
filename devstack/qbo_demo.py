"""The dev stack's QuickBooks Online side: the emulator, a demo company, and the demo account connected to it."""
from __future__ import annotations

import json
import os
import secrets
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from devstack.qbo_emulator import EmulatorHandle, start_emulator

DEMO_REALM_ID = "9130000000000001"
DEMO_CLIENT_ID = "credits-dev"
CALLBACK_PATH = "/qbo/callback"  # the API's OAuth redirect URI, registered with the emulator's client
WEBHOOK_VERIFIER = "verifier-token"  # the emulator's default signing key


class QboDemoError(RuntimeError):
    """The emulator could not be started or the demo account not connected; the message says why."""


@dataclass
class QboDemo:
    """The running emulator and the demo company the demo account is connected to."""

    emulator: EmulatorHandle
    realm_id: str
    redirect_uri: str

    @property
    def control_url(self) -> str:
        return f"{self.emulator.url}/_control"

    @property
    def company_url(self) -> str:
        """Control API of the demo company: books, stats, objects/<Entity>, clock, faults, limits."""
        return f"{self.control_url}/companies/{self.realm_id}"

    def stop(self) -> None:
        self.emulator.stop()


def start(account_id: str, port: int = 8001, api_url: str = "http://127.0.0.1:8000") -> QboDemo:
    """Start the emulator, create the demo company, point this process's QBO_* settings at it, connect the account.

    The API's `<api_url>/qbo/callback` is registered as the OAuth client's redirect URI; the connection goes
    through the emulator's consent step and chalicelib.qbo.auth.connect_account (code exchange, tokens stored in
    DynamoDB), as production connects an account, with the browser's redirect read here instead of followed.
    """
    try:
        emulator = start_emulator(port=port)
    except OSError as error:
        raise QboDemoError(f"the QBO emulator cannot listen on 127.0.0.1:{port} ({error.strerror}); "
                           "pass --qbo-port 0 to use a free port") from error
    try:
        callback = api_url.rstrip("/") + CALLBACK_PATH
        company = _control(emulator, "companies", {"realm_id": DEMO_REALM_ID, "client_id": DEMO_CLIENT_ID})
        _control(emulator, f"clients/{DEMO_CLIENT_ID}", {"redirect_uris": [callback]})
        os.environ.update(QBO_ENVIRONMENT=emulator.discovery_url, QBO_API_BASE=emulator.api_base,
                          QBO_CLIENT_ID=company["client_id"], QBO_CLIENT_SECRET=company["client_secret"],
                          QBO_REDIRECT_URI=callback, QBO_WEBHOOK_VERIFIER=WEBHOOK_VERIFIER)
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # python-quickbooks' OAuth2Session over http

        from chalicelib.qbo.auth import connect_account
        from chalicelib.store.qbo_connections import DynamoTokenStore

        code, realm_id = _consent(company["realm_id"])
        connect_account(account_id, code, realm_id, DynamoTokenStore())
    except BaseException:
        emulator.stop()
        raise
    return QboDemo(emulator, realm_id, callback)


def _consent(realm_id: str) -> tuple[str, str]:
    """The user's "Connect to QuickBooks" click: the authorization URL's redirect gives (code, realmId)."""
    import requests
    from intuitlib.enums import Scopes

    from chalicelib.qbo.auth import build_auth_client
    from chalicelib.qbo.config import QboSettings

    state = secrets.token_urlsafe(16)
    url = build_auth_client(QboSettings.from_env()).get_authorization_url([Scopes.ACCOUNTING], state_token=state)
    response = requests.get(url, params={"realm_id": realm_id}, allow_redirects=False, timeout=10)
    query = parse_qs(urlsplit(response.headers.get("Location", "")).query)
    if response.status_code != 302 or query.get("state") != [state] or "code" not in query:
        raise QboDemoError(f"the emulator's consent step failed ({response.status_code}): {response.text[:200]}")
    return query["code"][0], query["realmId"][0]


def _control(emulator: EmulatorHandle, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{emulator.url}/_control/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
