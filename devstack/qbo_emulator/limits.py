"""Per-realm throttling (requests/minute, concurrency, batches/minute) and injected faults."""
from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass
class LimitConfig:
    """QBO's documented limits; `enabled=False` switches them off for tests that need volume."""

    enabled: bool = True
    per_minute: int = 500
    concurrent: int = 10
    batch_per_minute: int = 40


@dataclass
class FaultPlan:
    """Faults to inject on API requests of one realm."""

    fail_next: int = 0
    fail_status: int = 503
    latency_ms: int = 0
    drop_after_commit_next: int = 0
    throttle_next: int = 0
    throttle_fraction: float = 0.0
    throttle_xml: bool = False
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def update(self, changes: dict) -> None:
        """Apply a control-API change set."""
        for key, value in changes.items():
            if key.startswith("_") or not hasattr(self, key):
                raise ValueError(f"unknown fault setting {key}")
            setattr(self, key, value)
        if "seed" in changes:
            self._rng = random.Random(changes["seed"])

    def public(self) -> dict:
        """Settings as JSON."""
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class RateLimiter:
    """Sliding one-minute windows on the realm clock plus an in-flight counter."""

    def __init__(self) -> None:
        self.config = LimitConfig()
        self._lock = threading.Lock()
        self._requests: deque[float] = deque()
        self._batches: deque[float] = deque()
        self._in_flight = 0

    def acquire(self, now: float, is_batch: bool) -> bool:
        """Admit a request (caller must `release` when True)."""
        with self._lock:
            cfg = self.config
            if not cfg.enabled:
                self._in_flight += 1
                return True
            for window in (self._requests, self._batches):
                while window and window[0] <= now - 60:
                    window.popleft()
            if (self._in_flight >= cfg.concurrent or len(self._requests) >= cfg.per_minute
                    or (is_batch and len(self._batches) >= cfg.batch_per_minute)):
                return False
            self._requests.append(now)
            if is_batch:
                self._batches.append(now)
            self._in_flight += 1
            return True

    def release(self) -> None:
        """A request finished."""
        with self._lock:
            self._in_flight -= 1

    def reset(self) -> None:
        """Forget the windows (e.g. after changing the limits)."""
        with self._lock:
            self._requests.clear()
            self._batches.clear()
