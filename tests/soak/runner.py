"""Run a plan on a fresh world, drain, check; on failure, find the shortest failing prefix of the plan.

`plan(seed, k)` is the first k operations of `plan(seed, n)`, so the shortest failing prefix is re-run with
`make soak N=<k> SEED=<seed>`.
"""
from __future__ import annotations

import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from tests.invariants import all_credits, check_ledger
from tests.soak.lifecycle import settle_connection, starts_two_way
from tests.soak.ops import SKIP, Clerk, Op, plan
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
    """One soak run: operations, then drain, the account connected (and re-synced) as support leaves it, then the
    ledger invariants, drift and parity."""
    started = time.monotonic()
    outcome = Outcome(seed, len(ops))
    world = World(http, emulator, setenv, rng_seed=seed, two_way=starts_two_way(seed))
    clerk = Clerk(world)
    at = None
    try:
        for at, op in enumerate(ops):
            clerk.run(op)
            if (at + 1) % 250 == 0:
                print(f"  seed {seed}: {at + 1} operations in {time.monotonic() - started:.0f} s", flush=True)
        at = None
        outcome.stats.update(settle_connection(clerk))
        outcome.stats.update(check(world, clerk))
    except Exception as error:  # noqa: BLE001 - any failure is reported with the seed and shrunk
        outcome.failure = "".join(traceback.format_exception_only(type(error), error)).strip()
        outcome.stats["traceback"] = traceback.format_exc(limit=12)
        outcome.failed_at = at
    finally:
        try:
            outcome.stats["qbo"] = world.qbo_stats()
        finally:
            world.close()
    outcome.stats.update(ops=dict(Counter(op.kind for op in ops if op.kind not in SKIP)),
                         faults=dict(world.faults.fired), replies=dict(clerk.replies))
    outcome.seconds = time.monotonic() - started
    return outcome


def check(world: World, clerk: Clerk) -> dict[str, Any]:
    """After draining: DESIGN §3's invariants, every accountant change to our money that the account read back
    reported as drift, and the parity checker's report (GET /qbo/parity) empty once its repair (POST
    /qbo/parity/repair) has run and been drained; then nothing waits and no object reads error or drift."""
    from chalicelib.store.inbound import drifts

    check_ledger(world.account, clerk.invoices)
    drifted = {(d.kind, d.object_id) for d in drifts(world.account.id)}
    found = parity_report(world)
    # An accountant's change to our document is drift while QBO still disagrees; once our own later change (a void,
    # a delete, an edit) was pushed over it, QBO agrees again and there is nothing left to report. Only a change the
    # account read back counts: one-way reads nothing, and switching two-way on reads from the switch onwards.
    named = {(d["object_type"], d["object_id"]) for d in found} | {
        tuple(t) for d in found for t in d["repair"]["targets"]}
    missing = sorted(t for t in clerk.touched - clerk.unread if t in named and t not in drifted)
    assert not missing, f"accountant changes to our documents that still differ but are not drift: {missing}"
    # and the other way round: drift is only ever the accountant's (DESIGN §7), never our own push read back
    unmade = sorted(d for d in drifted if _marker(*d) not in clerk.touched)
    assert not unmade, f"drift on documents the accountant never changed (our own pushes read back?): {unmade}"
    stats: dict[str, Any] = {"drift": len(drifted), "differences": len(found),
                             "difference_kinds": dict(Counter(d["kind"] for d in found))}
    # Drained, the books may differ only where the accountant changed one of our documents (DESIGN §7: drift is
    # reported, never silently overwritten): on the customers of those documents. Anything else is a sync defect.
    tainted = {_customer_of(world, kind, object_id) for kind, object_id in drifted | clerk.touched}
    tainted |= {d["customer_id"] for d in found if d["kind"] == "drift"}
    unexplained = [d for d in found if d["customer_id"] not in tainted or d["customer_id"] is None]
    assert not unexplained, f"parity after draining, beyond the accountant's drift: {unexplained}"
    if found:
        # the differences checked here: those of parked objects need a person (e.g. an imported credit whose QBO
        # change our ledger refused, ImportedCreditInUse), so a repair of everything reports them failed, rightly
        reply = world.account.owner.post("/qbo/parity/repair", {"differences": [d["id"] for d in found]},
                                         headers={"Idempotency-Key": uuid.uuid4().hex})
        assert reply.status == 200, (reply.status, reply.body)
        assert not reply.json["refused"] and not reply.json["failed"], f"repair: {reply.json}\ndifferences: {found}"
        stats["repaired"] = len(reply.json["repaired"])
    stats["drain_rounds"] = world.drain()  # what waited for the repair goes now: nothing is left waiting
    left = parity_report(world)
    assert left == [], f"parity after repair: {left}\nbefore repair: {found}"
    check_ledger(world.account, clerk.invoices)
    parked = parked_objects(world)
    stats["parked"] = len(parked)
    unexpected = [p for p in parked if p[2] not in NEEDS_A_PERSON]
    assert not unexpected, f"parked after the repair, not for a person to decide: {unexpected}"
    unsynced = not_synced_yet(world, clerk, {object_id for _, object_id, _ in parked})
    assert not unsynced, f"objects that do not read synced after the repair: {unsynced}"
    return stats


def not_synced_yet(world: World, clerk: Clerk, parked: set[str]) -> list[tuple[str, str, str, str | None]]:
    """What the API shows as pending, error or drift (parked objects aside, as parity_report sets them aside). In
    one-way, credits are not QuickBooks' business, and a payment or invoice shows its credit uses' states too."""
    bad = ("pending", "error", "drift")
    owner, found = world.account.owner, []
    if world.two_way:
        found += [("credit", c["id"], c["sync_status"], c["sync_error"]) for c in all_credits(world.account)
                  if c["sync_status"] in bad and c["id"] not in parked]
    for invoice_id in clerk.invoices:
        invoice = owner.get(f"/invoices/{invoice_id}").json
        shown = [("invoice", invoice_id, invoice["sync_status"], invoice["sync_error"])] + [
            ("payment", p["id"], p["sync_status"], p["sync_error"]) for p in invoice["payments"]]
        found += [s for s in shown if s[2] in bad and s[1] not in parked
                  and (world.two_way or s[2] != "pending")]
    return found


def _marker(kind: str, object_id: str) -> tuple[str, str]:
    """The marker QBO holds for one of our objects (a use's object id is "<credit id>#<use id>", its marker the use id)."""
    return kind, object_id.split("#")[-1]


def _customer_of(world: World, kind: str, object_id: str) -> str | None:
    """The customer of one of our objects (a use's id is "<credit id>#<use id>")."""
    owner = world.account.owner
    if kind in ("credit", "use"):
        return owner.get(f"/credits/{object_id.split('#')[0]}").json.get("customer_id")
    if kind == "payment":
        invoice = owner.get(f"/payments/{object_id}").json.get("invoice_id")
        return owner.get(f"/invoices/{invoice}").json.get("customer_id") if invoice else None
    if kind == "invoice":
        return owner.get(f"/invoices/{object_id}").json.get("customer_id")
    return None


def parity_report(world: World) -> list[dict]:
    """GET /qbo/parity's differences, but those a person must decide (their repair is `manual`: the accountant voided
    or deleted the document a credit imported from QBO came from, after we spent or removed it) and what they hold
    back, as tests/qbo/test_sync_workload.py reads it."""
    reply = world.account.owner.get("/qbo/parity?fresh=true")
    for _ in range(100):
        if reply.status != 202:
            break
        world.work()  # a large account is checked by a background job on the queue
        reply = world.account.owner.get("/qbo/parity")
    assert reply.status == 200, (reply.status, reply.body)
    found = reply.json["differences"]
    # a credit parked on the status panel for a person holds back its uses too: an invoice they pay stays unequal
    # until a person acts (e.g. the accountant voided the Payment an imported credit came from, after we spent it)
    parked_credits = {object_id for kind, object_id, code in parked_objects(world)
                      if kind == "credit" and code in NEEDS_A_PERSON}
    held = [d for d in found if not d["repair"]["automatic"] or any(
        kind == "use" and target.split("#")[0] in parked_credits for kind, target in d["repair"]["targets"])]
    differences = [d for d in found if d not in held]
    if held:  # what a parked object leaves unequal shows on its customer's total too
        customers = {d["customer_id"] for d in held}
        differences = [d for d in differences if not (d["kind"] == "customer_credit" and d["object_id"] in customers)]
    return differences


# what stays parked after a repair because only a person can decide (the accountant removed in QBO the document of
# a credit imported from there, which our ledger had already spent): DESIGN §7, the panel says what to do
NEEDS_A_PERSON = frozenset({"qbo_credit_in_use", "credit_in_use"})


def parked_objects(world: World) -> list[tuple[str, str, str | None]]:
    """(kind, id, error code) of what is parked: refused, waiting for a retry."""
    return world.parked()


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
