"""Controllable clock so tests can expire tokens and roll rate-limit windows without sleeping."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall clock plus an adjustable offset; can be frozen at a fixed instant."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = None

    def timestamp(self) -> float:
        """Current emulator time as POSIX seconds."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return time.time() + self._offset

    def now(self) -> datetime:
        """Current emulator time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), tz=timezone.utc)

    def set(self, when: datetime) -> None:
        """Jump to an absolute instant (keeps running unless frozen)."""
        target = when.timestamp()
        with self._lock:
            if self._frozen is not None:
                self._frozen = target
            else:
                self._offset = target - time.time()

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back with a negative value)."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds

    def freeze(self, frozen: bool) -> None:
        """Stop or restart the clock at its current reading."""
        current = self.timestamp()
        with self._lock:
            if frozen:
                self._frozen = current
            elif self._frozen is not None:
                self._offset = self._frozen - time.time()
                self._frozen = None


def iso(dt: datetime) -> str:
    """QBO style timestamp: seconds precision with an explicit offset."""
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """Parse a QBO timestamp or date; naive values are taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


__all__ = ["Clock", "iso", "parse_iso", "timedelta"]
