"""HTTP status at the edge: errors carry a code, this table says which status each kind of error is answered with.

Lookup walks the error's class hierarchy, most specific first (as Powertools' exception handlers do), so a new
subclass of NotFound, Forbidden, InvalidInput or Conflict gets its base's status without an entry here.
"""
from __future__ import annotations

from ..domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unavailable
from .auth import Unauthenticated
from .idempotency import IdempotencyInProgress, IdempotencyKeyReused


class UnsupportedMediaType(DomainError):
    """A body sent as anything but JSON (Chalice's own 415 has another shape, so the routes answer it)."""

    code = "unsupported_media_type"


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


def status_for(error: DomainError) -> int:
    """The status of the nearest class in the error's hierarchy that has an entry."""
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    raise TypeError(f"{type(error).__name__} is not a DomainError")
