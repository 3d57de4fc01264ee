"""Run a plan on a fresh world, drain, check; on failure, find the shortest failing prefix of the plan.

`plan(seed, k)` is the first k operations of `plan(seed, n)`, so the shortest failing prefix is re-run with
`make soak N=<k> SEED=<seed>`.
"""
from __future__ import annotations

import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.soak.ops import Clerk, Op, plan
from tests.soak.world import World


@dataclass
class Outcome:
    seed: int
    size: int
    failure: str | None = None
    failed_at: int | None = None  # the operation that raised, if one did (else the check after draining failed)
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


def run(http: Any, emulator: Any, setenv: Callable[[str, str], None], seed: int, ops: list[Op]) -> Outcome:
    """One soak run: operations, then drain, then the ledger invariants, drift and parity."""
    started = time.monotonic()
    outcome = Outcome(seed, len(ops))
    world = World(http, emulator, setenv, rng_seed=seed)
    clerk = Clerk(world)
    at = None
    try:
        for at, op in enumerate(ops):
            clerk.run(op)
        at = None
        outcome.stats["drain_rounds"] = world.drain()
        outcome.stats.update(check(world, clerk))
    except Exception as error:  # noqa: BLE001 - any failure is reported with the seed and shrunk
        outcome.failure = "".join(traceback.format_exception_only(type(error), error)).strip()
        outcome.stats["traceback"] = traceback.format_exc(limit=12)
        outcome.failed_at = at
    finally:
        try:
            outcome.stats["qbo"] = {k: v for k, v in world.realm.stats().items() if k.startswith("status_")}
        finally:
            world.close()
    outcome.stats.update(ops=dict(Counter(op.kind for op in ops)), faults=dict(world.faults.fired),
                         replies=dict(clerk.replies))
    outcome.seconds = time.monotonic() - started
    return outcome


def check(world: World, clerk: Clerk) -> dict[str, Any]:
    """After draining: DESIGN §3's invariants, every accountant change to our money reported as drift, parity."""
    from chalicelib.store.inbound import drifts
    from chalicelib.store.sync_state import pending_objects
    from tests.invariants import check_ledger
    from tests.soak.parity import differences

    check_ledger(world.account, clerk.invoices)
    drifted = {(d.kind, d.object_id) for d in drifts(world.account.id)}
    missing = sorted(t for t in clerk.touched if t not in drifted)
    assert not missing, f"accountant changes to our documents not reported as drift: {missing}"
    tainted = {_customer_of(world, kind, object_id) for kind, object_id in drifted}
    found = differences(world.account.id, world.books())
    # Until the parity checker's repair exists, a customer whose document the accountant changed keeps the
    # difference the inbound sync reported as drift (DESIGN §7: never silently overwritten); every other customer
    # must be at parity to the cent.
    unexplained = [d for d in found if d["customer_id"] is None or d["customer_id"] not in tainted]
    assert not unexplained, f"parity: {unexplained}"
    parked = [(p.kind, p.object_id) for p in pending_objects(world.account.id) if p.parked]
    return {"drift": len(drifted), "differences_under_drift": len(found), "parked": len(parked)}


def _customer_of(world: World, kind: str, object_id: str) -> str | None:
    owner = world.account.owner
    if kind == "credit":
        return owner.get(f"/credits/{object_id}").json.get("customer_id")
    if kind == "payment":
        invoice = owner.get(f"/payments/{object_id}").json.get("invoice_id")
        return owner.get(f"/invoices/{invoice}").json.get("customer_id") if invoice else None
    if kind == "invoice":
        return owner.get(f"/invoices/{object_id}").json.get("customer_id")
    return None


def soak(http: Any, emulator: Any, setenv: Callable[[str, str], None], seed: int, size: int,
         *, shrink_runs: int = 10) -> tuple[Outcome, Outcome | None]:
    """Run `plan(seed, size)`; if it fails, the shortest failing prefix found in at most `shrink_runs` re-runs."""
    ops = plan(seed, size)
    first = run(http, emulator, setenv, seed, ops)
    if first.failure is None:
        return first, None
    # an operation that raised bounds the prefix; a failed check after draining needs the whole plan
    high, shortest = (first.failed_at + 1 if first.failed_at is not None else size), None
    low = 0  # a prefix of `low` operations passes
    if first.failed_at is not None:
        again = run(http, emulator, setenv, seed, ops[:high])
        if again.failure is None:
            return first, None  # not reproducible as a prefix: the full run is the example
        shortest, shrink_runs = again, shrink_runs - 1
    while high - low > 1 and shrink_runs > 0:
        middle = (low + high) // 2
        tried = run(http, emulator, setenv, seed, ops[:middle])
        shrink_runs -= 1
        if tried.failure is None:
            low = middle
        else:
            high, shortest = (tried.failed_at + 1 if tried.failed_at is not None else middle), tried
    return first, shortest


def report(first: Outcome, shortest: Outcome | None) -> str:
    """What a failing soak prints: the seed, the shortest failing prefix and how to re-run it."""
    best = shortest or first
    ops = plan(best.seed, best.size)
    lines = [f"soak failed: seed {first.seed}, {first.size} operations ({first.seconds:.1f} s)",
             f"first failure: {first.failure}",
             f"shortest failing prefix found: {best.size} operations -> make soak N={best.size} SEED={best.seed}",
             f"its failure: {best.failure}",
             f"its operations: {' '.join(map(str, ops))}",
             f"stats: { {k: v for k, v in best.stats.items() if k != 'traceback'} }",
             best.stats.get("traceback", "")]
    return "\n".join(lines)
