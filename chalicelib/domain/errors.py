"""Named domain errors; each carries the API error code and HTTP status it maps to."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the request."""

    code = "domain_error"
    status = 409

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class CreditsDisabled(Forbidden):
    code = "credits_disabled"


class InvalidInput(DomainError):
    code = "invalid_request"
    status = 400


class Conflict(DomainError):
    code = "conflict"
    status = 409


class CreditBelowUsed(Conflict):
    code = "credit_below_used"


class CreditAlreadyUsed(Conflict):
    code = "credit_already_used"


class CreditNotActive(Conflict):
    code = "credit_not_active"


class OverpaymentCreditImmutable(Conflict):
    code = "overpayment_credit_immutable"
