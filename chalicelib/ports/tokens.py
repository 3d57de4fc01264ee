"""The QBO token storage port: the connection, the TokenStore protocol the client layer needs, and the store the
bootstrap plugs in (chalicelib/store/qbo_connections.py's DynamoTokenStore, deployed and local). A connection is
stored only by the consent callback (chalicelib/services/sync/connection.py), never through this port.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from .wiring import NotWired, Plug  # noqa: F401 (NotWired: the error its callers may meet)


@dataclass(frozen=True)
class QboConnection:
    """One account's link to a QBO company."""

    account_id: str
    realm_id: str
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    version: int


class TokenConflictError(Exception):
    """Someone else wrote the connection first (their tokens are newer)."""


class TokenStore(Protocol):
    """What the client layer needs from token storage."""

    def get(self, account_id: str) -> QboConnection | None: ...

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection: ...


_plug: Plug[TokenStore] = Plug("token store")


def wire(factory: Callable[[], TokenStore]) -> None:
    _plug.wire(factory)


def token_store() -> TokenStore:
    """The wired token store (made when first asked for: the API Lambda pays nothing for it at import)."""
    return _plug.get()
