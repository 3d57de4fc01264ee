"""OAuth consent pieces of the client layer: Intuit's authorization URL with a signed `state`, the code exchange, the
proof that the new token opens the company it claims, and token revocation.

`state` is a short JWT (HS256) signed with a key of its own, derived from the service secret under a label
(`_state_key`): a login token never passes for a state, and a state is never a login (DESIGN §4). It names the
account, the user and a one-time nonce, and expires after 10 minutes. The nonce's single use is enforced in the
store (chalicelib/store/oauth_states.py).
"""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt

from .. import config
from .auth import TokenManager, build_auth_client
from .config import QboSettings
from .errors import QboAuthError, QboError, QboTransientError
from .tokens import InMemoryTokenStore, QboConnection

STATE_PURPOSE = "qbo-connect"
STATE_TTL_SECONDS = 600
STATE_KEY_LABEL = b"credits-service/oauth-state/v1"


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


class QboUnreachable(Exception):
    """QBO could not be asked (outage, throttle, timeout): nothing can be decided now."""


def _state_key() -> bytes:
    """The states' own signing key: HMAC-SHA256 of a label under the service secret, so the login secret itself never
    signs a state (domain separation; rotating JWT_SECRET rotates both)."""
    return hmac.new(config.jwt_secret().encode(), STATE_KEY_LABEL, hashlib.sha256).digest()


def sign_state(account_id: str, user_id: str, nonce: str, *, staff: bool = False, now: int | None = None) -> str:
    """The `state` of one consent: account, user, nonce, 10 minutes."""
    issued = int(time.time() if now is None else now)
    claims = {"staff": staff, "purpose": STATE_PURPOSE, "account_id": account_id, "sub": user_id, "nonce": nonce,
              "iat": issued, "exp": issued + STATE_TTL_SECONDS}
    return jwt.encode(claims, _state_key(), algorithm="HS256")


def read_state(token: str) -> ConsentState:
    """Verify signature, expiry (no leeway) and purpose; InvalidState otherwise."""
    try:
        claims = jwt.decode(token or "", _state_key(), algorithms=["HS256"],
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


@dataclass(frozen=True)
class ExchangedTokens:
    """What Intuit gave for an authorization code."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime


def exchange(code: str, realm_id: str, settings: QboSettings | None = None) -> ExchangedTokens:
    """Exchange the code; CodeRefused when Intuit will not."""
    auth = exchange_code(code, realm_id, settings)
    return ExchangedTokens(auth.access_token, auth.refresh_token,
                           datetime.now(timezone.utc) + timedelta(seconds=int(auth.expires_in or 3600)))


class _NewTokens(TokenManager):
    """The tokens a code exchange just gave, never refreshed: a refused read means they do not open the realm."""

    def refresh(self, used_access_token: str) -> QboConnection:
        raise QboAuthError("the new token was refused")


def opens_realm(tokens: ExchangedTokens, realm_id: str, settings: QboSettings | None = None) -> bool:
    """Whether the token opens `realm_id`: reads its CompanyInfo, the first read QBO apps make after connecting.

    False when QBO refuses it (401/403: the token is another company's) or has no such company; QboUnreachable when
    QBO could not be asked (the caller stores nothing and asks the user to try again)."""
    from .client import build_client

    settings = replace(settings or QboSettings.from_env(), max_attempts=2)
    store = InMemoryTokenStore()
    store.put(QboConnection("consent", realm_id, tokens.access_token, tokens.refresh_token,
                            tokens.access_expires_at, 1))
    client = build_client("consent", settings=settings, store=store, tokens=_NewTokens("consent", store, settings))
    try:
        client.read("CompanyInfo", realm_id)  # QBO answers the company's settings only to a token of that company
    except QboTransientError as error:
        raise QboUnreachable(str(error)) from error
    except QboError:
        return False
    return True


def revoke(refresh_token: str, settings: QboSettings | None = None, *, realm_id: str | None = None) -> bool:
    """Revoke a refresh token (and its access tokens) at Intuit; False when Intuit could not be told. `realm_id`:
    the company they opened, whose budget the call spends."""
    auth = build_auth_client(settings or QboSettings.from_env(), realm_id=realm_id)
    try:
        return bool(auth.revoke(token=refresh_token))
    except Exception:  # AuthClientError or a network failure: the caller drops the tokens anyway
        return False
