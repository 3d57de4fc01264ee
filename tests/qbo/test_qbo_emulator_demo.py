"""The dev stack's QBO wiring: the API's callback is the registered redirect URI and the demo account connects
through the emulator's consent step."""
from __future__ import annotations

import os
import uuid

import requests

from devstack import qbo_demo

QBO_VARS = ("QBO_ENVIRONMENT", "QBO_API_BASE", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_REDIRECT_URI",
            "QBO_WEBHOOK_VERIFIER")


def test_demo_registers_the_api_callback_and_connects_through_consent(credits_table, monkeypatch):
    for name in QBO_VARS:  # qbo_demo.start sets them for its process; give them back afterwards
        monkeypatch.setenv(name, "")
    account_id = "acct-" + uuid.uuid4().hex[:8]
    demo = qbo_demo.start(account_id, port=0, api_url="http://127.0.0.1:8123/")
    try:
        callback = "http://127.0.0.1:8123/qbo/callback"
        assert demo.redirect_uri == callback and demo.realm_id == qbo_demo.DEMO_REALM_ID
        client = requests.get(f"{demo.control_url}/clients/{qbo_demo.DEMO_CLIENT_ID}", timeout=5).json()
        assert callback in client["redirect_uris"]
        assert os.environ["QBO_REDIRECT_URI"] == callback

        from chalicelib.store.qbo_connections import DynamoTokenStore
        connection = DynamoTokenStore().get(account_id)
        assert connection is not None and connection.realm_id == demo.realm_id
        found = requests.get(f"{demo.emulator.api_base}/company/{demo.realm_id}/query",
                             params={"query": "select * from Item where Name = 'Services'"},
                             headers={"Authorization": "Bearer " + connection.access_token,
                                      "Accept": "application/json"}, timeout=5)
        assert found.status_code == 200 and found.json()["QueryResponse"]["Item"][0]["Name"] == "Services"
    finally:
        demo.stop()

