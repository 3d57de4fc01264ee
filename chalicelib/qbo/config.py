"""QBO settings read from the environment when asked (never at import time)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from ..domain.realm_budget import BudgetLimits

PRODUCTION_API = "https://quickbooks.api.intuit.com/v3"
SANDBOX_API = "https://sandbox-quickbooks.api.intuit.com/v3"


@dataclass(frozen=True)
class QboSettings:
    """Where QBO is and how hard to try: environment, credentials, timeouts and retry budget."""

    environment: str = "sandbox"
    api_base: str = SANDBOX_API
    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = ""
    webhook_verifier: str = ""
    minorversion: int = 75
    connect_timeout: float = 3.05
    read_timeout: float = 30.0
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    token_skew_seconds: int = 60

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "QboSettings":
        """Build settings from QBO_* variables (production | sandbox | a discovery-document URL)."""
        env = os.environ if env is None else env
        environment = env.get("QBO_ENVIRONMENT", "sandbox").strip() or "sandbox"
        return cls(
            environment=environment,
            api_base=(env.get("QBO_API_BASE") or default_api_base(environment)).rstrip("/"),
            client_id=env.get("QBO_CLIENT_ID", ""),
            client_secret=env.get("QBO_CLIENT_SECRET", ""),
            redirect_uri=env.get("QBO_REDIRECT_URI", ""),
            webhook_verifier=env.get("QBO_WEBHOOK_VERIFIER", ""),
            minorversion=int(env.get("QBO_MINOR_VERSION", "75")),
            connect_timeout=float(env.get("QBO_CONNECT_TIMEOUT", "3.05")),
            read_timeout=float(env.get("QBO_READ_TIMEOUT", "30")),
            max_attempts=int(env.get("QBO_RETRY_ATTEMPTS", "5")),
            backoff_base=float(env.get("QBO_RETRY_BASE_SECONDS", "0.5")),
            backoff_max=float(env.get("QBO_RETRY_MAX_SECONDS", "20")),
            token_skew_seconds=int(env.get("QBO_TOKEN_SKEW_SECONDS", "60")),
        )


def default_api_base(environment: str) -> str:
    """v3 base URL for an environment; for a discovery URL (emulator) the same host's /v3."""
    lowered = environment.lower()
    if lowered in ("production", "prod"):
        return PRODUCTION_API
    if lowered in ("sandbox", "sand"):
        return SANDBOX_API
    parts = urlsplit(environment)
    return f"{parts.scheme}://{parts.netloc}/v3"


@dataclass(frozen=True)
class BudgetSettings:
    """The realm budget (chalicelib/qbo/budget.py): on unless QBO_REALM_BUDGET=off, and the limits it keeps."""

    enabled: bool
    limits: BudgetLimits

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "BudgetSettings":
        """QBO_REALM_BUDGET (on | off) and QBO_BUDGET_* (defaults: Intuit's limits; see README, "Realm budget")."""
        env = os.environ if env is None else env
        base = BudgetLimits()

        def number(name: str, default: float, kind: type = int) -> Any:
            raw = env.get(f"QBO_BUDGET_{name}", "").strip()
            return kind(raw) if raw else default

        limits = BudgetLimits(
            requests_per_minute=number("REQUESTS_PER_MINUTE", base.requests_per_minute),
            batches_per_minute=number("BATCHES_PER_MINUTE", base.batches_per_minute),
            in_flight=number("IN_FLIGHT", base.in_flight), burst=number("BURST", base.burst),
            block=number("BLOCK", base.block), hold=number("HOLD_SECONDS", base.hold, float),
            margin=number("MARGIN_SECONDS", base.margin, float), lease=number("LEASE_SECONDS", base.lease, float),
            slow_for=number("SLOW_SECONDS", base.slow_for, float))
        return cls(env.get("QBO_REALM_BUDGET", "on").strip().lower() not in ("off", "0", "false", "no"), limits)
