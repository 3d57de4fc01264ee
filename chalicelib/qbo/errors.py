"""Named QBO error classes and their classification by Fault code / HTTP status."""
from __future__ import annotations


class QboError(Exception):
    """Any QBO failure; `code` is the Fault code (or HTTP status when there was no Fault)."""

    retryable = False

    def __init__(self, message: str, code: int | None = None, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{message} (code {code})" if code is not None else message)
        self.message = message
        self.code = code
        self.detail = detail
        self.status = status


class QboStaleObjectError(QboError):
    """5010: our SyncToken is old; re-read the object and apply the change again."""


class QboNotFoundError(QboError):
    """610: the object does not exist (deleted in QBO?)."""


class QboValidationError(QboError):
    """2000-4999 / 6000+: QBO refuses the data; permanent until a human fixes it (sync status panel)."""


class QboDuplicateNameError(QboValidationError):
    """6240: a list entity with that name exists."""


class QboAuthError(QboError):
    """401 / 1-499 / 3200: tokens invalid or revoked and refresh did not help; the account must reconnect."""


class QboNotConnectedError(QboAuthError):
    """No stored QBO connection for the account."""


class QboTransientError(QboError):
    """Worth retrying later: throttle, server error, lost connection."""

    retryable = True


class QboThrottledError(QboTransientError):
    """429 / 3001 ThrottleExceeded (JSON or XML body)."""


class QboUnavailableError(QboTransientError):
    """5xx or an unreadable answer."""


class QboConnectionError(QboTransientError):
    """Connect/read timeout or dropped connection; a write may or may not have happened (use requestid)."""


def classify(code: int | None, message: str = "", detail: str = "", status: int | None = None) -> QboError:
    """Exception instance for a Fault code (falls back to the HTTP status)."""
    if status == 401:
        return QboAuthError(message or "authentication failed", code, detail, status)
    if status == 429 or code == 3001:
        return QboThrottledError(message or "throttled", code, detail, status)
    if code is None:
        if status is not None and status >= 500:
            return QboUnavailableError(message or "server error", code, detail, status)
        return QboError(message or "QBO error", code, detail, status)
    if code == 5010:
        return QboStaleObjectError(message, code, detail, status)
    if code == 610:
        return QboNotFoundError(message, code, detail, status)
    if code == 6240:
        return QboDuplicateNameError(message, code, detail, status)
    if 0 < code < 500 or code == 3200 or code == 3100:
        return QboAuthError(message, code, detail, status)
    if 2000 <= code < 10000:
        return QboValidationError(message, code, detail, status)
    if code >= 10000 or (status or 0) >= 500:
        return QboUnavailableError(message, code, detail, status)
    return QboError(message, code, detail, status)


def from_library(exc: Exception) -> QboError:
    """Translate a python-quickbooks exception into our classes."""
    if isinstance(exc, QboError):
        return exc
    raw_code = getattr(exc, "error_code", None)
    try:
        code = int(raw_code) if raw_code not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    message, detail = str(getattr(exc, "message", exc)), str(getattr(exc, "detail", ""))
    if code == 401 and type(exc).__name__ == "AuthorizationException":
        return QboAuthError(message, 3200, detail, 401)
    if code == 10000 and "ThrottleExceeded" in message:
        return QboThrottledError(message, 3001, detail, 429)
    return classify(code, message, detail)


def from_fault(fault: dict, status: int | None = None) -> QboError:
    """Exception for a Fault object (e.g. one batch item's)."""
    errors = fault.get("Error") or [{}]
    first = errors[0]
    try:
        code = int(first.get("code")) if first.get("code") not in (None, "") else None
    except (TypeError, ValueError):
        code = None
    return classify(code, first.get("Message", ""), first.get("Detail", ""), status)


def fault_message(body: str) -> str:
    """The first Error's Message of a Fault body QBO sent (JSON), or "" when there is none to read."""
    import json

    try:
        errors = json.loads(body)["Fault"]["Error"]
        return str(errors[0].get("Message") or "")[:300]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
