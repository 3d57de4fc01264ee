"""OAuth 2.0 clients, authorization codes and rotating tokens, timed by each realm's clock."""
from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass
from typing import Callable

ACCESS_TTL = 3600
REFRESH_TTL = 8726400  # 101 days, rolling


class OAuthError(Exception):
    """Token endpoint error: HTTP status plus an OAuth `error` code."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


@dataclass
class _Refresh:
    client_id: str
    realm_id: str
    expires_at: float
    predecessor: str | None = None
    valid: bool = True


class OAuthRegistry:
    """Clients and tokens; `clock_for(realm)` gives the POSIX time of that realm's clock."""

    def __init__(self, clock_for: Callable[[str], float]) -> None:
        self._clock_for = clock_for
        self._lock = threading.Lock()
        self.clients: dict[str, dict] = {}
        self._codes: dict[str, tuple[str, str]] = {}
        self._access: dict[str, tuple[str, str, float]] = {}
        self._refresh: dict[str, _Refresh] = {}

    def add_client(self, client_id: str | None = None, client_secret: str | None = None,
                   redirect_uri: str = "http://localhost/callback") -> dict:
        """Register (or return) an OAuth client."""
        with self._lock:
            client_id = client_id or "client-" + secrets.token_hex(6)
            if client_id not in self.clients:
                self.clients[client_id] = {"client_id": client_id,
                                           "client_secret": client_secret or secrets.token_hex(16),
                                           "redirect_uri": redirect_uri}
            return dict(self.clients[client_id])

    def new_code(self, client_id: str, realm_id: str) -> str:
        """Authorization code as the consent screen would hand back."""
        code = "code-" + secrets.token_hex(8)
        with self._lock:
            self._codes[code] = (client_id, realm_id)
        return code

    def issue(self, client_id: str, realm_id: str, predecessor: str | None = None) -> dict:
        """New access+refresh pair (the token endpoint answer)."""
        now = self._clock_for(realm_id)
        access, refresh = "at-" + secrets.token_hex(16), "rt-" + secrets.token_hex(16)
        with self._lock:
            self._access[access] = (client_id, realm_id, now + ACCESS_TTL)
            self._refresh[refresh] = _Refresh(client_id, realm_id, now + REFRESH_TTL, predecessor)
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer",
                "expires_in": ACCESS_TTL, "x_refresh_token_expires_in": REFRESH_TTL}

    def authenticate_client(self, header: str | None) -> str:
        """Client id from a Basic Authorization header, or 401 invalid_client."""
        try:
            scheme, value = (header or "").split(" ", 1)
            client_id, secret = base64.b64decode(value).decode().split(":", 1)
        except (ValueError, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client") from None
        client = self.clients.get(client_id)
        if scheme.lower() != "basic" or client is None or not secrets.compare_digest(client["client_secret"], secret):
            raise OAuthError(401, "invalid_client")
        return client_id

    def grant(self, client_id: str, form: dict[str, str]) -> dict:
        """Handle the token endpoint for authorization_code and refresh_token grants."""
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self._lock:
                entry = self._codes.pop(form.get("code", ""), None)
            if entry is None or entry[0] != client_id:
                raise OAuthError(400, "invalid_grant")
            return self.issue(client_id, entry[1])
        if grant_type == "refresh_token":
            token = form.get("refresh_token", "")
            with self._lock:
                entry = self._refresh.get(token)
                if (entry is None or not entry.valid or entry.client_id != client_id
                        or entry.expires_at <= self._clock_for(entry.realm_id)):
                    raise OAuthError(400, "invalid_grant")
                # using a token retires the one it replaced: old refresh tokens die once the new one is used
                if entry.predecessor and entry.predecessor in self._refresh:
                    self._refresh[entry.predecessor].valid = False
            return self.issue(client_id, entry.realm_id, predecessor=token)
        raise OAuthError(400, "unsupported_grant_type")

    def revoke(self, client_id: str, token: str) -> None:
        """Revoke the whole grant (all tokens of that client and realm) the token belongs to."""
        with self._lock:
            realm = None
            if token in self._refresh:
                realm = self._refresh[token].realm_id
            elif token in self._access:
                realm = self._access[token][1]
            if realm is None:
                return
            for tok, entry in list(self._refresh.items()):
                if entry.realm_id == realm and entry.client_id == client_id:
                    entry.valid = False
            for tok, (cid, rid, _) in list(self._access.items()):
                if rid == realm and cid == client_id:
                    del self._access[tok]

    def check_access(self, token: str, realm_id: str) -> str | None:
        """Client id if the bearer token is valid for this realm right now, else None."""
        with self._lock:
            entry = self._access.get(token)
        if entry is None or entry[1] != realm_id or entry[2] <= self._clock_for(realm_id):
            return None
        return entry[0]
