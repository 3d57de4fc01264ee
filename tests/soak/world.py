"""One soak run's world: a fresh table, a connected account, its own emulator realm, and the sync path driven by hand.

The sync path is the deployed one, stepped by the soak instead of by threads so a run is repeatable: the table's
real stream → `sync_relay` → a FIFO queue with its DLQ (moto, through devstack's SyncPump with no loops) →
`sync_worker` (push, pull and lifecycle job hints), `sync_sweeper` and the CDC sweep; the emulator's signed webhooks
are caught by a receiver and handed to `POST /qbo/webhook`. Faults are armed here and consumed by the next steps.
The account connects through Intuit's consent flow (the emulator's consent page), one-way or two-way as the seed
chose; `tests/soak/lifecycle.py` disconnects, reconnects and re-syncs it.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import requests

from tests.conftest import Account, Reply
from tests.qbo.conftest import Realm, emulator_settings
from tests.qbo.consent import callback, connected_account
from tests.qbo.inbound_stack import VERIFIER, Delivery, Receiver

THROTTLE_CODES = ("ProvisionedThroughputExceededException", "ThrottlingException")


class WorkerCrash(Exception):
    """The soak killed a worker between a QBO write and recording its id (the Lambda died there)."""


@dataclass
class Faults:
    """Faults armed by the plan, consumed by the next calls that meet them."""

    ddb_throttle: int = 0  # DynamoDB calls still to fail with a throttling error
    ddb_fired: int = 0  # how many fired since the counter was last read (a 5xx is only excused by one)
    drop_relay: int = 0  # stream batches to lose (the process died between commit and enqueue)
    crash_after_write: int = 0  # pushes whose QBO write succeeds and whose recording never happens
    sqs_chaos: int = 0  # worker batches delivered shuffled, then again (duplicate + reordered)
    webhook_chaos: int = 0  # webhook batches shuffled, some twice, some held back
    suspended: bool = False  # the soak's own reads (choosing targets, checking) are never throttled
    fired: dict = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.fired[name] = self.fired.get(name, 0) + 1


class World:
    """Everything one run needs; `close()` tears it down (env restored by the caller's monkeypatch)."""

    def __init__(self, http: Any, emulator: Any, setenv: Callable[[str, str], None], *, rng_seed: int,
                 two_way: bool = True) -> None:
        from chalicelib.store.qbo_connections import DynamoTokenStore
        from chalicelib.store.tables import create_table
        from devstack.pump import SyncPump

        self.http, self.rng = http, random.Random(rng_seed)
        self.faults = Faults()
        setenv("CREDITS_TABLE", f"credits-soak-{uuid.uuid4().hex[:10]}")
        create_table()
        info = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
        self.realm = Realm(emulator, info)
        settings = emulator_settings(self.realm)
        for name, value in {"QBO_ENVIRONMENT": settings.environment, "QBO_API_BASE": settings.api_base,
                            "QBO_CLIENT_ID": settings.client_id, "QBO_CLIENT_SECRET": settings.client_secret,
                            "QBO_REDIRECT_URI": settings.redirect_uri, "QBO_RETRY_ATTEMPTS": "2",
                            "QBO_RETRY_BASE_SECONDS": "0.001", "QBO_RETRY_MAX_SECONDS": "0.005",
                            "QBO_WEBHOOK_VERIFIER": VERIFIER}.items():
            setenv(name, value)
        # visibility 0: a message the worker gives back is received again by the next step, not after a wait
        self.pump = SyncPump(visibility_timeout=0, max_receive_count=4, run=()).start()
        self.receiver = Receiver()
        requests.post(f"{emulator.url}/_control/clients/{info['client_id']}/webhooks",
                      json={"url": self.receiver.url, "verifier": VERIFIER}, timeout=10).raise_for_status()
        self.account: Account = connected_account(http, self.realm, credit_sync=two_way)
        self.store = DynamoTokenStore()
        self.realms = [self.realm]  # every company the account was connected to, the current one last
        self.two_way = two_way  # the qbo_credit_sync switch as the soak last set it
        self.two_way_past = two_way  # two-way was on while the account held the current company
        self.state = "connected"  # the connection: connected, soft (softly disconnected) or none (hard)
        self.jobs: list[str] = []  # lifecycle jobs the soak started (hard disconnects, re-syncs, the switch)
        self.needs_resync = False  # connected to a new company whose mass re-sync has not finished yet
        self.resync_job: str | None = None  # the last re-sync started
        self.spare_company: Realm | None = None  # a new company made for a reconnect refused while clearing
        self.stream = StreamReader()
        self.held_webhooks: list[Delivery] = []
        self._hooks = _install_hooks(self)
        self.pull_now()  # the first read after connecting sets the realm's watermark (a full read of an empty company)

    def close(self) -> None:
        self._hooks()
        self.receiver.stop()
        self.pump.stop()

    # --- the accountant, in QBO ----------------------------------------------------------------------------------
    def accountant(self, method: str, path: str, body: Any = None) -> dict | None:
        """An edit as a QBO user; QBO may refuse it (then nothing changed and None comes back)."""
        resp = requests.request(method, f"{self.realm.emulator.url}/_control/companies/{self.realm.realm_id}/{path}",
                                json=body, timeout=10)
        return resp.json() if resp.status_code == 200 else None

    def books(self) -> dict:
        return self.realm.books()["objects"]

    # --- the connection ---------------------------------------------------------------------------------------------
    def new_company(self) -> Realm:
        """Another company of the same OAuth client (the customer's other QBO account), rate limits off as for the
        first one; its webhooks reach the same receiver (they are registered per client)."""
        info = requests.post(f"{self.realm.emulator.url}/_control/companies",
                             json={"client_id": self.realm.info["client_id"]}, timeout=10).json()
        realm = Realm(self.realm.emulator, info)
        realm.limits(enabled=False)
        return realm

    def consent(self, realm: Realm) -> Reply:
        """The owner connects `realm`'s company through Intuit's consent (POST /qbo/connect, the consent page, the
        browser's trip to GET /qbo/callback). A 5xx an injected throttle explains, or QBO unreachable while the
        callback proves the token (nothing is stored: 503 qbo_unavailable), is a user starting again."""
        for _ in range(20):
            self.faults.ddb_fired = 0
            started = self.account.owner.post("/qbo/connect", {})
            if started.status >= 500 and self._excused():
                continue
            assert started.status == 200, (started.status, started.body)
            page = requests.get(started.json["authorization_url"], params={"realm_id": realm.realm_id},
                                allow_redirects=False, timeout=10)
            assert page.status_code == 302, page.text
            query = parse_qs(urlsplit(page.headers["Location"]).query)
            reply = callback(self.http, {name: values[0] for name, values in query.items()})
            unreachable = reply.status == 503 and reply.json["error"]["code"] == "qbo_unavailable"
            if reply.status >= 500 and (self._excused() or unreachable):
                continue
            return reply
        raise AssertionError("the consent flow kept failing")

    def job(self, job_id: str) -> dict:
        with self.reading():
            reply = self.account.staff.get(f"/qbo/jobs/{job_id}")
        assert reply.status == 200, (reply.status, reply.body)
        return reply.json

    def running_jobs(self) -> list[dict]:
        return [job for job in map(self.job, self.jobs) if job["status"] == "running"]

    def resume_jobs(self) -> int:
        """A running job whose step is no longer queued (it reached the DLQ after its receives) is resumed, as
        support does (`POST /qbo/jobs/{id}/resume`; harmless when a step is still queued)."""
        resumed = 0
        for job in self.running_jobs():
            with self.reading():
                reply = self.account.staff.post(f"/qbo/jobs/{job['id']}/resume", {})
            assert reply.status == 202, (reply.status, reply.body)
            resumed += 1
        return resumed

    def qbo_stats(self) -> dict[str, int]:
        """The emulator's answers by status, over every company the account was connected to."""
        totals: dict[str, int] = {}
        for realm in self.realms:
            for key, value in realm.stats().items():
                if key.startswith("status_"):
                    totals[key] = totals.get(key, 0) + value
        return totals

    # --- the sync path, one step at a time -------------------------------------------------------------------------
    def relay(self) -> int:
        """What the stream holds now → the relay Lambda, unless a crash between commit and enqueue loses it."""
        from devstack.pump import stream_record

        records = self.stream.read()
        if not records:
            return 0
        if self.faults.drop_relay:
            self.faults.drop_relay -= 1
            self.faults.count("relay_lost")
            return 0  # nothing else will send these hints: the sweeper must find the pending marks
        event = {"Records": [stream_record(r, self.stream.arn) for r in records]}
        self.pump.relay(event, None)
        return len(records)

    def webhooks(self) -> int:
        """The emulator's webhooks so far → POST /qbo/webhook, possibly shuffled, duplicated or held back."""
        requests.post(f"{self.realm.emulator.url}/_control/webhooks/flush", json={}, timeout=10)
        deliveries = self.held_webhooks + self.receiver.take()
        self.held_webhooks = []
        if self.faults.webhook_chaos and deliveries:
            self.faults.webhook_chaos -= 1
            self.faults.count("webhooks_shuffled")
            self.rng.shuffle(deliveries)
            keep = self.rng.randint(0, len(deliveries) - 1)
            self.held_webhooks = deliveries[keep + 1:]  # delivered late, with the next batch
            deliveries = deliveries[:keep + 1]
            deliveries += self.rng.sample(deliveries, k=self.rng.randint(0, len(deliveries)))  # and some twice
        for delivery in deliveries:
            reply = self.http.post("/qbo/webhook", raw=delivery.body.decode(),
                                   headers={"intuit-signature": delivery.signature})
            if reply.status >= 500 and self._excused():
                self.held_webhooks.append(delivery)  # the route failed on a throttled table: QBO retries
                continue
            assert reply.status == 200, (reply.status, reply.body)
        return len(deliveries)

    def work(self, max_batches: int = 40) -> int:
        """The worker Lambda over whatever the queue holds (partial batch failures come back at once)."""
        sqs, handled = self.pump._sqs(), 0
        for _ in range(max_batches):
            got = sqs.receive_message(QueueUrl=self.pump.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                      MessageSystemAttributeNames=["All"]).get("Messages", [])
            if not got:
                break
            if self.faults.sqs_chaos:
                self.faults.sqs_chaos -= 1
                self.faults.count("sqs_duplicated")
                shuffled = list(got)
                self.rng.shuffle(shuffled)
                self.pump.worker({"Records": [_record(m, self.pump.queue_arn) for m in shuffled]}, None)
            self.pump.deliver(got)
            handled += len(got)
        return handled

    def sweep(self, *, ahead: float = 0) -> None:
        """Both schedules: stale pushes and due retries (`ahead` seconds in the future), and the CDC sweep."""
        from chalicelib.workers import sweeper

        now = datetime.now(timezone.utc) + timedelta(seconds=ahead)
        for job in (lambda: sweeper.run(now), lambda: sweeper.run_cdc(now)):
            try:
                job()
            except Exception:  # noqa: BLE001 - a throttled schedule runs again next time
                if not self._excused():
                    raise

    def step(self) -> None:
        """What the Lambdas would do meanwhile: relay, webhooks, worker."""
        self._guarded(self.relay)
        self.webhooks()
        self.work()

    def pull_now(self) -> None:
        from chalicelib.qbo.client import build_client
        from chalicelib.services.sync.pull import pull_changes

        pull_changes(self.realm.realm_id, client=build_client(self.account.id, settings=emulator_settings(self.realm),
                                                                store=self.store))

    def drain(self, rounds: int = 30, *, settle: bool = False) -> int:
        """Faults off, then every Lambda until nothing is pending (parked objects aside), the queue is empty and no
        lifecycle job runs (one whose step reached the DLQ is resumed). With `settle`, objects that only wait for
        something of ours (a use of a credit whose memo the accountant changed waits for that drift's repair) may
        stay, once they stayed the same for 3 rounds: the check repairs, then drains again without `settle`."""
        from chalicelib.domain.sync import WAITING

        self.quiet()
        unchanged, before, parked_before = 0, None, None
        for n in range(rounds):
            far = n % 3 == 2
            self.step()
            self.sweep(ahead=3600 * 2 if far else 200)  # stale hints; every third round also due retries
            self.work()
            self.step()
            if self.held_webhooks or self._queued() or self.resume_jobs():
                continue
            waiting = self.waiting()
            if not waiting:
                # what is parked is retried by the sweeper within the hour: once more after such a retry, unless
                # that changed nothing (a refusal QBO keeps up)
                parked = set(self.parked())
                if not parked or (far and parked == parked_before):
                    return n + 1
                parked_before = parked if far else parked_before
                continue
            if settle and set(waiting.values()) == {WAITING}:
                unchanged = unchanged + 1 if set(waiting) == before else 0
                before = set(waiting)
                if unchanged >= 3:
                    return n + 1
        raise AssertionError(f"did not drain in {rounds} rounds: {self.waiting()}")

    def parked(self) -> list[tuple[str, str, str | None]]:
        """(kind, id, error code) of what is parked: refused, waiting for a retry (the sweeper's, or a person's)."""
        from chalicelib.store.models import CreditItem
        from chalicelib.store.sync_state import parse_sync_sk, pending_pk

        found = []
        with self.reading():
            for item in CreditItem.pending_sync.query(pending_pk(self.account.id), attributes_to_get=[
                    "sync_sk", "sync_error", "sync_error_code", "sync_retrying"]):
                if item.sync_error and not item.sync_retrying:
                    _, kind, object_id = parse_sync_sk(item.sync_sk)
                    found.append((kind, object_id, item.sync_error_code))
        return found

    def waiting(self) -> dict[tuple[str, str], str | None]:
        """What the account still has to push, not parked: (kind, id) → the error code of its last failure (None:
        not tried yet; `waiting`: it waits for something of ours first, and its sync_error says what). Only what
        the account pushes now: nothing while it is disconnected, and no credit or use in one-way (one left pending
        when two-way was switched off stays pending until it is switched on again)."""
        from chalicelib.domain.sync_modes import ONE_WAY_KINDS, TWO_WAY_KINDS
        from chalicelib.store.models import CreditItem
        from chalicelib.store.sync_state import parse_sync_sk, pending_pk

        if self.state != "connected":
            return {}
        kinds = TWO_WAY_KINDS if self.two_way else ONE_WAY_KINDS
        found = {}
        with self.reading():
            for item in CreditItem.pending_sync.query(pending_pk(self.account.id), attributes_to_get=[
                    "sync_sk", "sync_error", "sync_error_code", "sync_retrying"]):
                if item.sync_error and not item.sync_retrying:
                    continue  # parked: refused, waits for a person's retry
                _, kind, object_id = parse_sync_sk(item.sync_sk)
                if kind in kinds:
                    found[(kind, object_id)] = item.sync_error_code
        return found

    def quiet(self) -> None:
        """Every fault cleared: what is left is the product's own behaviour."""
        self.realm.faults(fail_next=0, throttle_next=0, drop_after_commit_next=0)
        self.faults.ddb_throttle = self.faults.drop_relay = self.faults.crash_after_write = 0
        self.faults.sqs_chaos = self.faults.webhook_chaos = 0

    def reading(self):
        """A block of the soak's own reads: no injected throttle fires inside it."""
        return _Suspended(self.faults)

    def _queued(self) -> int:
        attrs = self.pump._sqs().get_queue_attributes(
            QueueUrl=self.pump.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def _guarded(self, job: Callable[[], Any]) -> None:
        """A Lambda invocation that may fail on an injected throttle (its event source retries it)."""
        try:
            job()
        except Exception:  # noqa: BLE001
            if not self._excused():
                raise

    def _excused(self) -> bool:
        """True once per injected DynamoDB throttle that fired: only those may turn into a failure."""
        fired, self.faults.ddb_fired = self.faults.ddb_fired, 0
        return fired > 0


class _Suspended:
    def __init__(self, faults: Faults) -> None:
        self.faults, self.before = faults, faults.suspended

    def __enter__(self) -> None:
        self.faults.suspended = True

    def __exit__(self, *_exc) -> None:
        self.faults.suspended = self.before


def _record(message: dict, queue_arn: str) -> dict:
    from devstack.pump import sqs_record

    return sqs_record(message, queue_arn)


class StreamReader:
    """The table's stream read to its current end on each call (every shard, from the trim horizon)."""

    def __init__(self) -> None:
        from chalicelib import config
        from chalicelib.store.tables import dynamodb_client
        from devstack.pump import _streams_client

        self.arn = dynamodb_client().describe_table(TableName=config.table_name())["Table"]["LatestStreamArn"]
        self.streams = _streams_client()
        self.iterators: dict[str, str] = {}
        self.finished: set[str] = set()

    def read(self) -> list[dict]:
        for shard in self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators and shard_id not in self.finished:
                self.iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records: list[dict] = []
        for shard_id, iterator in list(self.iterators.items()):
            while True:
                answer = self.streams.get_records(ShardIterator=iterator, Limit=100)
                records += answer.get("Records", [])
                iterator = answer.get("NextShardIterator")
                if not iterator:
                    self.finished.add(shard_id)
                    del self.iterators[shard_id]
                    break
                self.iterators[shard_id] = iterator
                if not answer.get("Records"):
                    break
        return records


def _install_hooks(world: World) -> Callable[[], None]:
    """DynamoDB throttling on the store's one botocore client, the worker crash after a QBO write, and a mass re-sync
    that does not wait for its pacing (the emulator's rate limits are off, as the retry waits are tiny)."""
    from botocore.exceptions import ClientError

    from chalicelib.services.sync import documents, resync
    from chalicelib.store.tables import dynamodb_client

    faults = world.faults

    def throttle(model=None, **_kw) -> None:
        if faults.ddb_throttle > 0 and not faults.suspended:
            faults.ddb_throttle -= 1
            faults.ddb_fired += 1
            faults.count("ddb_throttled")
            code = world.rng.choice(THROTTLE_CODES)
            raise ClientError({"Error": {"Code": code, "Message": "Rate of requests exceeds the allowed throughput"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}, model.name if model else "Unknown")

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", throttle, unique_id="soak-throttle")
    originals = dict(documents.PUSHERS)

    def crashing(kind: str, push: Callable) -> Callable:
        def run(ctx, entity):
            pushed = push(ctx, entity)
            if faults.crash_after_write > 0:
                faults.crash_after_write -= 1
                faults.count("worker_crashed")
                raise WorkerCrash(f"killed after writing {kind} {getattr(entity, 'id', '?')} to QBO, before recording it")
            return pushed
        return run

    for kind, push in originals.items():
        documents.PUSHERS[kind] = crashing(kind, push)
    paced_step = resync.step

    def unpaced_step(job, **options):
        return paced_step(job, **{"sleep": lambda seconds: None, **options})

    resync.step = unpaced_step

    def remove() -> None:
        events.unregister("before-call.dynamodb", unique_id="soak-throttle")
        documents.PUSHERS.update(originals)
        resync.step = paced_step
    return remove
