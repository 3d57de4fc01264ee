"""What the service costs as it grows: the requests a realistic mix of ledger operations makes, per 1,000 operations,
and the monthly bill at list prices for an account making 10,000, 100,000 and 1,000,000 operations a month.

The mix (bench/cost_mix.py says why) runs through the HTTP API against DynamoDB Local, on an account connected to the
QBO emulator through the consent flow, two-way sync on, webhooks registered; after every request the Lambdas' event
sources run as Lambda's would (bench/cost_stack.py). Then each schedule runs once, and the table is measured for
storage.

Counted exactly: invocations, DynamoDB requests by API, read request units (DynamoDB Local's ConsumedCapacity), SQS
requests, QBO requests (the emulator's count), stream records, webhooks and the changes they name, log bytes.
Estimated: write request units (from item sizes; bench/cost_meter.py says why); Lambda durations (this thread's CPU
time scaled to the CPU share the configured memory buys, plus the time spent waiting on DynamoDB Local and the
emulator, plus QBO_LATENCY_SECONDS per QBO request: the emulator answers in milliseconds); GB-seconds (those × the
memory .chalice/config.json configures).

Modelled, not measured as run: pulls. A pull reads CDC from its watermark less 5 minutes of overlap, so what one
pull reads grows with the changes of the last minutes, i.e. with the account's rate. This run packs a day into
minutes, so its pulls read far more than they would at 10,000 or even 1,000,000 operations a month; the pull's cost
is therefore fitted as (per pull) + (per document in its CDC answer) and priced at each volume's rate.

Run: .venv/bin/python bench/cost.py [operations=400]
"""
from __future__ import annotations

import math
import statistics
import sys
import time
from collections import Counter

from support import local_table  # also puts the repo root on sys.path

from cost_meter import Meter, item_bytes
from cost_mix import MIX, WRITES, Clerk, plan
from cost_prices import (MONTH_MINUTES, PRICE_LIST_DATE, Usage, configured_memory_mb, dollars, fixed_dollars,
                         storage_dollars)
from cost_stack import build, seed

# --- inputs to set from other benches ---------------------------------------------------------------------------------
# The per-realm QBO request budget kept in DynamoDB (DESIGN §7, throttling) adds DynamoDB requests to every QBO
# request. Set this from that budget's bench; 0 until it exists. Each such request is priced as one conditional
# UpdateItem of an item under 1 KB (REALM_BUDGET_WRU_PER_REQUEST).
DYNAMODB_REQUESTS_PER_QBO_REQUEST_OF_THE_REALM_BUDGET = 0.0
REALM_BUDGET_WRU_PER_REQUEST = 1.0
# Assumed time of one QBO request on the worker's clock (the emulator answers in a few ms, QBO in a few hundred).
QBO_LATENCY_SECONDS = 0.25
VOLUMES = (10_000, 100_000, 1_000_000)
MONTH_SECONDS = MONTH_MINUTES * 60
SWEEPS = {"sweeper": MONTH_MINUTES, "cdc_sweep": MONTH_MINUTES // 5}  # app.py's schedules, runs a month
CDC_OVERLAP_SECONDS = 300  # chalicelib/domain/imports.py CDC_OVERLAP
FULL_VCPU_MB = 1769  # Lambda gives a function one vCPU at 1,769 MB, a proportional share below


# --- measuring --------------------------------------------------------------------------------------------------------
def counted(stack, run) -> dict:
    """What happens in `run()`: the meter's counts by function, QBO requests, stream records, webhooks, changes."""
    stack.meter.reset()
    start = stack.qbo_requests(), stack.tap.records, stack.webhooks, stack.changes, time.perf_counter()
    run()
    return {"use": stack.meter.reset(), "qbo": stack.qbo_requests() - start[0], "records": stack.tap.records - start[1],
            "webhooks": stack.webhooks - start[2], "changes": stack.changes - start[3],
            "wall": time.perf_counter() - start[4]}


def measure(operations: int) -> dict:
    """The mix, then the schedules, then the table's size; answers everything the report prints."""
    with local_table():
        meter = Meter()
        stack = build(meter)
        try:
            clerk = Clerk(call=stack.call)
            seeded = counted(stack, lambda: seed(stack, clerk))
            kept_before, _ = stored_bytes(meter)

            def day() -> None:
                for operation in plan(operations):
                    clerk.run(operation)
                    stack.settle()

            run = {**counted(stack, day), "statuses": clerk.statuses}
            kept_after, run["expiring"] = stored_bytes(meter)
            run["stored_per_op"] = (kept_after - kept_before) / operations
            sweeper = counted(stack, lambda: [stack.schedule("sweeper") for _ in range(3)])
            cdc = counted(stack, lambda: stack.schedule("cdc_sweep"))
            return {"run": run, "seed": seeded, "sweeper": sweeper, "cdc": cdc, "operations": operations}
        finally:
            stack.stop()


def stored_bytes(meter: Meter) -> tuple[float, float]:
    """(bytes kept, bytes that expire) in the table and its indexes, with AWS's 100 bytes of overhead per item and
    index entry; idempotency records carry a TTL (`expiration`) and leave after a day."""
    from chalicelib import config
    from cost_meter import INDEXES

    kept = expiring = 0.0
    for page in meter._raw.get_paginator("scan").paginate(TableName=config.table_name()):
        for item in page["Items"]:
            size = (1 + sum(all(k in item for k in keys) for keys in INDEXES.values())) * (item_bytes(item) + 100)
            if "expiration" in item:
                expiring += size
            else:
                kept += size
    return kept, expiring


# --- from counts to usage ---------------------------------------------------------------------------------------------
def lambda_seconds(cpu: float, wall: float, qbo: int, memory_mb: int) -> float:
    """One invocation's billed duration at `memory_mb` (rounded up to 1 ms): CPU time here scaled to the CPU share that
    memory buys, the time spent waiting, and QBO_LATENCY_SECONDS per QBO request."""
    share = min(1.0, memory_mb / FULL_VCPU_MB)
    return math.ceil((cpu / share + max(0.0, wall - cpu) + qbo * QBO_LATENCY_SECONDS) * 1000) / 1000


def gb_seconds(use, memory_mb: int) -> float:
    return sum(lambda_seconds(e["cpu"], e["wall"], e.get("qbo", 0), memory_mb) for e in use.each) * memory_mb / 1024


def usage(uses: dict, memory: dict[str, int], qbo_requests: float, skip: tuple[str, ...] = ()) -> Usage:
    """What was counted, as billable quantities (functions in `skip` left out)."""
    total = Usage(qbo_requests=qbo_requests)
    for name, use in uses.items():
        if name in skip:
            continue
        total.wru += use.wru
        total.rru += use.rru
        total.sqs_requests += sum(use.sqs.values())
        total.log_bytes += use.log_bytes
        total.lambda_invocations += use.invocations
        total.gb_seconds += gb_seconds(use, memory[name]) if use.invocations else 0.0
    total.api_requests = uses["api"].invocations if "api" in uses else 0
    return total


def with_realm_budget(usage: Usage) -> Usage:
    """The realm budget's DynamoDB writes on top of every QBO request."""
    usage.wru += usage.qbo_requests * DYNAMODB_REQUESTS_PER_QBO_REQUEST_OF_THE_REALM_BUDGET * REALM_BUDGET_WRU_PER_REQUEST
    return usage


def _fit(docs: list[float], ys: list[float]) -> tuple[float, float]:
    """(per document, per pull): the per-pull part is what pulls of an empty CDC answer cost (measured), the
    per-document part the least-squares slope through it."""
    empty = [y for x, y in zip(docs, ys) if x == 0]
    base = statistics.median(empty) if empty else statistics.linear_regression(docs, ys)[1]
    spread = sum(x * x for x in docs)
    return (sum(x * (y - base) for x, y in zip(docs, ys)) / spread if spread else 0.0), base


class PullModel:
    """A pull's cost as (per pull) + (per document in its CDC answer), fitted over the run's pull-only invocations;
    a month's pulls: one per webhook (each push's echo) and one per CDC sweep, each reading the changes since the
    last pull plus CDC_OVERLAP_SECONDS of overlap."""

    METRICS = ("rru", "wru", "dynamodb", "cpu", "wait", "qbo", "log")

    def __init__(self, result: dict) -> None:
        run, ops = result["run"], result["operations"]
        use = run["use"]["worker-pull"]
        pulls = [e for phase in ("seed", "run") for e in result[phase]["use"]["worker-pull"].each
                 if e["modes"] == {"cdc"}]  # a first read of a company reads it whole: not a CDC pull
        docs = [e["docs"] for e in pulls]
        rows = {"rru": [e["rru"] for e in pulls], "wru": [e["wru"] for e in pulls],
                "dynamodb": [e["dynamodb"] for e in pulls], "cpu": [e["cpu"] for e in pulls],
                "wait": [max(0.0, e["wall"] - e["cpu"]) for e in pulls], "qbo": [e["qbo"] for e in pulls],
                "log": [use.log_bytes / use.invocations] * len(docs)}
        self.fit = {name: _fit(docs, ys) for name, ys in rows.items()}  # (per document, per pull)
        self.pulls_per_op = use.invocations / ops
        self.changes_per_op = run["changes"] / ops
        self.esm_sqs_per_pull = sum(result["cdc"]["use"]["esm"].sqs.values()) if "esm" in result["cdc"]["use"] else 2
        self.docs_range, self.n = (min(docs), max(docs)), len(docs)

    def at(self, key: str, docs: float) -> float:
        slope, intercept = self.fit[key]
        return max(0.0, intercept + slope * docs)

    def month(self, volume: int, memory_mb: int) -> tuple[Usage, Usage, float]:
        """(echo pulls, CDC sweep pulls, documents per pull) of a month's pulls for one account at `volume`."""
        echoes = self.pulls_per_op * volume
        pulls = echoes + SWEEPS["cdc_sweep"]
        changes = self.changes_per_op * volume
        per_pull = changes / pulls + changes / MONTH_SECONDS * CDC_OVERLAP_SECONDS
        cpu = self.at("cpu", per_pull)
        seconds = lambda_seconds(cpu, cpu + self.at("wait", per_pull), round(self.at("qbo", per_pull)), memory_mb)

        def of(count: float, sqs: float) -> Usage:
            return Usage(rru=count * self.at("rru", per_pull), wru=count * self.at("wru", per_pull),
                         lambda_invocations=count, gb_seconds=count * seconds * memory_mb / 1024,
                         log_bytes=count * self.at("log", per_pull), qbo_requests=count * self.at("qbo", per_pull),
                         sqs_requests=count * sqs)

        # an echo pull's SQS requests (the webhook's send, the receive and delete) are counted in the run already
        return of(echoes, 0.0), of(SWEEPS["cdc_sweep"], self.esm_sqs_per_pull), per_pull


# --- the report -------------------------------------------------------------------------------------------------------
def fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}" if value >= 10 else f"{value:,.2f}"


def usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 1 else f"${value:,.4f}"


def print_run(result: dict, memory: dict[str, int]) -> None:
    run, per = result["run"], 1000 / result["operations"]
    writes = sum(weight for name, weight in MIX.items() if name in WRITES)
    print(f"mix: {result['operations']} API requests ({writes} writes, {100 - writes} reads per 100; bench/cost_mix.py); "
          f"answers {dict(sorted(run['statuses'].items()))}; wall {run['wall']:.0f} s")
    print(f"per 1,000 operations, as run (GB-s at the configured memory; worker-pull: time-compressed, priced by the "
          f"pull model below):")
    print(f"  {'function':11} {'invocations':>11} {'median ms':>9} {'GB-s':>7} {'DDB req':>8} {'RRU':>8} {'WRU':>8} "
          f"{'SQS req':>8} {'log KB':>7}  DynamoDB requests by API")
    for name, use in sorted(run["use"].items()):
        gbs = gb_seconds(use, memory[name]) if use.invocations else 0.0
        median = statistics.median(use.durations) * 1000 if use.durations else 0
        print(f"  {name:11} {fmt(use.invocations * per):>11} {median:>9.0f} {fmt(gbs * per):>7} "
              f"{fmt(sum(use.dynamodb.values()) * per):>8} {fmt(use.rru * per):>8} {fmt(use.wru * per):>8} "
              f"{fmt(sum(use.sqs.values()) * per):>8} {fmt(use.log_bytes * per / 1024):>7}  "
              f"{', '.join(f'{k} {fmt(v * per)}' for k, v in sorted(use.dynamodb.items()))}")
    sqs = sum((u.sqs for u in run["use"].values()), Counter())
    local = sum(u.local_wcu for u in run["use"].values()), sum(u.local_wcu_estimated for u in run["use"].values())
    print(f"  QBO requests {fmt(run['qbo'] * per)} (free; 500 a minute per realm), webhooks {fmt(run['webhooks'] * per)} "
          f"naming {fmt(run['changes'] * per)} changes, stream records {fmt(run['records'] * per)} (a Lambda "
          f"trigger reads them free), SQS by API {', '.join(f'{k} {fmt(v * per)}' for k, v in sorted(sqs.items()))}")
    print(f"  cross-check of the write estimate, non-transactional writes: DynamoDB Local {local[0]:.0f} WCU, the "
          f"size estimate {local[1]:.0f} WRU; storage kept {run['stored_per_op'] * 1000 / 2**20:.2f} MiB per 1,000 "
          f"operations (+ {run['expiring'] / 2**20:.2f} MiB of idempotency records, which expire after a day)")


def print_pull_model(model: PullModel) -> None:
    f = model.fit
    print(f"pull model ({model.n} CDC pulls of {model.docs_range[0]}–{model.docs_range[1]} documents; per pull = "
          f"the median pull of an empty answer): per pull "
          f"{f['rru'][1]:.1f} RRU + {f['rru'][0]:.2f} per document, {f['wru'][1]:.1f} WRU + {f['wru'][0]:.2f}, "
          f"{f['dynamodb'][1]:.1f} DynamoDB requests + {f['dynamodb'][0]:.2f}, CPU {f['cpu'][1] * 1000:.0f} ms + "
          f"{f['cpu'][0] * 1000:.1f} ms, QBO {f['qbo'][1]:.2f} + {f['qbo'][0]:.3f}; {model.pulls_per_op:.3f} pulls "
          f"(echo webhooks) and {model.changes_per_op:.3f} QBO changes per operation")


def fixed_month(result: dict, memory: dict[str, int]) -> dict[str, float]:
    """What the stack costs per month whatever the traffic: the schedules' own runs and fixed_dollars()."""
    sweeper = usage(result["sweeper"]["use"], memory, 0).scaled(SWEEPS["sweeper"] / 3)
    own = {"cdc_sweep": result["cdc"]["use"]["cdc_sweep"]}
    cdc = usage(own, memory, 0).scaled(SWEEPS["cdc_sweep"])
    return {"sync_sweeper (every minute)": sum(dollars(sweeper).values()),
            "sync_cdc_sweep's own runs (every 5 minutes)": sum(dollars(cdc).values()), **fixed_dollars()}


def print_monthly(result: dict, memory: dict[str, int], model: PullModel) -> None:
    run, per = result["run"], 1000 / result["operations"]
    linear = usage(run["use"], memory, run["qbo"], skip=("worker-pull",)).scaled(per)
    linear.qbo_requests -= sum(e["qbo"] for e in run["use"]["worker-pull"].each) * per
    fixed = fixed_month(result, memory)
    print("fixed per month: " + "; ".join(f"{k} {usd(v)}" for k, v in fixed.items()))
    print(f"monthly cost at list prices (us-east-1, {PRICE_LIST_DATE}; no free tier), one connected account. "
          f"Service columns: what operations cost (echo pulls included, by the pull model); 'CDC pulls': the CDC "
          f"sweep's pull of the account's realm every 5 minutes; 'storage': table + indexes + PITR after 12 months:")
    services = list(dollars(linear))
    print(f"  {'ops/month':>10} " + " ".join(f"{s[:11]:>11}" for s in services)
          + f" {'echo pulls':>10} {'docs/pull':>9} {'CDC pulls':>9} {'fixed':>7} {'storage':>8} {'total':>9} "
          f"{'per 1k ops':>10} {'ops only/1k':>11} {'QBO/min':>7}")
    for volume in VOLUMES:
        echoes, sweeps, per_pull = model.month(volume, memory["worker-pull"])
        variable = with_realm_budget(linear.scaled(volume / 1000).plus(echoes))
        bill, sweep_dollars = dollars(variable), sum(dollars(with_realm_budget(sweeps)).values())
        storage = storage_dollars(run["stored_per_op"] * volume * 12)
        total = sum(bill.values()) + sweep_dollars + sum(fixed.values()) + storage
        qbo_per_minute = (variable.qbo_requests + sweeps.qbo_requests) / MONTH_MINUTES
        print(f"  {volume:>10,} " + " ".join(f"{usd(bill[s]):>11}" for s in services)
              + f" {usd(sum(dollars(echoes).values())):>10} {per_pull:>9.1f} {usd(sweep_dollars):>9} "
              f"{usd(sum(fixed.values())):>7} {usd(storage):>8} {usd(total):>9} {usd(total / volume * 1000):>10} "
              f"{usd(sum(bill.values()) / volume * 1000):>11} {qbo_per_minute:>7.2f}")
    print("  ('echo pulls' repeats their share of the service columns; 'ops only/1k': the service columns per 1,000 "
          "operations; QBO/min: average requests a minute, of the realm's 500)")


def print_memory(result: dict, memory: dict[str, int]) -> None:
    """Each function's GB-s at 256, 512 and 1,024 MB (the memory choice): per 1,000 operations as run, per month for
    the schedules."""
    per = 1000 / result["operations"]
    uses = [(name, use, per, "per 1,000 operations") for name, use in sorted(result["run"]["use"].items())]
    uses += [(name, result[phase]["use"][name], SWEEPS[name] / result[phase]["use"][name].invocations, "per month")
             for phase, name in (("sweeper", "sweeper"), ("cdc", "cdc_sweep"))]
    print("memory what-if, GB-s (median billed duration):")
    for name, use, scale, unit in uses:
        if use.invocations:
            cells = [f"{mb} MB {fmt(gb_seconds(use, mb) * scale)} ("
                     f"{statistics.median(lambda_seconds(e['cpu'], e['wall'], e.get('qbo', 0), mb) for e in use.each) * 1000:.0f} ms)"
                     for mb in (256, 512, 1024)]
            cpu = sum(use.cpu) / max(1e-9, sum(use.durations))
            print(f"  {name:11} {unit:20} configured {memory[name]:>4} MB; CPU {cpu:.0%} of wall here; "
                  + "; ".join(cells))


def print_concurrency(result: dict, memory: dict[str, int]) -> None:
    """The provisional worker concurrency: enough that 200 accounts hinted in the same second all reach QBO within
    the 5 s commit→synced promise (bench/tenants.py measures fairness across 200 accounts and confirms it)."""
    use = result["run"]["use"]["worker"]
    seconds = sorted(lambda_seconds(e["cpu"], e["wall"], e.get("qbo", 0), memory["worker"]) for e in use.each)
    p95 = seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))]
    print(f"push invocations at {memory['worker']} MB: median {statistics.median(seconds) * 1000:.0f} ms, p95 "
          f"{p95 * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms (with {QBO_LATENCY_SECONDS} s per QBO request); "
          f"200 accounts at once within 5 s need ceil(200 x {p95:.2f} / 5) = {math.ceil(200 * p95 / 5)} workers")


def main() -> None:
    operations = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    memory = configured_memory_mb()
    result = measure(operations)
    model = PullModel(result)
    print_run(result, memory)
    print_pull_model(model)
    print_monthly(result, memory, model)
    print_memory(result, memory)
    print_concurrency(result, memory)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
