"""The scheduled sweeper (every minute): re-hint stale pending changes, un-park what is due for a retry."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable

from . import queue
from .queue import Hint


def run(now: datetime | None = None, send: Callable[[Iterable[Hint]], None] | None = None):
    """The sweeper Lambda's body; returns the SweepReport (logged by the use case)."""
    from ..services.sync.sweep import sweep

    return sweep(now or datetime.now(timezone.utc), send or queue.send)
