"""The scheduled sweepers: every minute, re-hint stale pending changes and un-park what is due for a retry; every few
minutes, a pull hint for every connected realm (the CDC sweep that catches what webhooks missed)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable

from . import queue
from .queue import Hint


def run(now: datetime | None = None, send: Callable[[Iterable[Hint]], None] | None = None):
    """The sweeper Lambda's body; returns the SweepReport (logged by the use case)."""
    from ..services.sync.sweep import sweep

    return sweep(now or datetime.now(timezone.utc), send or queue.send)


def run_cdc(now: datetime | None = None, send: Callable[[Iterable[Hint]], None] | None = None) -> list[str]:
    """The CDC sweep Lambda's body: one pull hint per connected realm; answers the realms hinted."""
    from ..services.sync.pull import send_sweep_hints

    return send_sweep_hints(now or datetime.now(timezone.utc), send=send or queue.send)
