"""Identifiers and timestamps: ULIDs sort by creation time, timestamps are UTC ISO 8601."""
from __future__ import annotations

from datetime import datetime, timezone

from ulid import ULID

from ..domain.pacing import Seconds


def new_id() -> str:
    return str(ULID())


def utc_now() -> str:
    """Current time as 2026-11-26T07:33:49.123456Z (the only clock read outside the devstack)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(timestamp: str) -> datetime:
    """A stored timestamp as an aware UTC datetime (ours end in Z; one without a zone is UTC too)."""
    value = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def seconds_since(timestamp: str, now: datetime) -> Seconds:
    """How long before `now` (the caller's clock reading) a stored UTC timestamp lies: the age of a pending change,
    of a failure, of a report."""
    return (now - parse_utc(timestamp)).total_seconds()
