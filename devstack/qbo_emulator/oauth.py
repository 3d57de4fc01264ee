"""OAuth 2.0 clients, authorization codes and rotating tokens, timed by each realm's clock."""
from __future__ import annotations

import base64
import copy
import secrets
import threading
from dataclasses import dataclass
from typing import Callable

ACCESS_TTL = 3600
REFRESH_TTL = 8726400  # 101 days, rolling
DEFAULT_REDIRECT_URI = "http://localhost/callback"
CODE_TTL = 600  # authorization codes: single use, 10 minutes on the realm's clock


class OAuthError(Exception):
    """Token endpoint error: HTTP status plus an OAuth `error` code."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


class UnknownClientError(KeyError):
    """No OAuth client with that id is registered."""


@dataclass
class _Code:
    client_id: str
    realm_id: str
    expires_at: float
    redirect_uri: str | None  # the consent step's redirect_uri, which the token request must repeat


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
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, tuple[str, str, float]] = {}
        self._refresh: dict[str, _Refresh] = {}

    def add_client(self, client_id: str | None = None, client_secret: str | None = None,
                   redirect_uri: str | None = None) -> dict:
        """Register (or return) an OAuth client; `redirect_uri` is added to its registered redirect URIs.

        `redirect_uri` in the answer is the client's first one (what older control-API users read).
        """
        with self._lock:
            client_id = client_id or "client-" + secrets.token_hex(6)
            if client_id not in self.clients:
                first = redirect_uri or DEFAULT_REDIRECT_URI
                self.clients[client_id] = {"client_id": client_id,
                                           "client_secret": client_secret or secrets.token_hex(16),
                                           "redirect_uri": first, "redirect_uris": [first]}
            return self._add_redirect_uris(client_id, [redirect_uri] if redirect_uri else [])

    def register_redirect_uris(self, client_id: str, uris: list[str]) -> dict:
        """Add redirect URIs to an existing client (as in the app's settings on developer.intuit.com)."""
        if not isinstance(uris, list) or not all(isinstance(u, str) and u for u in uris):
            raise ValueError("redirect_uris must be a list of non-empty strings")
        with self._lock:
            if client_id not in self.clients:
                raise UnknownClientError(client_id)
            return self._add_redirect_uris(client_id, uris)

    def client(self, client_id: str) -> dict:
        """A copy of a registered client, or UnknownClientError."""
        with self._lock:
            if client_id not in self.clients:
                raise UnknownClientError(client_id)
            return copy.deepcopy(self.clients[client_id])

    def _add_redirect_uris(self, client_id: str, uris: list[str]) -> dict:
        client = self.clients[client_id]
        for uri in uris:
            if uri not in client["redirect_uris"]:
                client["redirect_uris"].append(uri)
        return copy.deepcopy(client)

    def new_code(self, client_id: str, realm_id: str, redirect_uri: str | None = None) -> str:
        """Authorization code as the consent screen hands back: single use, expires after CODE_TTL seconds."""
        code = "code-" + secrets.token_hex(8)
        expires_at = self._clock_for(realm_id) + CODE_TTL
        with self._lock:
            self._codes[code] = _Code(client_id, realm_id, expires_at, redirect_uri)
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
                code = self._codes.pop(form.get("code", ""), None)  # single use, even when refused below
            if (code is None or code.client_id != client_id or code.expires_at <= self._clock_for(code.realm_id)
                    or (code.redirect_uri is not None and form.get("redirect_uri") != code.redirect_uri)):
                raise OAuthError(400, "invalid_grant")
            return self.issue(client_id, code.realm_id)
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
