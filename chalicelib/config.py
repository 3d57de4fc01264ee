"""Runtime configuration, read from the environment each time it is asked for.

Chalice applies stage environment variables per invocation, so nothing here is cached at import.
"""
from __future__ import annotations

import os

DEV_JWT_SECRET = "dev-only-jwt-secret-never-use-in-production"


def table_name() -> str:
    """Name of the single DynamoDB table holding every item of every account."""
    return os.environ.get("CREDITS_TABLE", "credits-dev")


def dynamodb_endpoint() -> str | None:
    """DynamoDB endpoint URL; unset means real AWS (the deployed default)."""
    return os.environ.get("DYNAMODB_ENDPOINT") or None


def aws_region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"


class MissingSecret(RuntimeError):
    """JWT_SECRET is unset outside a local run: refuse every token rather than trust a public default."""


def jwt_secret() -> str:
    """HS256 secret for bearer tokens; the documented dev default applies only where LOCAL_DEV=1 says so."""
    secret = os.environ.get("JWT_SECRET")
    if secret:
        return secret
    if os.environ.get("LOCAL_DEV") == "1":
        return DEV_JWT_SECRET
    raise MissingSecret("JWT_SECRET is not configured")


def idempotency_ttl_seconds() -> int:
    return int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", str(24 * 3600)))


PUSH_SLICE_DEFAULT = 30  # objects: one batch request of new credits (bench/tenants.py chose it; README, fairness)


def push_slice() -> int:
    """SYNC_PUSH_SLICE: how many pending objects one queued push run of an account takes before it hands the rest
    back to the queue (so one account's backlog never holds a worker for long)."""
    return int(os.environ.get("SYNC_PUSH_SLICE") or PUSH_SLICE_DEFAULT)
