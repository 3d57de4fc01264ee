"""Logs, metrics and tracing of every Lambda of the service, with Powertools for AWS Lambda.

- Logs: every `logging.getLogger(__name__)` of chalicelib writes one JSON line through Powertools' formatter, with the
  keys of the invocation (`request_id`, `correlation_id`, `account_id`, a worker's `message_id` / hint) on every line;
  values that look like a token or a configured secret never leave the process (`redact`).
- Metrics: Embedded Metric Format lines (namespace `CreditsService`, dimension `service=credits`), counted where the
  event happens (a route's result, a worker's result, the QBO session's 429) and flushed once per invocation.
- Tracing: X-Ray through Powertools' Tracer, only when switched on (`POWERTOOLS_TRACE_DISABLED=false`); off, neither
  the tracer nor the X-Ray SDK is imported, so the API's cold start does not pay for it.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from contextlib import contextmanager
from functools import cache
from typing import Any, Callable, Iterator, Mapping

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .domain.pacing import Seconds

METRICS_NAMESPACE = "CreditsService"
METRICS_SERVICE = "credits"  # the one dimension of every metric (the alarms in deploy/resources.json name it)
LOGGER_ROOT = "chalicelib"  # every module logger of the service is a child of it
REDACTED = "[redacted]"
SECRET_KEYS = re.compile(r"authori[sz]ation|token|secret|password|signature|verifier|cookie|api[_-]?key",
                         re.IGNORECASE)
SECRET_VALUES = (  # (shape, what replaces it)
    (re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),  # a JWT (ours, or an id token)
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {REDACTED}"),  # an Authorization value
    (re.compile(r"(?i)\b((?:access|refresh|id)_token|client_secret|code)=[^&\s\"']+"), rf"\1={REDACTED}"),  # form
)
SECRET_SETTINGS = ("JWT_SECRET", "QBO_CLIENT_SECRET", "QBO_WEBHOOK_VERIFIER", "TOKEN_LOCAL_KEY")
CORRELATION_HEADER = "x-correlation-id"
CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_METRICS_LOCK = threading.Lock()  # the worker's message groups count from threads; Powertools' metric set has no lock


class _CurrentStdout(logging.StreamHandler):
    """Writes to whatever sys.stdout is when a line is written (Lambda's, or a test's capture)."""

    @property
    def stream(self) -> Any:  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def redact(value: Any, key: str = "") -> Any:
    """A log record with what could be a credential replaced: by key name, by shape, and the configured secrets."""
    if key and SECRET_KEYS.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in SECRET_VALUES:
            value = pattern.sub(replacement, value)
        for name in SECRET_SETTINGS:
            secret = os.environ.get(name)
            if secret and len(secret) >= 8 and secret in value:
                value = value.replace(secret, REDACTED)
    return value


def _serialize(record: dict) -> str:
    return json.dumps(redact(record), default=str, separators=(",", ":"))


@cache
def logger() -> Logger:
    """The Powertools logger; its handler serves the whole `chalicelib` logger tree (made once per process)."""
    powertools = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "credits",
                        logger_handler=_CurrentStdout(), json_serializer=_serialize, utc=True,
                        serialize_stacktrace=False)  # the traceback is in `exception` already
    ours = logging.getLogger(LOGGER_ROOT)
    ours.handlers = [powertools.registered_handler]
    ours.setLevel(powertools.log_level)
    ours.propagate = False  # Lambda's root handler would print the line a second time, as plain text
    return powertools


@cache
def metrics() -> Metrics:
    return Metrics(namespace=METRICS_NAMESPACE, service=METRICS_SERVICE)


def log_keys(**keys: Any) -> None:
    """Keys on every following log line of this invocation (None removes a key)."""
    present = {k: v for k, v in keys.items() if v is not None}
    logger().thread_safe_append_keys(**present)
    absent = [k for k, v in keys.items() if v is None]
    if absent:
        logger().thread_safe_remove_keys(absent)


@contextmanager
def invocation(**keys: Any) -> Iterator[None]:
    """One invocation (an HTTP request, a worker batch): fresh log keys, and its metrics flushed when it ends."""
    logger().thread_safe_clear_keys()
    log_keys(**keys)
    try:
        yield
    finally:
        flush_metrics()
        logger().thread_safe_clear_keys()


def lambda_keys(function: str, context: Any) -> dict[str, str | None]:
    """The keys of a worker Lambda's invocation: which function, and Lambda's request id (also its correlation id)."""
    request_id = getattr(context, "aws_request_id", None)
    return {"function": function, "request_id": request_id, "correlation_id": request_id}


def request_keys(request: Any) -> dict[str, str | None]:
    """request_id (API Gateway's, else Lambda's) and correlation_id (the caller's X-Correlation-Id, else request_id)."""
    context = getattr(request, "context", None) or {}
    lambda_context = getattr(request, "lambda_context", None)
    request_id = context.get("requestId") or getattr(lambda_context, "aws_request_id", None)
    headers = {k.lower(): v for k, v in (getattr(request, "headers", None) or {}).items()}
    given = headers.get(CORRELATION_HEADER) or ""
    return {"request_id": request_id,
            "correlation_id": given if CORRELATION_ID.fullmatch(given) else request_id}


def count(name: str, value: int = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    """One data point of a metric (a count, cents or milliseconds: always whole), flushed with the invocation's others (EMF on stdout)."""
    with _METRICS_LOCK:
        metrics().add_metric(name=name, unit=unit, value=value)


def flush_metrics() -> None:
    """Print the invocation's metrics as one EMF line, if it counted any. With metrics disabled Powertools keeps
    them, and prints them anyway once a metric holds 100 values: they are dropped here instead."""
    with _METRICS_LOCK:
        if metrics().metric_set:
            metrics().flush_metrics()
            metrics().clear_metrics()


def record_payment(credit_uses: int, credit_cents: int) -> None:
    """A payment was received, paying `credit_uses` credit uses worth `credit_cents` of credit."""
    count("PaymentsReceived")
    if credit_uses:
        count("CreditsApplied", credit_uses)
        count("CreditsAppliedCents", credit_cents, MetricUnit.NoUnit)


def record_push(pushed: int, parked: int, latency_seconds: Seconds | None) -> None:
    """A push run's outcome: objects now in QBO, objects QBO refused (parked), and how long after the hint was sent."""
    count("SyncPushed", pushed)
    count("SyncFailed", parked)
    if latency_seconds is not None and pushed:
        count("SyncLatency", round(latency_seconds * 1000), MetricUnit.Milliseconds)


def record_sync_failure() -> None:
    """A hint whose work failed (throttle, outage, auth, a bug): given back to the queue."""
    count("SyncFailed")


def record_qbo_throttled() -> None:
    """QBO answered 429 / ThrottleExceeded."""
    count("QboThrottled")


def tracing_enabled() -> bool:
    """Tracing is off unless POWERTOOLS_TRACE_DISABLED says false (the template sets it; see deploy/)."""
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").strip().lower() in ("false", "0", "no")


def trace_carrier() -> Callable[[], None]:
    """Called in the invocation's thread: a function that, in a thread the invocation starts, puts that thread's calls
    under the invocation's X-Ray (sub)segment (the SDK keeps the current one per thread). Does nothing when tracing
    is off, or when there is no segment to carry."""
    if not tracing_enabled():
        return lambda: None
    from aws_xray_sdk.core import xray_recorder

    try:
        entity = xray_recorder.get_trace_entity()
    except Exception:  # noqa: BLE001 - no segment (outside Lambda, context_missing=RUNTIME_ERROR): nothing to carry
        entity = None
    if entity is None:
        return lambda: None
    return lambda: xray_recorder.set_trace_entity(entity)


def start_tracing(app: Any) -> bool:
    """When switched on: botocore and requests patched, one X-Ray subsegment per invocation. Off: imports nothing."""
    if not tracing_enabled():
        return False
    from aws_lambda_powertools import Tracer

    tracer = Tracer(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "credits")  # still off outside Lambda
    cold = [True]

    def traced(event: Any, get_response: Any) -> Any:
        """Middleware: the invocation's subsegment, named after its route (HTTP) or its function (workers)."""
        if hasattr(event, "method") and hasattr(event, "path"):
            name = f"## {event.method} {event.path}"
        else:
            name = f"## {getattr(getattr(event, 'context', None), 'function_name', None) or 'handler'}"
        with tracer.provider.in_subsegment(name=name) as subsegment:
            subsegment.put_annotation(key="ColdStart", value=cold[0])
            subsegment.put_annotation(key="Service", value=tracer.service)
            cold[0] = False
            return get_response(event)  # an exception is recorded on the subsegment by the SDK; bodies are not

    app.register_middleware(traced)
    return True
