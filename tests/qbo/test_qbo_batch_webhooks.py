"""Client-layer batching against the emulator, and webhook verification/parsing of both formats."""
from __future__ import annotations

import json

from chalicelib.qbo.batch import batch_create
from chalicelib.qbo.money import from_cents
from chalicelib.qbo.webhooks import WebhookEvent, parse_events, verify_signature
from devstack.qbo_emulator.webhooks import build_body, sign


def test_batch_create_100_credit_memos_in_4_requests(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    items = [(f"credit-{n}", {"CustomerRef": {"value": cust},
                              "Line": [{"Amount": from_cents(100 + n), "DetailType": "SalesItemLineDetail"}]})
             for n in range(99)]
    items.append(("credit-bad", {"CustomerRef": {"value": "999999"}, "Line": [{"Amount": 1}]}))
    results = batch_create(client, "CreditMemo", items)
    assert client.session.stats["requests"] == 4
    assert [r.key for r in results] == [k for k, _ in items]
    assert sum(1 for r in results if r.obj) == 99
    assert results[-1].error is not None and results[-1].error.code == 2500  # unknown CustomerRef: Invalid Reference Id
    assert client.count("CreditMemo") == 99


def test_batch_retry_after_dropped_connection_does_not_duplicate(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    qbo_account.realm.faults(drop_after_commit_next=1)
    items = [(f"k{n}", {"CustomerRef": {"value": cust}, "Line": [{"Amount": 5}]}) for n in range(3)]
    assert all(r.obj for r in batch_create(client, "CreditMemo", items))
    assert client.count("CreditMemo") == 3


def _events() -> list[dict]:
    return [{"realm": "111", "entity": "CreditMemo", "id": "7", "operation": "Create", "time": "2026-01-01T00:00:00Z"},
            {"realm": "222", "entity": "Payment", "id": "9", "operation": "Void", "time": "2026-01-01T00:00:00Z"}]


def test_webhook_signature_is_checked_on_raw_bytes():
    body = build_body("legacy", _events())
    sig = sign("v-token", body)
    assert verify_signature(body, sig, "v-token")
    assert not verify_signature(body + b" ", sig, "v-token")
    assert not verify_signature(body, sig, "other")
    assert not verify_signature(body, None, "v-token")
    assert not verify_signature(body, "not base64!!", "v-token")


def test_webhook_verifier_comes_from_env(monkeypatch):
    body = b"[]"
    monkeypatch.setenv("QBO_WEBHOOK_VERIFIER", "from-env")
    assert verify_signature(body, sign("from-env", body))


def test_parse_legacy_and_cloudevents_payloads_mixing_realms():
    expected = [WebhookEvent("111", "CreditMemo", "7", "Create"), WebhookEvent("222", "Payment", "9", "Void")]
    assert parse_events(build_body("legacy", _events())) == expected
    assert parse_events(build_body("cloudevents", _events())) == expected
    cloud = json.loads(build_body("cloudevents", _events()))
    assert cloud[0]["type"] == "qbo.creditmemo.created.v1"
