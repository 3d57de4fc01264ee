"""The dev stack's QBO wiring: the API's callback is the registered redirect URI, the emulator's webhooks reach the
API, and the demo account connects through the same consent flow a user takes, over real HTTP."""
from __future__ import annotations

import os

import pytest
import requests

from devstack import api_server, qbo_demo

QBO_VARS = ("QBO_ENVIRONMENT", "QBO_API_BASE", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_REDIRECT_URI",
            "QBO_WEBHOOK_VERIFIER")


@pytest.fixture
def served(chalice_app, credits_table, monkeypatch):
    for name in QBO_VARS:  # qbo_demo.start sets them for its process; give them back afterwards
        monkeypatch.setenv(name, "")
    api = api_server.serve(chalice_app, quiet=True)
    yield api
    api.stop()


def test_demo_registers_the_api_callback_and_connects_through_consent(http, served):
    from chalicelib.store.qbo_connections import DynamoTokenStore, realm_holder
    from tests.conftest import make_account

    account = make_account(http)
    demo = qbo_demo.start(port=0, api_url=served.url + "/")
    try:
        callback = served.url + "/qbo/callback"
        assert demo.redirect_uri == callback and demo.realm_id == qbo_demo.DEMO_REALM_ID
        client = requests.get(f"{demo.control_url}/clients/{qbo_demo.DEMO_CLIENT_ID}", timeout=5).json()
        assert callback in client["redirect_uris"] and os.environ["QBO_REDIRECT_URI"] == callback
        webhooks = requests.post(f"{demo.control_url}/clients/{qbo_demo.DEMO_CLIENT_ID}/webhooks", json={},
                                 timeout=5).json()
        assert webhooks["url"] == served.url + "/qbo/webhook" and webhooks["include_api_changes"] is True

        staff, owner = account.staff.token, account.owner.token
        answer = qbo_demo.connect_with_sync(demo, served.url, {"staff": staff, "owner": owner})

        assert answer == {"connected": True, "account_id": account.id, "realm_id": demo.realm_id}
        status = account.owner.get("/qbo/status").json
        assert (status["connected"], status["realm_id"], status["sync_mode"]) == (True, demo.realm_id, "two_way")
        assert realm_holder(demo.realm_id) == account.id  # webhooks for the demo company find the account
        connection = DynamoTokenStore().get(account.id)
        found = requests.get(f"{demo.emulator.api_base}/company/{demo.realm_id}/query",
                             params={"query": "select * from Item where Name = 'Services'"},
                             headers={"Authorization": "Bearer " + connection.access_token,
                                      "Accept": "application/json"}, timeout=5)
        assert found.status_code == 200 and found.json()["QueryResponse"]["Item"][0]["Name"] == "Services"
    finally:
        demo.stop()
