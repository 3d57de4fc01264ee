"""An in-memory TokenStore (benches, the consent callback's check of fresh tokens); the port and the connection live in
chalicelib/ports/tokens.py (re-exported here for the client layer's callers)."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from ..ports.tokens import QboConnection, TokenConflictError, TokenStore  # noqa: F401 (re-exported)


class InMemoryTokenStore:
    """Same contract in memory (bench, unit tests of callers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, QboConnection] = {}

    def get(self, account_id: str) -> QboConnection | None:
        """Current connection or None."""
        with self._lock:
            return self._items.get(account_id)

    def put(self, conn: QboConnection) -> None:
        """Hold a connection (tokens a code exchange just gave, or a bench's)."""
        with self._lock:
            self._items[conn.account_id] = conn

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Compare-and-swap on version."""
        with self._lock:
            stored = self._items.get(current.account_id)
            if stored is None or stored.version != current.version:
                raise TokenConflictError("QBO connection changed concurrently")
            conn = replace(current, access_token=access_token, refresh_token=refresh_token,
                           access_expires_at=access_expires_at, version=current.version + 1)
            self._items[current.account_id] = conn
            return conn
