"""HTTP status at the edge: errors carry a code, this table says which status each kind of error is answered with.

Lookup walks the error's class hierarchy, most specific first (as Powertools' exception handlers do), so a new
subclass of NotFound, Forbidden, InvalidInput or Conflict gets its base's status without an entry here.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from ..domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unavailable
from .auth import Unauthenticated
from .idempotency import IdempotencyInProgress, IdempotencyKeyReused


class UnsupportedMediaType(DomainError):
    """A body sent as anything but JSON (Chalice's own 415 has another shape, so the routes answer it)."""

    code = "unsupported_media_type"


# DynamoDB's answers when a table or the account is over its capacity (botocore has retried them already).
THROTTLE_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
RETRY_AFTER_SECONDS = 1


class Throttled(Unavailable):
    """DynamoDB kept throttling past botocore's retries: nothing was decided, the client may retry shortly."""

    code = "throttled"


def throttled(error: BaseException) -> Throttled | None:
    """A Throttled for an error caused by a DynamoDB throttle, found through its chain (PynamoDB wraps ClientError)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ClientError) and current.response.get("Error", {}).get("Code") in THROTTLE_CODES:
            return Throttled("the database is busy; retry the request shortly",
                             details={"retry_after_seconds": RETRY_AFTER_SECONDS})
        pending += [current.__cause__, current.__context__, getattr(current, "cause", None)]
    return None


STATUS_BY_ERROR: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    Unavailable: 503,
    IdempotencyKeyReused: 422,
    IdempotencyInProgress: 409,
    UnsupportedMediaType: 415,
    InvalidInput: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    DomainError: 409,
}


def headers_for(error: DomainError) -> dict[str, str]:
    """Headers an error's answer carries besides the body (a throttle says when to come back)."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(error, Throttled) else {}


def status_for(error: DomainError) -> int:
    """The status of the nearest class in the error's hierarchy that has an entry."""
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    raise TypeError(f"{type(error).__name__} is not a DomainError")
