"""Bearer JWT (HS256) to Principal: who is calling, for which account, with which permissions."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType

from .. import config
from ..domain.errors import DomainError, Forbidden
from ..domain.permissions import ALL_PERMISSIONS, Principal
from ..domain.settings import AccountSettings
from ..domain.sync_modes import synced_kinds
from ..store.accounts import connection_of, load_membership, settings_of


def _import_pyjwt_for_hmac() -> ModuleType:
    """PyJWT without its `cryptography` backend, unless something already loaded it: ≈ 25-50 ms of every cold start.

    Our tokens and OAuth states are HS256, which PyJWT does with the standard library's hmac. PyJWT imports
    `cryptography` (for RSA/EC keys) whenever it is installed, and it is: intuit-oauth requires pyjwt[crypto] and
    shares the Lambda zip. Hiding it while PyJWT's algorithms module loads leaves PyJWT with the HMAC algorithms only
    (its documented `has_crypto = False` mode); `cryptography` itself imports normally afterwards (token sealing).
    What this gives up in this process: RS256/ES256 through PyJWT, which only intuit-oauth's OpenID id_token check
    uses, and we never ask for the `openid` scope (qbo/consent.py asks for accounting only).
    """
    if "jwt" in sys.modules or "cryptography" in sys.modules:
        import jwt
        return jwt
    sys.modules["cryptography"] = None  # type: ignore[assignment]  # import system: ModuleNotFoundError
    try:
        import jwt
    finally:
        if sys.modules.get("cryptography", ...) is None:
            del sys.modules["cryptography"]
    return jwt


jwt = _import_pyjwt_for_hmac()

# Clocks of the identity service and of Lambda drift apart a little: a token minted "in the future" by up to this
# many seconds (iat, nbf) is fine, and exp gets the same grace, as RFC 7519 §4.1.4-5 allow.
CLOCK_SKEW_LEEWAY_SECONDS = 60


class Unauthenticated(DomainError):
    code = "unauthenticated"


def decode_token(header: str | None) -> dict:
    """Verify signature and expiry of a login token; any problem is a 401 that says which. Only login tokens pass
    (DESIGN §4): an OAuth `state` is signed with a key of its own and carries a `purpose`, refused either way."""
    if not header or not header.startswith("Bearer "):
        raise Unauthenticated("send Authorization: Bearer <token>")
    try:
        claims = jwt.decode(header[len("Bearer "):].strip(), config.jwt_secret(), algorithms=["HS256"],
                            options={"require": ["sub", "exp"]}, leeway=CLOCK_SKEW_LEEWAY_SECONDS)
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"the token is not valid: {error}") from None
    if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("account_id", ""), str):
        raise Unauthenticated("the token's sub and account_id claims must be strings")
    if "purpose" in claims:  # something else the service signs (an OAuth state has a key of its own as well)
        raise Unauthenticated("the token is not a login token")
    return claims


@dataclass(frozen=True)
class Caller:
    """Who calls, and the settings of their account as read while authenticating (no second read)."""

    principal: Principal
    settings: AccountSettings | None


def authenticate(header: str | None, *, account_optional: bool = False) -> Caller:
    """The caller's principal; staff act with every permission in the account their token names."""
    claims = decode_token(header)
    staff = claims.get("staff") is True
    account_id = claims.get("account_id")
    if not account_id:
        if staff and account_optional:
            return Caller(Principal(claims["sub"], "", ALL_PERMISSIONS, staff=True), None)
        raise Unauthenticated("the token names no account_id")
    membership = load_membership(account_id, claims["sub"])
    if membership is None:
        raise Forbidden("the token's account does not exist", code="unknown_account")
    if membership.role_id is None and not staff:
        raise Forbidden("you are not a user of this account", code="not_a_member")
    settings = settings_of(membership.account)
    principal = Principal(claims["sub"], account_id, ALL_PERMISSIONS if staff else membership.permissions,
                          staff=staff, credits_enabled=settings.credits_enabled,
                          sync_kinds=synced_kinds(settings.qbo_credit_sync, connection_of(membership.account)))
    return Caller(principal, settings)
