"""One QBO company's request budget, shared by every process that calls it: the arithmetic, pure (time passed in).

QBO limits a company (realm), not a process: 500 requests and 40 batch requests in any sliding minute, 10 in flight.
Each per-minute limit is a stream of cells on the realm's timeline, kept as a "theoretical arrival time" (`tat`,
GCRA): a process takes a block of request cells at once (one write for many requests) and may send one request per
cell, from the cell's start until `window` after it. Cells never overlap, so however many processes take blocks, no
sliding minute sees more arrivals than the cells that start within it and its window: the interval is chosen so that
stays within the limit (`request_interval`). An idle realm lets `burst` requests go at once; a busy one hands out
future cells, so a process waits its turn instead of meeting a 429.

A batch request takes one batch cell and, at the very same instant, one request cell (a batch is a request too):
the take starts both streams at the later of the two (and now), so a batch is counted exactly where it goes.

In flight: each process holds a lease (a slot) per request it may have in flight at once, with an expiry so a
crashed Lambda's slot lapses; at most `in_flight` slots exist. A 429 still backs off, and the realm learns from it:
its rate is lowered for `slow_for` seconds and nobody sends before the pause is over (`learn`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Mapping

from .pacing import BATCHES_PER_MINUTE, REQUESTS_PER_MINUTE

Seconds = float  # clock readings (POSIX seconds) and spans (never money)
RateShare = float  # a share of the realm's rate: 1.0 is full speed, less after a 429 (never money)
WINDOW = 60.0  # QBO counts requests per sliding minute
# Intervals a hair longer (1e-5), so the float rounding of clock readings (~1e-7 s) and of the store's exact decimal
# sums can never fit one more cell into a minute.
ROUNDING = 1 + 1e-5


@dataclass(frozen=True)
class BudgetLimits:
    """The realm's limits and how the budget spends them (qbo-reference, "Limits"; README, "Realm budget")."""

    requests_per_minute: int = REQUESTS_PER_MINUTE
    batches_per_minute: int = BATCHES_PER_MINUTE
    in_flight: int = 10
    burst: int = 5  # requests an idle realm lets go at once
    block: int = 10  # most request cells one take asks for (1.25 s of the rate: a batch waits behind no more)
    hold: Seconds = 1.0  # how late after its cell (and the burst) a request may still go
    margin: Seconds = 0.5  # allowance for the network and for clocks that differ between hosts
    lease: Seconds = 10.0  # a slot lasts this long past the latest request it may carry: renewed once per lease
    slow_for: Seconds = 60.0  # a 429 lowers the realm's rate this long
    min_factor: RateShare = 0.125  # never slower than this share of the rate

    def __post_init__(self) -> None:
        if self.requests_per_minute <= self.burst or self.batches_per_minute < 1 or self.in_flight < 1:
            raise ValueError("a budget needs more requests per minute than its burst, a batch and a slot")
        if self.block < 1 or min(self.hold, self.margin, self.lease) < 0:
            raise ValueError("blocks take at least one cell; hold, margin and lease are never negative")

    def request_interval(self, factor: RateShare = 1.0) -> Seconds:
        """Seconds between request cells: the cells starting in any span of 60 s + window + margin stay within the
        per-minute limit, so no sliding minute ever sees more arrivals than it allows."""
        return (WINDOW + self.hold + self.margin) / (self.requests_per_minute - self.burst) / factor * ROUNDING

    def batch_interval(self, factor: RateShare = 1.0) -> Seconds:
        """Seconds between batch cells (no burst: a batch carries 30 objects, it always waits its turn)."""
        return (WINDOW + self.hold + self.margin) / self.batches_per_minute / factor * ROUNDING

    @property
    def burst_span(self) -> Seconds:
        """How far behind now an idle realm's first cell starts: `burst` cells are then free at once."""
        return self.burst * self.request_interval()

    @property
    def request_window(self) -> Seconds:
        """A request cell may be used from its start until this long after it."""
        return self.burst_span + self.hold

    @property
    def batch_window(self) -> Seconds:
        return self.hold


@dataclass(frozen=True)
class RealmBudget:
    """The realm's shared state (one DynamoDB item): both streams, the lowered rate after a 429, the slots."""

    tat: Seconds = 0.0  # where the request stream's next cell starts (unless the realm idled since)
    batch_tat: Seconds = 0.0
    factor: RateShare = 1.0  # while slowed down after a 429
    slow_until: Seconds = 0.0
    leases: Mapping[str, Seconds] = field(default_factory=dict)  # slot → when it lapses

    def factor_at(self, now: Seconds) -> RateShare:
        return self.factor if now < self.slow_until else 1.0


@dataclass(frozen=True)
class Draw:
    """What one take adds to the streams. Request cells only: they start at max(tat, floor). With a batch: the
    batch cell and its own request cell start at max(tat, batch_tat, now), the other request cells right after.
    The store does exactly this in one conditional update; `interval`s are the spacing of the cells."""

    requests: int  # request cells for single requests
    batch: bool
    interval: Seconds
    batch_interval: Seconds
    floor: Seconds
    now: Seconds

    @property
    def step(self) -> Seconds:
        """How far the request stream moves past where the take starts."""
        return (self.requests + self.batch) * self.interval


def draw(state: RealmBudget, now: Seconds, requests: int, batch: bool, limits: BudgetLimits) -> Draw:
    """A take at `now` of `requests` cells for single requests, and of a batch cell when `batch`."""
    factor = state.factor_at(now)
    return Draw(requests, batch, limits.request_interval(factor), limits.batch_interval(factor),
                now - limits.burst_span, now)


def branch(state: RealmBudget, taken: Draw) -> str:
    """Which value a take starts from: "tat", "batch_tat", "now" (with a batch: the latest of them) or "floor" (the
    request stream when it idled). The store writes each case as its own conditional update."""
    if taken.batch:
        if state.tat >= state.batch_tat and state.tat >= taken.now:
            return "tat"
        return "batch_tat" if state.batch_tat >= taken.now else "now"
    return "tat" if state.tat >= taken.floor else "floor"


def start_of(state: RealmBudget, taken: Draw) -> Seconds:
    """Where a take's cells start on the request stream (with a batch, on both)."""
    return {"tat": state.tat, "batch_tat": state.batch_tat, "now": taken.now, "floor": taken.floor}[
        branch(state, taken)]


def apply(state: RealmBudget, taken: Draw) -> RealmBudget:
    """The realm after a take (what the store's conditional update computes)."""
    if not taken.requests and not taken.batch:
        return state
    start = start_of(state, taken)
    batch_tat = start + taken.batch_interval if taken.batch else state.batch_tat
    return replace(state, tat=start + taken.step, batch_tat=batch_tat)


@dataclass(frozen=True)
class Grant:
    """The cells one take got: a single request may go from a cell's start until `window` after it, a batch from
    its batch cell's start until `batch_window` after it (its request cell starts with it)."""

    cells: tuple[Seconds, ...]
    batch_cells: tuple[Seconds, ...]
    window: Seconds
    batch_window: Seconds


def granted(taken: Draw, after: RealmBudget, limits: BudgetLimits) -> Grant:
    """The cells of a take, read back from the request stream as the take left it (it ends with the take's cells)."""
    start = after.tat - taken.step
    first = start + taken.interval if taken.batch else start
    return Grant(tuple(first + i * taken.interval for i in range(taken.requests)),
                 (start,) if taken.batch else (), limits.request_window, limits.batch_window)


def block_size(spent: int, limits: BudgetLimits) -> int:
    """How many request cells to take: twice what the last block served, between one and `block`. A process that
    sends little takes little, as a cell it lets lapse is a request nobody else can make."""
    return max(1, min(limits.block, 2 * spent))


def learn(state: RealmBudget, now: Seconds, pause: Seconds, limits: BudgetLimits) -> RealmBudget:
    """A 429: QBO counted more than we did (another app, a clock, a crash). Halve the rate for `slow_for` seconds
    (halving again while already slowed) and let nothing go before the pause is over."""
    factor = max(limits.min_factor, state.factor_at(now) / 2)
    return replace(state, factor=factor, slow_until=now + limits.slow_for, tat=max(state.tat, now + pause),
                   batch_tat=max(state.batch_tat, now + pause))


def admits(state: RealmBudget, slot: str, limits: BudgetLimits) -> bool:
    """Whether a take may (re)new `slot`: it holds it already, or fewer than `in_flight` slots exist."""
    return slot in state.leases or len(state.leases) < limits.in_flight


def lapsed_slots(state: RealmBudget, now: Seconds, limits: BudgetLimits) -> dict[str, Seconds]:
    """Slots whose lease is over, by any host's clock (a crashed or finished process): anyone may remove them."""
    return {slot: until for slot, until in state.leases.items() if until + limits.margin <= now}


def slot_free_at(state: RealmBudget, now: Seconds, limits: BudgetLimits) -> Seconds:
    """When the first slot may be removed (all `in_flight` slots are held now)."""
    return max(now, min(state.leases.values(), default=now) + limits.margin)


@dataclass
class Stash:
    """One process's cells, spent in order: a single request takes the first request cell, a batch the first
    batch cell; it goes at the earliest from the cell's start, at the latest by its end."""

    cells: list[Seconds] = field(default_factory=list)
    batch_cells: list[Seconds] = field(default_factory=list)
    window: Seconds = 0.0
    batch_window: Seconds = 0.0
    lapsed: int = 0
    batch_lapsed: int = 0

    def add(self, grant: Grant) -> None:
        self.cells = sorted(self.cells + list(grant.cells))
        self.batch_cells = sorted(self.batch_cells + list(grant.batch_cells))
        self.window, self.batch_window = grant.window, grant.batch_window

    def drop_lapsed(self, now: Seconds) -> None:
        """Forget cells whose time is over: sending on them now could overrun a minute."""
        kept = [c for c in self.cells if c + self.window >= now]
        kept_batches = [c for c in self.batch_cells if c + self.batch_window >= now]
        self.lapsed += len(self.cells) - len(kept)
        self.batch_lapsed += len(self.batch_cells) - len(kept_batches)
        self.cells, self.batch_cells = kept, kept_batches

    def ready(self, batch: bool) -> bool:
        return bool(self.batch_cells if batch else self.cells)

    def peek(self, now: Seconds, batch: bool) -> tuple[Seconds, Seconds]:
        """The next cell's time (`ready` said there is one): (when the request may go, when it must have gone)."""
        if batch:
            return max(now, self.batch_cells[0]), self.batch_cells[0] + self.batch_window
        return max(now, self.cells[0]), self.cells[0] + self.window

    def spend(self, now: Seconds, batch: bool) -> tuple[Seconds, Seconds]:
        """Use the next cell (`ready` said there is one): its time, as `peek` gives it."""
        times = self.peek(now, batch)
        (self.batch_cells if batch else self.cells).pop(0)
        return times

    def clear(self) -> None:
        self.cells, self.batch_cells = [], []


def sends_in_any_minute(arrivals: list[Seconds]) -> int:
    """The most arrivals any sliding minute (t - 60, t] holds (QBO's count; the tests' and the bench's yardstick)."""
    ordered, most, first = sorted(arrivals), 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - WINDOW:
            first += 1
        most = max(most, last - first + 1)
    return most


def idle_burst(limits: BudgetLimits) -> int:
    """Cells an idle realm hands out at once (the burst and the cell that starts now)."""
    return math.floor(limits.burst_span / limits.request_interval() + 1e-9) + 1
