"""OAuth side of the client layer: AuthClient construction and race-safe token refresh."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from ..ports.tokens import QboConnection, TokenConflictError, TokenStore
from .config import QboSettings
from .errors import QboAuthError, QboNotConnectedError


def utcnow() -> datetime:
    """Aware UTC now (injectable in tests)."""
    return datetime.now(timezone.utc)


def build_auth_client(settings: QboSettings, access_token: str | None = None, refresh_token: str | None = None,
                      realm_id: str | None = None) -> Any:
    """intuit-oauth AuthClient for production, sandbox or an emulator discovery URL, with request timeouts."""
    from intuitlib.client import AuthClient

    timeout = (settings.connect_timeout, settings.read_timeout)

    class _TimeoutAuthClient(AuthClient):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            return super().request(*args, **kwargs)

    return _TimeoutAuthClient(settings.client_id, settings.client_secret, settings.redirect_uri,
                              settings.environment, access_token=access_token, refresh_token=refresh_token,
                              realm_id=realm_id)


class TokenManager:
    """Holds one account's tokens; refreshes them so concurrent workers never lose the newest refresh token."""

    def __init__(self, account_id: str, store: TokenStore, settings: QboSettings,
                 now: Callable[[], datetime] = utcnow) -> None:
        self.account_id = account_id
        self.store = store
        self.settings = settings
        self.now = now
        self.refreshes = 0
        self._lock = threading.Lock()
        self._conn: QboConnection | None = None
        self._auth: Any = None

    def current(self) -> QboConnection:
        """Connection in use (loaded from the store on first call)."""
        if self._conn is None:
            self._conn = self._load()
        return self._conn

    def expiring(self, conn: QboConnection) -> bool:
        """True when the access token is (nearly) expired by our clock."""
        return conn.access_expires_at - timedelta(seconds=self.settings.token_skew_seconds) <= self.now()

    def refresh(self, used_access_token: str) -> QboConnection:
        """Get a working access token after `used_access_token` expired or was refused."""
        with self._lock:
            latest = self._load()
            if latest.access_token != used_access_token and not self.expiring(latest):
                self._conn = latest  # another worker already refreshed
                return latest
            auth = self._auth_client()
            try:
                auth.refresh(refresh_token=latest.refresh_token)
            except Exception as exc:  # AuthClientError; maybe someone rotated under us
                again = self._load()
                if again.version != latest.version:
                    self._conn = again
                    return again
                raise QboAuthError("QBO token refresh failed; the account must reconnect",
                                   status=getattr(exc, "status_code", None)) from exc
            expires = self.now() + timedelta(seconds=int(auth.expires_in or 3600))
            try:
                self._conn = self.store.rotate(latest, auth.access_token, auth.refresh_token, expires)
                self.refreshes += 1
            except TokenConflictError:
                self._conn = self._load()  # the other writer's tokens win; ours are simply unused
            return self._conn

    def _load(self) -> QboConnection:
        conn = self.store.get(self.account_id)
        if conn is None:
            raise QboNotConnectedError(f"account {self.account_id} has no QBO connection")
        return conn

    def _auth_client(self) -> Any:
        if self._auth is None:
            self._auth = build_auth_client(self.settings, realm_id=self.current().realm_id)
        return self._auth
