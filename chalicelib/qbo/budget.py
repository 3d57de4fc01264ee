"""The client layer's side of the realm budget (chalicelib/domain/realm_budget.py): before each request to a QBO
company, a process spends one of its cells and holds one of its slots. Cells are taken in blocks, so the company's
shared item (chalicelib/store/realm_budget.py, through chalicelib/ports/qbo_budget.py) is written once per block,
not once per request.

One `RealmBudgets` per process (`BUDGETS`), one holder per company it calls: Lambdas are separate processes, and the
threads of one process share its holder (a slot per request in flight). A forked child starts afresh: two processes
never share cells or slots. If the store cannot be reached the request goes without the budget, as before it
existed (QBO's 429 and our backoff still guard the company).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

from .. import config
from ..domain.realm_budget import (
    BudgetLimits,
    RealmBudget,
    Seconds,
    Stash,
    admits,
    block_size,
    draw,
    granted,
    lapsed_slots,
    learn,
    slot_free_at,
    start_of,
)
from ..ports.qbo_budget import BudgetConflict, BudgetStore, BudgetUnavailable, budget_store
from .config import BudgetSettings

logger = logging.getLogger(__name__)
MAX_TRIES = 8  # conditional writes per decision; a failed one answers the item as it is, so two is the most usual
NO_SLOT = ""  # an OAuth call (token exchange, refresh, revoke) spends a cell but holds no slot


@dataclass
class _Holder:
    """One process's share of one company's budget: its cells, its slots, its last view of the shared item."""

    realm_id: str
    process: str
    seen: RealmBudget = field(default_factory=RealmBudget)
    stash: Stash = field(default_factory=Stash)
    slots: dict[str, Seconds] = field(default_factory=dict)  # slot → when its lease lapses
    busy: set[str] = field(default_factory=set)
    served: int = 0  # single requests since the last take
    contended: bool = False  # the item had moved since our last write: others are drawing too
    stats: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self, batch: bool, slotted: bool, request_seconds: Seconds, limits: BudgetLimits,
                store: BudgetStore, clock: Callable[[], Seconds], sleep: Callable[[Seconds], None]) -> str:
        """Wait for a cell (and a slot when `slotted`); answers the slot, held until `release`."""
        while True:
            with self.lock:
                now = clock()
                self.stash.drop_lapsed(now)
                times = self.stash.peek(now, batch) if self.stash.ready(batch) else None
                slot = self._free_slot(times[1] + request_seconds) if times and slotted else NO_SLOT
                if times and slot is not None:
                    self.stash.spend(now, batch)
                    self.busy.add(slot)
                    self.served += not batch
                    self.stats["batches" if batch else "requests" if slotted else "oauth"] += 1
                else:
                    ends = times[1] if times else now + limits.request_window  # where a new cell would end, idle
                    # the slot outlives this request by a lease, so one renewal serves the next lease's requests too
                    need = ends + request_seconds + limits.lease
                    wait = self._take(now, batch, slotted, need, limits, store)
            if times is None or slot is None:
                if wait > 0:
                    self.stats["waits"] += 1
                    sleep(wait)
                continue
            if times[0] > now:
                sleep(times[0] - now)
            if clock() <= times[1]:
                return slot
            self.release(slot)  # slept past the cell's time (a busy machine): it is gone, take the next one
            self.stats["overslept"] += 1

    def _free_slot(self, until: Seconds) -> str | None:
        return next((s for s, lapses in self.slots.items() if s not in self.busy and lapses >= until), None)

    def _new_slot(self) -> str:
        """A slot of ours to (re)new: an idle one, else the next unused name."""
        idle = next((s for s in self.slots if s not in self.busy), None)
        return idle or next(f"{self.process}-{n}" for n in range(len(self.slots) + 1)
                            if f"{self.process}-{n}" not in self.slots)

    def _take(self, now: Seconds, batch: bool, slotted: bool, lease_until: Seconds, limits: BudgetLimits,
              store: BudgetStore) -> Seconds:
        """One take (cells the stash lacks, and the slot renewed): answers 0, or how long to wait for a slot."""
        singles = 0 if self.stash.cells else block_size(self.served, limits)
        wants_batch = batch and not self.stash.batch_cells
        if wants_batch and not self.served:
            singles = 0  # a process sending only batches takes no cells for single requests
        slot, conflicted = self._new_slot() if slotted else None, False
        for attempt in range(MAX_TRIES):
            if slot is not None and not admits(self.seen, slot, limits):
                lapsed = lapsed_slots(self.seen, now, limits)
                if not lapsed:
                    return slot_free_at(self.seen, now, limits) - now
                self.seen = store.drop_slots(self.realm_id, lapsed)
                continue
            taken = draw(self.seen, now, singles, wants_batch, limits)
            # others are drawing too: the stream is surely past its floor by now, whatever our last view says
            busy = self.contended and attempt == 0 and not wants_batch
            guess = replace(self.seen, tat=max(self.seen.tat, taken.floor)) if busy else self.seen
            try:
                after = store.take(self.realm_id, guess, taken, slot, lease_until, limits.in_flight)
            except BudgetConflict as conflict:
                self.seen, conflicted = conflict.current, True
                self.stats["conflicts"] += 1
                continue
            # others are drawing if our guess was stale or they moved the stream since our view of it
            self.contended = conflicted or after.tat - taken.step > start_of(self.seen, taken) + 1e-6
            self.seen, self.served = after, 0
            self.stash.add(granted(taken, after, limits))
            if slot is not None:
                self.slots[slot] = lease_until
            self.stats["takes"] += 1
            return 0.0
        raise BudgetUnavailable(f"the budget of realm {self.realm_id} kept changing under us")

    def release(self, slot: str) -> None:
        with self.lock:
            self.busy.discard(slot)

    def learn(self, now: Seconds, pause: Seconds, limits: BudgetLimits, store: BudgetStore) -> None:
        """A 429: drop our cells (they may fall into the pause) and teach the realm."""
        with self.lock:
            self.stash.clear()
            self.stats["throttled"] += 1
            for _ in range(MAX_TRIES):
                try:
                    self.seen = store.learn(self.realm_id, self.seen, learn(self.seen, now, pause, limits), now + pause)
                    return
                except BudgetConflict as conflict:
                    self.seen = conflict.current


class RealmBudgets:
    """This process's holders, one per company (and table); the session and the OAuth client draw on them."""

    def __init__(self, clock: Callable[[], Seconds] = time.time, sleep: Callable[[Seconds], None] = time.sleep):
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()
        self._pid = -1
        self._holders: dict[tuple[str, str], _Holder] = {}
        self._process = ""

    def holder(self, realm_id: str) -> _Holder:
        with self._lock:
            if self._pid != os.getpid():  # a fork: the parent's cells and slots are not ours
                self._pid, self._holders, self._process = os.getpid(), {}, uuid.uuid4().hex[:12]
            key = (config.table_name(), realm_id)
            if key not in self._holders:
                self._holders[key] = _Holder(realm_id, self._process)
            return self._holders[key]

    @contextmanager
    def permit(self, realm_id: str, *, batch: bool = False, request_seconds: Seconds = 60.0) -> Iterator[None]:
        """Hold a cell and a slot of the company's budget for one request (waits for them)."""
        settings = BudgetSettings.from_env()
        if not settings.enabled:
            yield
            return
        holder = self.holder(realm_id)
        slot = self._acquire(holder, batch, True, request_seconds, settings.limits)
        try:
            yield
        finally:
            holder.release(slot)

    def spend(self, realm_id: str | None) -> None:
        """A cell for an OAuth call about the company (no slot: it is not a request to its API)."""
        settings = BudgetSettings.from_env()
        if realm_id and settings.enabled:
            self._acquire(self.holder(realm_id), False, False, 0.0, settings.limits)

    def throttled(self, realm_id: str, pause: Seconds) -> None:
        """QBO answered 429: the company learns (slower for a while, nobody sends before `pause` is over)."""
        settings = BudgetSettings.from_env()
        if settings.enabled:
            try:
                self.holder(realm_id).learn(self.clock(), pause, settings.limits, budget_store())
            except BudgetUnavailable as error:
                logger.warning("the realm budget of %s could not learn a 429: %s", realm_id, error)

    def stats(self, realm_id: str) -> Counter:
        """What this process did with the company's budget: requests, batches, oauth, takes, conflicts, waits, and
        the cells it let lapse (taken, never sent on: capacity lost to every process)."""
        holder = self.holder(realm_id)
        return Counter(holder.stats, lapsed=holder.stash.lapsed + holder.stash.batch_lapsed)

    def _acquire(self, holder: _Holder, batch: bool, slotted: bool, request_seconds: Seconds,
                 limits: BudgetLimits) -> str:
        try:
            return holder.acquire(batch, slotted, request_seconds, limits, budget_store(), self.clock, self.sleep)
        except BudgetUnavailable as error:
            holder.stats["unavailable"] += 1
            logger.warning("realm budget of %s unavailable, the request goes without it: %s", holder.realm_id, error)
            return NO_SLOT


BUDGETS = RealmBudgets()
