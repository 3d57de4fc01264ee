"""Fair across accounts: one account's 5,000-credit import must leave the other accounts' changes fast.

200 accounts, each connected through the real consent flow (POST /qbo/connect → consent → /qbo/callback) to its own
company in one QBO emulator. The sync path is the real one: DynamoDB Local's table stream → `sync_relay` (in this
process) → an SQS FIFO queue (moto's server, devstack/sqs_server.py; message group = account) → `sync_worker`, run
by WORKERS processes of one receive loop each (the worker Lambda's reserved concurrency: each instance is a process
of its own, so the import's slice never holds the others' workers' interpreter). As in production, the callers of
the API and QBO are elsewhere: the emulator and the two loads below run in processes of their own.

- QUIET: 199 accounts each create a credit (POST /credits) every EVERY seconds, at random phases (after SETTLE
  seconds of the same load, not measured);
- BULK: the same, while account 0's import script POSTs 5,000 credits one after another.
A second reader of the table's stream sees each credit leave the pending index with its QBO id: commit → synced.
Prints the 199's median and p95 in both phases, their ratio, how far the import got, and the setup's time.

Goal: BULK p95 ≤ 2 s and ≤ 1.5 × QUIET p95.
Usage: python bench/tenants.py [ACCOUNTS=200] [BULK=5000]; TENANTS_EVERY, TENANTS_SETTLE_SECONDS,
TENANTS_QUIET_SECONDS, TENANTS_BULK_SECONDS, TENANTS_WORKERS, TENANTS_WORKER_BATCH and TENANTS_RELAY_POLL tune it,
TENANTS_CONTROL=1 runs the control (see CONTROL); the worker reads SYNC_PUSH_SLICE (the push run's slice).
"""
from __future__ import annotations

import heapq
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name, _value in dict(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local", AWS_DEFAULT_REGION="us-east-1",
                          LOCAL_DEV="1", OAUTHLIB_INSECURE_TRANSPORT="1",
                          POWERTOOLS_LOG_LEVEL="WARNING",  # a log line per request would cost the CPU
                          POWERTOOLS_METRICS_DISABLED="true").items():  # Powertools metrics: one thread each
    os.environ.setdefault(_name, _value)

EVERY = float(os.environ.get("TENANTS_EVERY", "20"))  # seconds between two changes of one quiet account (10/s: what 2 shared cores carry here)
WORKERS = int(os.environ.get("TENANTS_WORKERS", "10"))  # the worker Lambda's reserved concurrency
WORKER_BATCH = int(os.environ.get("TENANTS_WORKER_BATCH", "10"))  # the worker's event source batch size
SETTLE_SECONDS = float(os.environ.get("TENANTS_SETTLE_SECONDS", "20"))  # the quiet load runs unmeasured first
QUIET_SECONDS = float(os.environ.get("TENANTS_QUIET_SECONDS", "60"))
BULK_SECONDS = float(os.environ.get("TENANTS_BULK_SECONDS", "150"))  # the 199 are measured this long into the import
WRITERS = 8  # threads of the quiet load's process
# the control run (TENANTS_CONTROL=1): the bulk account is softly disconnected before its import, so the import loads
# the API, the table, its stream and the relay as before but pushes nothing: what the machine's shared CPU alone costs
CONTROL = os.environ.get("TENANTS_CONTROL") == "1"
POLL = 0.02  # the stream reader's pause when it found nothing
CLIENT_ID = "bench-tenants"  # one OAuth app, 200 companies (as in production: our app, each customer's company)


@dataclass
class Tenant:
    account_id: str
    realm_id: str
    owner: str  # bearer token
    customer_id: str = ""


@dataclass
class Watch:
    """Commits waiting to be seen synced, and the lags of those seen, per phase."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: dict[tuple[str, str], tuple[float, str]] = field(default_factory=dict)  # (account, credit) → (t, phase)
    early: dict[tuple[str, str], float] = field(default_factory=dict)  # seen synced before its commit was told
    lags: dict[str, list[float]] = field(default_factory=dict)

    def committed(self, account_id: str, credit_id: str, at: float, phase: str) -> None:
        with self.lock:
            seen = self.early.pop((account_id, credit_id), None)
            if seen is None:
                self.waiting[(account_id, credit_id)] = (at, phase)
            else:
                self.lags.setdefault(phase, []).append(max(0.0, seen - at))

    def outstanding(self) -> int:
        with self.lock:
            return len(self.waiting)

    def synced(self, account_id: str, credit_id: str, at: float) -> None:
        with self.lock:
            found = self.waiting.pop((account_id, credit_id), None)
            if found is None:
                self.early[(account_id, credit_id)] = at  # or the import's: a few thousand entries at most
                return
            committed, phase = found
            self.lags.setdefault(phase, []).append(at - committed)


def api_call(client, method: str, path: str, token: str, body: dict | None = None) -> dict:
    answer = getattr(client.http, method)(path, body=None if body is None else json.dumps(body),
                                          headers={"Content-Type": "application/json",
                                                   "Authorization": f"Bearer {token}"})
    if answer.status_code >= 300:
        raise RuntimeError(f"{method.upper()} {path} answered {answer.status_code}: {answer.body[:300]!r}")
    return json.loads(answer.body)


def start_emulator_process() -> tuple[subprocess.Popen, str]:
    """The QBO emulator in its own process (QBO is not on our workers' CPU); answers it and its URL."""
    return start_server("devstack.qbo_emulator", "/.well-known/openid_configuration", "--quiet")


def start_server(module: str, probe: str, *options: str) -> tuple[subprocess.Popen, str]:
    """`python -m module --port N` on a free port, once it answers HTTP at `probe`; answers it and its URL."""
    import requests

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *options], cwd=ROOT,
                               stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(url + probe, timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{module} did not start")


def set_up(emulator_url: str, count: int) -> list[Tenant]:
    """`count` companies under one OAuth client, an account connected to each through the consent flow, and per
    account a customer and a first credit (the run measures warm accounts, not first pushes)."""
    import requests
    from chalice.test import Client

    from app import app
    from bench.support import connected_account
    from chalicelib.login_tokens import issue_token

    tenants = []
    for n in range(count):
        company = requests.post(f"{emulator_url}/_control/companies", timeout=10,
                                json={"client_id": CLIENT_ID, "company_name": f"Tenant {n:03d}"}).json()
        account_id = connected_account(emulator_url, company, name=f"Tenant {n:03d}")
        tenants.append(Tenant(account_id, company["realm_id"], issue_token("bench-owner", account_id)))
    with Client(app) as client:
        for tenant in tenants:
            tenant.customer_id = api_call(client, "post", "/customers", tenant.owner, {"name": "Wholesale buyer"})["id"]
            api_call(client, "post", "/credits", tenant.owner, {"customer_id": tenant.customer_id, "amount": "1.00"})
    return tenants


def pending(tenant: Tenant) -> int:
    from chalicelib.store.sync_state import sync_overview

    return sync_overview(tenant.account_id).pending


def watcher(watch: Watch, stop: threading.Event, ready: threading.Event) -> None:
    """Reads the table's stream (a second reader beside the relay): a credit is synced when an update leaves it out of
    the pending index with its QBO id. No read per credit, so a slow run does not load the table more."""
    from chalicelib import config
    from chalicelib.store.tables import connection
    from devstack.pump import _streams_client

    arn = connection().client.describe_table(TableName=config.table_name())["Table"]["LatestStreamArn"]
    streams, iterators, known, last_describe = _streams_client(), {}, set(), 0.0
    while not stop.is_set():
        if time.monotonic() - last_describe > 1.0:  # shards close and new ones open
            for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                if shard["ShardId"] not in known:
                    known.add(shard["ShardId"])
                    start = "TRIM_HORIZON" if ready.is_set() else "LATEST"  # a shard opened later is read whole
                    iterators[shard["ShardId"]] = streams.get_shard_iterator(
                        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=start)["ShardIterator"]
            last_describe = time.monotonic()
            ready.set()
        got = False
        for shard_id, iterator in list(iterators.items()):
            answer = streams.get_records(ShardIterator=iterator, Limit=1000)
            seen = time.perf_counter()  # CLOCK_MONOTONIC: the load processes' commit times compare with it
            for record in answer.get("Records", []):
                got = True
                image = record["dynamodb"].get("NewImage") or {}
                sk = image.get("sk", {}).get("S", "")
                if sk.startswith("CREDIT#") and "sync_pk" not in image and "qbo_id" in image:
                    watch.synced(image["pk"]["S"][2:], sk[len("CREDIT#"):], seen)
            if answer.get("NextShardIterator"):
                iterators[shard_id] = answer["NextShardIterator"]
            else:
                del iterators[shard_id]
        if not got:
            stop.wait(POLL)


def start_load(mode: str, task: dict) -> subprocess.Popen:
    """A load in its own process, as the API's callers are: `quiet` (the 199) or `import` (the bulk account)."""
    return subprocess.Popen([sys.executable, __file__, f"--{mode}"], env=dict(os.environ, TENANTS_TASK=json.dumps(task)),
                            stdout=subprocess.PIPE if mode == "quiet" else subprocess.DEVNULL, text=True, cwd=ROOT)


def read_commits(process: subprocess.Popen, watch: Watch, starts: list[float]) -> int:
    """The quiet load's lines "<account> <credit> <commit time>", each put in its phase by its commit time: before
    starts[0] settling (not measured: the worker processes' first pushes of the load), then quiet, then bulk."""
    count = 0
    for line in process.stdout:
        if line.startswith("{"):
            continue  # a warning logged by the API
        account_id, credit_id, at = line.split()
        at = float(at)
        phase = ("settle", "quiet", "bulk")[sum(1 for start in list(starts) if at >= start)]
        watch.committed(account_id, credit_id, at, phase)
        count += 1
    return count


def run_quiet() -> None:
    """Each tenant creates a credit every EVERY s (random phase) for `seconds`; prints each commit."""
    from chalice.test import Client

    from app import app

    task = json.loads(os.environ["TENANTS_TASK"])
    tenants = [Tenant(**t) for t in task["tenants"]]
    rng, client, lock = random.Random(7), Client(app), threading.Lock()
    end = time.perf_counter() + task["seconds"]
    due = [(time.perf_counter() + rng.uniform(0, EVERY), n) for n in range(len(tenants))]
    heapq.heapify(due)

    def change(tenant: Tenant, n: int) -> None:
        credit = api_call(client, "post", "/credits", tenant.owner,
                          {"customer_id": tenant.customer_id, "amount": f"{n % 90 + 1}.00"})
        at = time.perf_counter()
        with lock:
            print(tenant.account_id, credit["id"], f"{at:.6f}", flush=True)

    with ThreadPoolExecutor(WRITERS) as pool:
        for n in range(10 ** 9):
            at, index = heapq.heappop(due)
            if at >= end:
                break
            time.sleep(max(0.0, at - time.perf_counter()))
            pool.submit(change, tenants[index], n)
            heapq.heappush(due, (max(at + EVERY, time.perf_counter()), index))


def run_import() -> None:
    """The bulk account's import script: `count` credits through POST /credits, one after another."""
    from chalice.test import Client

    from app import app

    task = json.loads(os.environ["TENANTS_TASK"])
    with Client(app) as client:
        for n in range(task["count"]):
            api_call(client, "post", "/credits", task["owner"],
                     {"customer_id": task["customer_id"], "amount": f"{n % 500 + 1}.00", "internal_note": "import"})


def summary(lags: list[float]) -> tuple[float, float]:
    ordered = sorted(lags) or [0.0]
    return statistics.median(ordered), ordered[max(0, min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1))]


def main(count: int, bulk: int) -> None:
    from bench.support import local_table

    with local_table() as database:
        from devstack.pump import SyncPump

        emulator, emulator_url = start_emulator_process()
        queue, sqs_url = start_sqs_process()
        pump = SyncPump(run=("relay",), sqs_endpoint=sqs_url, poll_interval=RELAY_POLL, **PUMP).start()
        fleet = Fleet(sqs_url)
        meters = Meters({"DynamoDB Local": [database.process.pid], "QBO emulator": [emulator.pid],
                         "SQS server": [queue.pid]})
        try:
            measure(count, bulk, emulator_url, fleet, meters)
        finally:
            fleet.stop()
            pump.stop()
            queue.kill()
            emulator.kill()


# the queue as deployed (deploy/resources.json: visibility timeout 6 × 170 s; here 180 s, which no run reaches), the
# schedules off (the sweeper would only hint again what is already hinted)
PUMP = dict(sweep_every=3600, visibility_timeout=180)
# each worker process polls the queue every WORKERS × 20 ms when it found nothing, so the fleet polls about every
# 20 ms (Lambda's pollers long-poll; moto's server answers one request at a time, so a long poll would hold the rest)
WORKER_POLL = WORKERS * 0.02
# how often the relay reads the table's stream: Lambda's poller reads a shard 4 times a second (devstack's pump polls
# every 50 ms, which sends an account with a steady stream of changes about five times the hints Lambda would)
RELAY_POLL = float(os.environ.get("TENANTS_RELAY_POLL", "0.25"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sqs_process() -> tuple[subprocess.Popen, str]:
    """moto's SQS as a server of its own, which the relay here and the worker processes share."""
    return start_server("devstack.sqs_server", "/")


class Fleet:
    """WORKERS worker processes, each one receive loop (batches of WORKER_BATCH) calling app.sync_worker."""

    def __init__(self, sqs_url: str) -> None:
        self.sqs_url, self.processes = sqs_url, []
        self.stats: dict = {"received": [], "handled": [], "worker_batches": 0, "messages": 0, "failures": 0,
                            "errors": []}

    def start(self) -> None:
        task = json.dumps({"sqs_endpoint": self.sqs_url})
        self.processes = [subprocess.Popen([sys.executable, __file__, "--worker"], cwd=ROOT, text=True,
                                           env=dict(os.environ, TENANTS_TASK=task), stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE) for _ in range(WORKERS)]

    def stop(self) -> dict:
        """Stops the loops; answers what went through them (each process prints its pump's stats when told)."""
        for process in self.processes:
            if process.poll() is None:
                answer, _ = process.communicate("", timeout=60)
                for name, value in json.loads(answer.strip().splitlines()[-1]).items():
                    self.stats[name] += value
        self.processes = []
        return self.stats


def run_worker() -> None:
    """One worker instance: a receive loop until this process's stdin closes, then its pump's stats as JSON."""
    from devstack.pump import SyncPump

    task = json.loads(os.environ["TENANTS_TASK"])
    pump = SyncPump(run=("worker",), worker_batch_size=WORKER_BATCH, sqs_endpoint=task["sqs_endpoint"],
                    poll_interval=WORKER_POLL, **PUMP)
    pump.start()
    sys.stdin.read()
    pump.stop()
    print(json.dumps({name: getattr(pump.stats, name)
                      for name in ("received", "handled", "worker_batches", "messages", "failures", "errors")}),
          flush=True)


def queued_messages() -> str:
    """How many messages wait in the sync queue (SQS's approximate count)."""
    from chalicelib.workers.queue import queue_url, sqs_client

    attributes = sqs_client().get_queue_attributes(QueueUrl=queue_url(), AttributeNames=["ApproximateNumberOfMessages"])
    return attributes["Attributes"]["ApproximateNumberOfMessages"]


def process_cpu_seconds(pid: int) -> float:
    """A process's user + system CPU seconds, from /proc (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(count: int, bulk: int, emulator_url: str, fleet: Fleet, meters: "Meters") -> None:
    started = time.perf_counter()
    tenants = set_up(emulator_url, count)
    fleet.start()  # after the set-up: the worker processes inherit its QBO settings
    meters.roles["workers"] = [process.pid for process in fleet.processes]
    setup_seconds = time.perf_counter() - started
    print(f"setup: {count} companies, and {count} accounts connected through POST /qbo/connect → consent → "
          f"/qbo/callback: {setup_seconds:.1f} s ({1000 * setup_seconds / count:.0f} ms an account, with a customer "
          f"and a first credit each)", flush=True)
    deadline = time.monotonic() + 300
    while any(pending(t) for t in tenants) and time.monotonic() < deadline:
        time.sleep(0.5)
    print(f"warm: every account's customer and first credit synced {time.perf_counter() - started:.1f} s after the "
          f"setup began", flush=True)
    watch, stop, ready, starts = Watch(), threading.Event(), threading.Event(), []
    threading.Thread(target=watcher, args=(watch, stop, ready), daemon=True).start()
    ready.wait(30)
    bulky, quiet = tenants[0], tenants[1:]
    load = start_load("quiet", {"tenants": [asdict(t) for t in quiet],
                                "seconds": SETTLE_SECONDS + QUIET_SECONDS + BULK_SECONDS})
    reading = ThreadPoolExecutor(1).submit(read_commits, load, watch, starts)
    meters.roles["API callers"] = [load.pid]
    time.sleep(SETTLE_SECONDS)
    starts.append(time.perf_counter())
    phases = [Phase.begin("quiet", meters)]
    time.sleep(QUIET_SECONDS)
    starts.append(time.perf_counter())
    phases = [phases[0].end(meters), Phase.begin("bulk", meters)]
    if CONTROL:
        soft_disconnect(bulky)
    importing = start_load("import", {"owner": bulky.owner, "customer_id": bulky.customer_id, "count": bulk})
    meters.roles["API callers"].append(importing.pid)
    committed = reading.result()
    phases[1] = phases[1].end(meters)
    waiting = queued_messages()
    left = pending(bulky)
    drain = time.monotonic() + 60
    while watch.outstanding() and time.monotonic() < drain:
        time.sleep(0.2)
    stop.set()
    importing.kill()
    stats = fleet.stop()
    report(watch, committed, count, bulk, bulky, left, emulator_url, stats)
    report_fleet(phases, stats, bulky)
    print(f"queue at the end of the import's {BULK_SECONDS:g} s: {waiting} messages waiting")


def soft_disconnect(tenant: Tenant) -> None:
    from chalice.test import Client

    from app import app
    from chalicelib.login_tokens import issue_token

    with Client(app) as client:
        api_call(client, "post", "/qbo/disconnect", issue_token("bench-staff", tenant.account_id, staff=True),
                 {"mode": "soft"})


def cpu_ticks() -> tuple[int, int]:
    """The machine's (busy, total) CPU ticks since boot, from /proc/stat (0, 0 where there is none)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_pressure() -> float:
    """Seconds, since boot, in which some runnable task waited for a CPU (Linux's PSI; 0 where there is none)."""
    try:
        with open("/proc/pressure/cpu") as pressure:
            return int(pressure.readline().rpartition("total=")[2]) / 1e6
    except (OSError, ValueError):
        return 0.0


@dataclass
class Meters:
    """The run's processes by role, whose CPU the report splits out (this process: the relay and the stream reader)."""

    roles: dict[str, list[int]]

    def cpu_seconds(self) -> dict[str, float]:
        return {**{role: sum(process_cpu_seconds(pid) for pid in pids) for role, pids in self.roles.items()},
                "relay and stream reader": time.process_time()}


@dataclass
class Phase:
    """A phase of the run on the wall clock, with the machine's CPU ticks and pressure and each role's CPU at its
    ends; after end(): the machine's busy share, the share of time some task waited for a CPU, each role's cores."""

    name: str
    start: float
    ticks: tuple[int, int]
    pressure: float
    cpu: dict[str, float]
    stop: float = 0.0
    busy: float = 0.0
    waited: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)

    @classmethod
    def begin(cls, name: str, meters: Meters) -> "Phase":
        return cls(name, time.time(), cpu_ticks(), cpu_pressure(), meters.cpu_seconds())

    def end(self, meters: Meters) -> "Phase":
        busy, total = cpu_ticks()
        self.stop, self.busy = time.time(), (busy - self.ticks[0]) / max(1, total - self.ticks[1])
        seconds = max(1e-9, self.stop - self.start)
        self.waited = (cpu_pressure() - self.pressure) / seconds
        self.cores = {role: (used - self.cpu.get(role, 0.0)) / seconds for role, used in meters.cpu_seconds().items()}
        return self


def report_fleet(phases: list[Phase], stats: dict, bulky: Tenant) -> None:
    """Whether the others waited for a worker (the fleet taken by the import) or ran slower once they had one (the
    machine's CPU, shared here by the API, DynamoDB Local, the emulator and the workers)."""
    bulk_group = f"push:{bulky.account_id}"
    for phase in phases:
        waits = [received - sent for group, sent, received in stats["received"]
                 if group.startswith("push:") and group != bulk_group and phase.start <= sent < phase.stop]
        wait = summary(waits)
        took = summary([done - received for group, received, done in stats["handled"]
                        if group.startswith("push:") and group != bulk_group and phase.start <= received < phase.stop])
        cores = ", ".join(f"{role} {used:.2f}" for role, used in phase.cores.items())
        print(f"{phase.name}: the others' push hints waited for a worker median {1000 * wait[0]:.0f} ms, p95 "
              f"{1000 * wait[1]:.0f} ms ({len(waits)} hints), and their worker invocations took median "
              f"{1000 * took[0]:.0f} ms, p95 {1000 * took[1]:.0f} ms; the machine's CPU {100 * phase.busy:.0f} % busy "
              f"({os.cpu_count()} cores), some task waiting for a CPU {100 * phase.waited:.0f} % of the time; "
              f"cores used: {cores}")


def report(watch: Watch, committed: int, count: int, bulk: int, bulky: Tenant, left: int, emulator_url: str,
           stats: dict) -> None:
    import requests

    quiet, busy = summary(watch.lags.get("quiet", [])), summary(watch.lags.get("bulk", []))
    print(f"load: {count - 1} accounts, a credit each every {EVERY:g} s ({(count - 1) / EVERY:.0f}/s offered, "
          f"{committed} committed); relay reads the stream every {RELAY_POLL:g} s; {WORKERS} worker processes, "
          f"batches of {WORKER_BATCH}; SYNC_PUSH_SLICE="
          f"{os.environ.get('SYNC_PUSH_SLICE', '(default)')}"
          + ("; CONTROL: the bulk account softly disconnected, its import pushes nothing" if CONTROL else ""))
    print(f"the {count - 1}, commit → synced, without the bulk account ({len(watch.lags.get('quiet', []))} credits in "
          f"{QUIET_SECONDS:g} s): median {1000 * quiet[0]:.0f} ms, p95 {1000 * quiet[1]:.0f} ms")
    print(f"the {count - 1}, commit → synced, while one account imports {bulk} credits "
          f"({len(watch.lags.get('bulk', []))} credits in its first {BULK_SECONDS:g} s): median "
          f"{1000 * busy[0]:.0f} ms, p95 {1000 * busy[1]:.0f} ms; p95 {busy[1] / max(quiet[1], 1e-9):.2f} x the "
          f"quiet run's (goal: ≤ 2000 ms and ≤ 1.5 x)")
    company = f"{emulator_url}/_control/companies/{bulky.realm_id}"
    qbo = requests.get(f"{company}/stats", timeout=10).json()
    memos = len(requests.get(f"{company}/books", timeout=60).json()["objects"].get("CreditMemo", []))
    print(f"bulk account after {BULK_SECONDS:g} s: {memos - 1} of its {bulk} credits in its books, {left} pending; "
          f"QBO requests {qbo.get('requests', 0)}, throttled (429) {qbo.get('status_429', 0)}")
    print(f"workers: {stats['worker_batches']} batches, {stats['messages']} messages, {stats['failures']} handed "
          f"back, errors {len(stats['errors'])} {stats['errors'][:3]}; not seen synced after a 60 s drain: "
          f"{watch.outstanding()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--quiet"]:
        run_quiet()
    elif sys.argv[1:2] == ["--worker"]:
        run_worker()
    elif sys.argv[1:2] == ["--import"]:
        run_import()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
