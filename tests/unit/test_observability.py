"""chalicelib/observability.py on its own: what redaction removes, that an invocation's keys and metrics end with it."""
import json
import logging

import pytest

from chalicelib import observability
from chalicelib.observability import REDACTED, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl"


@pytest.mark.parametrize("text, kept, gone", [
    (f"Authorization: Bearer {JWT}", "Authorization: Bearer", JWT),
    (f"token {JWT} refused", "refused", JWT),
    ("POST grant_type=refresh_token&refresh_token=AB11-xyz&client_secret=s3cr3t", "grant_type=refresh_token",
     "AB11-xyz"),
    ("callback ?code=Q0abc&state=xyz&realmId=1", "realmId=1", "Q0abc"),
    ("Basic Y2xpZW50OnNlY3JldA== sent", "sent", "Y2xpZW50OnNlY3JldA=="),
])
def test_credentials_in_text_are_replaced(text, kept, gone):
    out = redact(text)
    assert kept in out and gone not in out and REDACTED in out


def test_values_under_credential_keys_are_replaced_at_any_depth():
    record = {"message": "ok", "headers": {"Authorization": "x", "intuit-signature": "sig", "accept": "json"},
              "tokens": [{"access_token": "a"}], "account_id": "A1", "status": 200}
    assert redact(record) == {"message": "ok", "headers": {"Authorization": REDACTED, "intuit-signature": REDACTED,
                                                           "accept": "json"},
                              "tokens": REDACTED, "account_id": "A1", "status": 200}


def test_configured_secrets_are_replaced_wherever_they_appear(monkeypatch):
    monkeypatch.setenv("QBO_CLIENT_SECRET", "client-secret-value-123")
    assert redact("refused: client-secret-value-123 is wrong") == f"refused: {REDACTED} is wrong"


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_an_invocation_keys_its_lines_and_the_next_one_starts_clean(capsys):
    log = logging.getLogger("chalicelib.tests.unit")
    with observability.invocation(request_id="r1", correlation_id="c1"):
        observability.log_keys(account_id="A1")
        log.warning("first")
    with observability.invocation(request_id="r2", correlation_id="r2"):
        log.warning("second")
    first, second = _json_lines(capsys.readouterr().out)
    assert (first["message"], first["request_id"], first["correlation_id"], first["account_id"]) == \
        ("first", "r1", "c1", "A1")
    assert (second["message"], second["request_id"]) == ("second", "r2") and "account_id" not in second


def test_metrics_are_one_emf_line_per_invocation_and_none_without_data(capsys):
    with observability.invocation(request_id="r1"):
        observability.record_push(pushed=3, parked=1, latency_seconds=1.5)
        observability.record_qbo_throttled()
    with observability.invocation(request_id="r2"):
        pass
    (line,) = _json_lines(capsys.readouterr().out)
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "CreditsService" and directive["Dimensions"] == [["service"]]
    assert line["service"] == "credits"
    assert (line["SyncPushed"], line["SyncFailed"], line["SyncLatency"], line["QboThrottled"]) == ([3], [1], [1500], [1])
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]}["SyncLatency"] == "Milliseconds"


def test_tracing_is_off_unless_switched_on(monkeypatch):
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    assert observability.tracing_enabled() is False
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert observability.tracing_enabled() is False
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    assert observability.tracing_enabled() is True


def test_disabled_metrics_are_dropped_at_each_invocation_end_never_printed(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for n in range(120):  # Powertools prints a metric once it holds 100 values, disabled or not, unless cleared
        with observability.invocation(request_id=f"r{n}"):
            observability.record_push(pushed=1, parked=0, latency_seconds=0.1)
    assert capsys.readouterr().out == ""
