"""Named domain errors, each with its API error code; which HTTP status it gets is decided at the edge
(chalicelib/api/errors.py), so the domain knows nothing of HTTP.
"""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request."""

    code = "domain_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class CreditsDisabled(Forbidden):
    code = "credits_disabled"


class Unavailable(DomainError):
    """Something the request needs is down for now (a queue, a dependency): try again later."""

    code = "unavailable"


class InvalidInput(DomainError):
    code = "invalid_request"


class Conflict(DomainError):
    code = "conflict"


class CreditBelowUsed(Conflict):
    code = "credit_below_used"


class CreditAlreadyUsed(Conflict):
    code = "credit_already_used"


class CreditNotActive(Conflict):
    code = "credit_not_active"


class OverpaymentCreditImmutable(Conflict):
    code = "overpayment_credit_immutable"
