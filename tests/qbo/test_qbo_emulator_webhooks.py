"""Emulator webhooks for changes made by a QBO user, verified with python-quickbooks' own checker."""
from __future__ import annotations

import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
import requests


class _Receiver:
    def __init__(self) -> None:
        self.got: queue.Queue = queue.Queue()
        received = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def next(self) -> tuple[dict, bytes]:
        return self.got.get(timeout=10)


@pytest.fixture()
def receiver() -> Iterator[_Receiver]:
    rec = _Receiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


def _configure(realm, **settings) -> dict:
    resp = requests.post(f"{realm.emulator.url}/_control/clients/{realm.info['client_id']}/webhooks",
                         json=settings, timeout=5)
    assert resp.status_code == 200
    return resp.json()


def test_legacy_webhook_is_signed_and_describes_the_change(realm, receiver):
    _configure(realm, url=receiver.url, verifier="s3cret", format="legacy")
    memo_cust = realm.customer()
    headers, body = receiver.next()
    qb = realm.quickbooks()
    assert qb.validate_webhook_signature(body.decode(), headers["intuit-signature"], "s3cret")
    assert not qb.validate_webhook_signature(body.decode(), headers["intuit-signature"], "other")
    note = json.loads(body)["eventNotifications"][0]
    assert note["realmId"] == realm.realm_id
    assert note["dataChangeEvent"]["entities"][0] == {
        "name": "Customer", "id": memo_cust["Id"], "operation": "Create",
        "lastUpdated": note["dataChangeEvent"]["entities"][0]["lastUpdated"]}
    realm.control("POST", f"objects/Customer/{memo_cust['Id']}", {"CompanyName": "Acme"})
    assert json.loads(receiver.next()[1])["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["operation"] == "Update"


def test_cloudevents_batched_across_realms_with_duplicates_and_delay(realm, receiver):
    other = requests.post(f"{realm.emulator.url}/_control/companies",
                          json={"client_id": realm.info["client_id"]}, timeout=5).json()
    _configure(realm, url=receiver.url, verifier="v", format="cloudevents", batch_size=2, duplicate=True,
               delay_s=0.05)
    cust = realm.customer()
    requests.post(f"{realm.emulator.url}/_control/companies/{other['realm_id']}/objects/Customer",
                  json={"DisplayName": "Other realm"}, timeout=5)
    (h1, b1), (h2, b2) = receiver.next(), receiver.next()
    assert b1 == b2 and h1["intuit-signature"] == h2["intuit-signature"]
    events = json.loads(b1)
    assert isinstance(events, list) and len(events) == 2
    assert {e["intuitaccountid"] for e in events} == {realm.realm_id, other["realm_id"]}
    assert events[0]["type"] == "qbo.customer.created.v1" and events[0]["intuitentityid"] == cust["Id"]
    assert events[0]["specversion"] == "1.0"


def _api_customer(realm, name: str) -> dict:
    from quickbooks.objects import Customer
    c = Customer()
    c.DisplayName = name
    return c.save(qb=realm.quickbooks()).to_dict()


def test_partial_batch_is_delivered_on_flush_and_api_changes_are_notified_by_default(realm, receiver):
    cfg = _configure(realm, url=receiver.url, batch_size=10)
    assert cfg["include_api_changes"] is True
    user_made = realm.customer()
    api_made = _api_customer(realm, "via api")
    requests.post(f"{realm.emulator.url}/_control/webhooks/flush", json={"client_id": realm.info["client_id"]},
                  timeout=5)
    entities = json.loads(receiver.next()[1])["eventNotifications"][0]["dataChangeEvent"]["entities"]
    assert [(e["id"], e["operation"]) for e in entities] == [(user_made["Id"], "Create"), (api_made["Id"], "Create")]
    assert receiver.got.empty()


def test_api_changes_can_be_switched_off(realm, receiver):
    _configure(realm, url=receiver.url, include_api_changes=False)
    _api_customer(realm, "silent")
    user_made = realm.customer()
    entities = json.loads(receiver.next()[1])["eventNotifications"][0]["dataChangeEvent"]["entities"]
    assert [e["id"] for e in entities] == [user_made["Id"]]  # only the QBO user's change was notified
    assert receiver.got.empty()


def test_api_change_webhook_is_signed_as_intuit_signs(realm, receiver):
    """intuit-signature = base64(HMAC-SHA256(verifier token, raw body)), computed here independently."""
    import base64
    import hashlib
    import hmac
    _configure(realm, url=receiver.url, verifier="independent-check")
    api_made = _api_customer(realm, "signed")
    headers, body = receiver.next()
    expected = base64.b64encode(hmac.new(b"independent-check", body, hashlib.sha256).digest()).decode()
    assert headers["intuit-signature"] == expected
    assert json.loads(body)["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["id"] == api_made["Id"]
