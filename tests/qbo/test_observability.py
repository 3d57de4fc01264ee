"""What an operator sees of real work, captured as Lambda's log stream gets it (stdout/stderr): JSON log lines with
request, correlation and account ids, EMF metrics of payments and sync, and no token or secret anywhere.

The work: JWT-authenticated requests (a credit, an order, a payment with credits, a refused token), a push through
the worker Lambda's handler whose expired QBO access token is refreshed, and signed QBO webhooks (one forged).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from types import SimpleNamespace

import pytest

from tests.ledger_helpers import credit, order, pay
from tests.qbo.inbound_stack import fifo_queue

VERIFIER = "observability-verifier-7f3a9c"


def _sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def sqs(monkeypatch):
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}}):
        from chalicelib.workers import queue

        url = fifo_queue(queue.sqs_client(), f"observability-{uuid.uuid4().hex[:6]}")
        monkeypatch.setenv("SYNC_QUEUE_URL", url)
        yield url


@pytest.fixture
def debug_logs():
    """Our loggers at DEBUG for the test: what the service could ever write, not only what INFO shows."""
    from chalicelib import observability

    observability.logger()
    ours = logging.getLogger(observability.LOGGER_ROOT)
    level = ours.level
    ours.setLevel(logging.DEBUG)
    yield
    ours.setLevel(level)


def _worker_event(account_id: str) -> dict:
    from chalicelib.workers.queue import PUSH

    return {"Records": [{"messageId": "msg-" + uuid.uuid4().hex[:8], "receiptHandle": "r", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:credits-sync.fifo",
                         "body": json.dumps({"kind": PUSH, "account_id": account_id}),
                         "attributes": {"MessageGroupId": f"push:{account_id}", "SentTimestamp": "1700000000000"},
                         "messageAttributes": {}}]}


def _lines(text: str) -> tuple[list[dict], list[dict]]:
    """(log lines, EMF metric lines) of what was written; any other line fails the test."""
    logs, metrics = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)  # every line the service writes is JSON
        (metrics if "_aws" in record else logs).append(record)
    return logs, metrics


def _metric(metrics: list[dict], name: str) -> list[float]:
    values = []
    for record in metrics:
        directive = record["_aws"]["CloudWatchMetrics"][0]
        if name in record and directive["Namespace"] == "CreditsService" and directive["Dimensions"] == [["service"]]:
            value = record[name]
            values += value if isinstance(value, list) else [value]
    return values


@pytest.fixture
def captured(synced, sqs, monkeypatch, capfd, debug_logs):
    """Run the work once; answers what it wrote and every secret and token it handled."""
    import app
    from chalicelib import config
    from chalicelib.store.qbo_connections import DynamoTokenStore

    monkeypatch.setenv("QBO_WEBHOOK_VERIFIER", VERIFIER)
    account, realm = synced.account, synced.realm
    store = DynamoTokenStore()
    before = store.get(account.id)
    capfd.readouterr()

    # the API, with bearer tokens
    memo = credit(account, "40.00")
    invoice_id = order(account, "25.00")["invoice_id"]
    payment = pay(account, invoice_id, credits=[{"credit_id": memo["id"]}])
    assert account.owner.get("/credits", headers={"X-Correlation-Id": "corr-42"}).status == 200
    assert account.owner.as_(account.owner.token[:-4] + "AAAA").get("/credits").status == 401

    # the worker: QBO's clock passes the access token's life, so the push refreshes it first
    realm.advance(3601)
    context = SimpleNamespace(aws_request_id="lambda-req-1", function_name="sync_worker")
    assert app.sync_worker(_worker_event(account.id), context) == {"batchItemFailures": []}
    after = store.get(account.id)
    assert after.refresh_token != before.refresh_token  # the refresh really happened

    # QBO's webhooks: one signed with the verifier, one forged
    body = json.dumps({"eventNotifications": [{"realmId": realm.realm_id, "dataChangeEvent": {"entities": [
        {"name": "CreditMemo", "id": "1", "operation": "Create", "lastUpdated": "2026-01-01T00:00:00Z"}]}}]})
    signature = _sign(body.encode(), VERIFIER)
    assert account.owner.as_(None).post("/qbo/webhook", raw=body, headers={"intuit-signature": signature}).status == 200
    forged = _sign(body.encode(), "not-the-verifier")
    assert account.owner.as_(None).post("/qbo/webhook", raw=body, headers={"intuit-signature": forged}).status == 401

    out = capfd.readouterr()
    secrets = {"owner's bearer token": account.owner.token, "staff's bearer token": account.staff.token,
               "JWT secret": config.jwt_secret(), "QBO client secret": synced.realm.info["client_secret"],
               "webhook verifier": VERIFIER, "webhook signature": signature, "forged signature": forged,
               "access token": before.access_token, "refresh token": before.refresh_token,
               "refreshed access token": after.access_token, "refreshed refresh token": after.refresh_token}
    return SimpleNamespace(stdout=out.out, stderr=out.err, secrets=secrets, account=account, payment=payment)


def test_no_token_or_secret_is_written_anywhere(captured):
    written = captured.stdout + captured.stderr
    assert len(written) > 1000  # the work did log
    leaked = [name for name, value in captured.secrets.items() if value and value in written]
    assert leaked == []


def test_every_log_line_carries_the_request_and_correlation_ids_and_the_account_once_known(captured):
    logs, _ = _lines(captured.stdout)
    assert logs
    assert all(line.get("request_id") and line.get("correlation_id") for line in logs), \
        [line for line in logs if not line.get("correlation_id")][:3]
    answered = [line for line in logs if " answered " in line["message"]]
    mine = [line for line in answered if line.get("account_id") == captured.account.id]
    assert len(mine) == 4  # the credit, the order, the payment, the list
    assert any(line["correlation_id"] == "corr-42" for line in mine)
    assert any(line["status"] == 401 and "account_id" not in line for line in answered)
    worker = [line for line in logs if line.get("function") == "sync_worker"]
    assert worker and all(line["request_id"] == "lambda-req-1" and line.get("message_id", "").startswith("msg-")
                          and line.get("account_id") == captured.account.id for line in worker)


def test_payments_and_sync_outcomes_are_emf_metrics_flushed_with_their_invocation(captured):
    _, metrics = _lines(captured.stdout)
    assert _metric(metrics, "PaymentsReceived") == [1]
    assert _metric(metrics, "CreditsApplied") == [1]
    assert _metric(metrics, "CreditsAppliedCents") == [2500]
    pushed = _metric(metrics, "SyncPushed")
    assert sum(pushed) >= 3  # the customer, the memo, the invoice and the payment reached QBO
    assert _metric(metrics, "SyncFailed") == [0]
    assert len(_metric(metrics, "SyncLatency")) == 1
    assert all(record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "CreditsService" for record in metrics)
