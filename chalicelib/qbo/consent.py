"""OAuth consent pieces of the client layer: Intuit's authorization URL with a signed `state`, and token revocation.

`state` is a short JWT (HS256, the service's secret, `purpose` claim so no bearer token can pass for one): it names
the account, the user and a one-time nonce, and expires after 10 minutes. The nonce's single use is enforced in
the store (chalicelib/store/oauth_states.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from .. import config
from .auth import build_auth_client
from .config import QboSettings

STATE_PURPOSE = "qbo-connect"
STATE_TTL_SECONDS = 600


class CodeRefused(Exception):
    """Intuit refused to exchange the authorization code (expired, used, or for another redirect URI)."""


class InvalidState(Exception):
    """The callback's `state` is forged, expired or not ours."""


@dataclass(frozen=True)
class ConsentState:
    account_id: str
    user_id: str
    nonce: str
    expires_at: int
    staff: bool = False  # started by a support teammate (their token's staff claim)


def sign_state(account_id: str, user_id: str, nonce: str, *, staff: bool = False, now: int | None = None) -> str:
    """The `state` of one consent: account, user, nonce, 10 minutes."""
    issued = int(time.time() if now is None else now)
    claims = {"staff": staff, "purpose": STATE_PURPOSE, "account_id": account_id, "sub": user_id, "nonce": nonce,
              "iat": issued, "exp": issued + STATE_TTL_SECONDS}
    return jwt.encode(claims, config.jwt_secret(), algorithm="HS256")


def read_state(token: str) -> ConsentState:
    """Verify signature, expiry (no leeway) and purpose; InvalidState otherwise."""
    try:
        claims = jwt.decode(token or "", config.jwt_secret(), algorithms=["HS256"],
                            options={"require": ["exp", "sub", "nonce", "account_id", "purpose"]})
    except jwt.PyJWTError as error:
        raise InvalidState(str(error)) from None
    if claims.get("purpose") != STATE_PURPOSE or not all(
            isinstance(claims.get(k), str) and claims[k] for k in ("sub", "nonce", "account_id")):
        raise InvalidState("not a connect state")
    return ConsentState(claims["account_id"], claims["sub"], claims["nonce"], int(claims["exp"]),
                        claims.get("staff") is True)


def authorization_url(state: str, settings: QboSettings | None = None) -> str:
    """Intuit's consent URL (from the discovery document's authorization_endpoint) for the accounting scope."""
    from intuitlib.enums import Scopes

    return build_auth_client(settings or QboSettings.from_env()).get_authorization_url([Scopes.ACCOUNTING],
                                                                                      state_token=state)


def exchange_code(code: str, realm_id: str, settings: QboSettings | None = None) -> Any:
    """The AuthClient after exchanging the code (access_token, refresh_token, expires_in)."""
    from intuitlib.exceptions import AuthClientError

    auth = build_auth_client(settings or QboSettings.from_env(), realm_id=realm_id)
    try:
        auth.get_bearer_token(code, realm_id=realm_id)
    except AuthClientError as error:
        raise CodeRefused(f"status {error.status_code}") from error
    return auth


def revoke(refresh_token: str, settings: QboSettings | None = None) -> bool:
    """Revoke a refresh token (and its access tokens) at Intuit; False when Intuit could not be told."""
    auth = build_auth_client(settings or QboSettings.from_env())
    try:
        return bool(auth.revoke(token=refresh_token))
    except Exception:  # AuthClientError or a network failure: the caller drops the tokens anyway
        return False
