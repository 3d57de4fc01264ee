"""The dev stack's QuickBooks Online side: the emulator, a demo company, and the demo account connected to it through
the same consent flow a user takes (POST /qbo/connect → the consent page → GET /qbo/callback)."""
from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass

from devstack.qbo_emulator import EmulatorHandle, start_emulator

DEMO_REALM_ID = "9130000000000001"
DEMO_CLIENT_ID = "credits-dev"
CALLBACK_PATH = "/qbo/callback"  # the API's OAuth redirect URI, registered with the emulator's client
WEBHOOK_PATH = "/qbo/webhook"  # where the emulator sends its signed change notifications
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


def start(port: int = 8001, api_url: str = "http://127.0.0.1:8000") -> QboDemo:
    """Start the emulator, create the demo company, register the API's callback and webhook, and point this
    process's QBO_* settings at it. Connecting the demo account is `connect`'s job, once the API serves.

    The API's `<api_url>/qbo/callback` is registered as the OAuth client's redirect URI; the emulator's webhooks are
    pointed at the API's `<api_url>/qbo/webhook`, signed with QBO_WEBHOOK_VERIFIER.
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
        _control(emulator, f"clients/{DEMO_CLIENT_ID}/webhooks",
                 {"url": api_url.rstrip("/") + WEBHOOK_PATH, "verifier": WEBHOOK_VERIFIER})
    except BaseException:
        emulator.stop()
        raise
    return QboDemo(emulator, company["realm_id"], callback)


def connect(demo: QboDemo, api_url: str, owner_token: str) -> dict:
    """Connect the demo account the way a user does: `POST /qbo/connect` on the running API, the emulator's consent
    page (whose redirect a browser would follow), then the API's `GET /qbo/callback`. Answers the callback's JSON."""
    import requests

    started = requests.post(api_url.rstrip("/") + "/qbo/connect", json={}, timeout=10,
                            headers={"Authorization": f"Bearer {owner_token}"})
    if started.status_code != 200:
        raise QboDemoError(f"POST /qbo/connect answered {started.status_code}: {started.text[:300]}")
    consent = requests.get(started.json()["authorization_url"], params={"realm_id": demo.realm_id},
                           allow_redirects=False, timeout=10)
    location = consent.headers.get("Location", "")
    if consent.status_code != 302 or not location.startswith(demo.redirect_uri):
        raise QboDemoError(f"the emulator's consent step failed ({consent.status_code}): {consent.text[:200]}")
    answer = requests.get(location, timeout=30)
    if answer.status_code != 200:
        raise QboDemoError(f"the API's callback answered {answer.status_code}: {answer.text[:300]}")
    return answer.json()


def connect_with_sync(demo: QboDemo, api_url: str, tokens: dict[str, str]) -> dict:
    """What support and the owner do for a new account, through the API: staff switch two-way credit sync on
    (`tokens["staff"]`), then the owner connects through the consent flow (`tokens["owner"]`)."""
    import requests

    switched = requests.patch(api_url.rstrip("/") + "/settings", json={"qbo_credit_sync": True}, timeout=10,
                              headers={"Authorization": f"Bearer {tokens['staff']}"})
    if switched.status_code != 200:
        raise QboDemoError(f"PATCH /settings answered {switched.status_code}: {switched.text[:300]}")
    return connect(demo, api_url, tokens["owner"])


def _control(emulator: EmulatorHandle, path: str, body: dict) -> dict:
    request = urllib.request.Request(f"{emulator.url}/_control/{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
