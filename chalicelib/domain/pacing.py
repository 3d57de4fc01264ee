"""QBO's per-realm limits (qbo-reference: 500 requests/min, 40 batch requests/min, 10 in flight) as a pacing rule:
when may the next request go, given when the last ones went. Pure: the caller passes the clock."""
from __future__ import annotations

from dataclasses import dataclass

REQUESTS_PER_MINUTE = 500
BATCHES_PER_MINUTE = 40
BATCH_ITEMS = 30
Seconds = float  # clock readings and spans in seconds (never money)


@dataclass
class Pacer:
    """Spaces requests evenly: a batch every 60/40 s, any request every 60/500 s (a sequential worker keeps one in
    flight, well inside the 10 allowed). Even spacing never bursts past a sliding-minute window either."""

    next_request_at: Seconds = 0.0
    next_batch_at: Seconds = 0.0
    requests_per_minute: int = REQUESTS_PER_MINUTE
    batches_per_minute: int = BATCHES_PER_MINUTE

    def wait(self, now: Seconds, *, batch: bool) -> Seconds:
        """Seconds to wait before sending a request (a batch or a single one) at `now`."""
        earliest = max(self.next_request_at, self.next_batch_at if batch else 0.0)
        return max(0.0, earliest - now)

    def sent(self, at: Seconds, *, batch: bool) -> None:
        """Record a request sent at `at`."""
        self.next_request_at = at + 60.0 / self.requests_per_minute
        if batch:
            self.next_batch_at = at + 60.0 / self.batches_per_minute


def floor_seconds(batches: int, singles: int) -> Seconds:
    """The least time QBO's limits allow for this many batch and single requests (the bench's yardstick)."""
    return max(batches * 60.0 / BATCHES_PER_MINUTE, (batches + singles) * 60.0 / REQUESTS_PER_MINUTE)
