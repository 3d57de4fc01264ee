"""Deterministic QBO requestids from our own ids, so a retried write replays instead of duplicating."""
from __future__ import annotations

import hashlib

MAX_LEN = 50


def make_request_id(*parts: object) -> str:
    """Stable id (<= 50 chars) for one logical write, e.g. ("create", "CreditMemo", credit_id)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"cc-{digest[:40]}"
