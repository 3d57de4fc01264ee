"""The dev stack's QuickBooks Online side: the emulator, a demo company, and the demo account connected to it."""
from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass

from devstack.qbo_emulator import EmulatorHandle, start_emulator

DEMO_REALM_ID = "9130000000000001"
DEMO_CLIENT_ID = "credits-dev"
REDIRECT_URI = "http://localhost/callback"
WEBHOOK_VERIFIER = "verifier-token"  # the emulator's default signing key


class QboDemoError(RuntimeError):
    """The emulator could not be started or the demo account not connected; the message says why."""


@dataclass
class QboDemo:
    """The running emulator and the demo company the demo account is connected to."""

    emulator: EmulatorHandle
    realm_id: str

    @property
    def control_url(self) -> str:
        return f"{self.emulator.url}/_control"

    @property
    def company_url(self) -> str:
        """Control API of the demo company: books, stats, objects/<Entity>, clock, faults, limits."""
        return f"{self.control_url}/companies/{self.realm_id}"

    def stop(self) -> None:
        self.emulator.stop()


def start(account_id: str, port: int = 8001) -> QboDemo:
    """Start the emulator, create the demo company, point this process's QBO_* settings at it, connect the account.

    The connection goes through chalicelib.qbo.auth.connect_account (OAuth code exchange, tokens stored in
    DynamoDB), exactly as production connects an account.
    """
    try:
        emulator = start_emulator(port=port)
    except OSError as error:
        raise QboDemoError(f"the QBO emulator cannot listen on 127.0.0.1:{port} ({error.strerror}); "
                           "pass --qbo-port 0 to use a free port") from error
    try:
        company = _control(emulator, "companies", {"realm_id": DEMO_REALM_ID, "client_id": DEMO_CLIENT_ID,
                                                   "redirect_uri": REDIRECT_URI})
        os.environ.update(QBO_ENVIRONMENT=emulator.discovery_url, QBO_API_BASE=emulator.api_base,
                          QBO_CLIENT_ID=company["client_id"], QBO_CLIENT_SECRET=company["client_secret"],
                          QBO_REDIRECT_URI=company["redirect_uri"], QBO_WEBHOOK_VERIFIER=WEBHOOK_VERIFIER)
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # python-quickbooks' OAuth2Session over http

        from chalicelib.qbo.auth import connect_account
        from chalicelib.store.qbo_connections import DynamoTokenStore

        connect_account(account_id, company["auth_code"], company["realm_id"], DynamoTokenStore())
    except BaseException:
        emulator.stop()
        raise
    return QboDemo(emulator, company["realm_id"])


def _control(emulator: EmulatorHandle, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{emulator.url}/_control/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
