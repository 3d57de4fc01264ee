"""One JSON response shape for success and one for errors."""
from __future__ import annotations

import json
from typing import Any

from chalice import Response

from ..domain.errors import DomainError
from .errors import headers_for, status_for

JSON_HEADERS = {"Content-Type": "application/json"}


def error_payload(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = "" if payload is None else json.dumps(payload, separators=(",", ":"))
    return Response(body=body, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    return json_response(status, error_payload(code, message, details))


def domain_error_response(error: DomainError) -> Response:
    """The one error shape, with the status the edge maps this kind of error to."""
    return json_response(status_for(error), error_payload(error.code, error.message, error.details),
                         headers_for(error))
