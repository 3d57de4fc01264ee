"""Minting login tokens (HS256 with JWT_SECRET): for the dev stack, tests, benches and the support CLI; production
tokens come from the platform's identity service. Verifying them is the API's job (chalicelib/api/auth.py)."""
from __future__ import annotations

import time

from . import config


def issue_token(sub: str, account_id: str | None = None, *, staff: bool = False, ttl_seconds: int = 86400,
                now: int | None = None) -> str:
    """A login token for `sub` in `account_id` (a staff token, a vendor teammate, when `staff`)."""
    import jwt  # the API's HMAC-only PyJWT when the API loaded it first (api/auth.py), the plain one elsewhere

    issued = int(now if now is not None else time.time())
    claims: dict = {"sub": sub, "iat": issued, "exp": issued + ttl_seconds}
    if account_id:
        claims["account_id"] = account_id
    if staff:
        claims["staff"] = True
    return jwt.encode(claims, config.jwt_secret(), algorithm="HS256")
