"""The realm budget against DynamoDB Local and the emulator (its limits on): processes sharing one company stay
inside its minute and its in-flight limit, a dead process's slot lapses, a 429 is learned, and the item moves exactly
as the domain says. Each "process" is a RealmBudgets of its own (a Lambda's share), with its own QboClient."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.realm_budget import BudgetLimits, RealmBudget, apply, draw
from chalicelib.ports.qbo_budget import BudgetConflict
from chalicelib.qbo.budget import RealmBudgets
from chalicelib.qbo.errors import QboThrottledError
from chalicelib.store.realm_budget import DynamoBudgetStore
from tests.qbo.conftest import QboAccount, Realm


def budget_env(monkeypatch, **numbers: object) -> None:
    """The budget's QBO_BUDGET_* settings for this test (the suite's default paces it for tests without limits)."""
    for name, value in numbers.items():
        monkeypatch.setenv(f"QBO_BUDGET_{name.upper()}", str(value))


def client_of(account: QboAccount, budget: RealmBudgets, **settings: object):
    """A QboClient whose requests draw on `budget` (one process's share of the realm)."""
    from chalicelib.qbo.client import build_client
    from tests.qbo.conftest import emulator_settings

    client = build_client(account.account_id, settings=emulator_settings(account.realm, **settings),
                          store=account.store)
    client.session.budget = budget
    return client


class Virtual:
    """One clock for the budget's processes and the emulator (frozen; it moves only when a process waits), so
    minutes of QBO's pace pass in an instant."""

    def __init__(self, realm: Realm) -> None:
        self.realm = realm
        answer = realm.control("POST", "clock", {"freeze": True})
        self.now = datetime.fromisoformat(answer["now"]).timestamp()
        self.waited = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.now += seconds
            self.waited += seconds
            self.realm.advance(seconds)


def round_robin(clients: list, requests: int) -> int:
    """Requests taking turns between the processes, every sixth a batch; answers how many were throttled for good."""
    throttled = 0
    for n in range(requests):
        client = clients[n % len(clients)]
        try:
            if n % 6 == 0:
                client.post("batch", {"BatchItemRequest": [
                    {"bId": "1", "operation": "create", "Customer": {"DisplayName": f"B {uuid.uuid4().hex[:10]}"}}]})
            else:
                client.query("SELECT * FROM Customer MAXRESULTS 1")
        except QboThrottledError:
            throttled += 1
    return throttled


def test_processes_sharing_a_company_at_its_limits_never_meet_a_429(qbo_account, monkeypatch):
    realm = qbo_account.realm
    realm.limits(enabled=True, per_minute=20, batch_per_minute=3, concurrent=10)
    budget_env(monkeypatch, requests_per_minute=20, batches_per_minute=3)
    virtual = Virtual(realm)
    clients = [client_of(qbo_account, RealmBudgets(virtual.clock, virtual.sleep)) for _ in range(3)]
    before = realm.stats()
    assert round_robin(clients, 60) == 0
    after = realm.stats()
    assert after.get("status_429", 0) == before.get("status_429", 0)
    assert after["requests"] - before["requests"] == 60 and after["batch_requests"] - before.get("batch_requests", 0) == 10
    assert virtual.waited > 2 * 60  # 60 requests and 10 batches at 20 and 3 a minute: minutes of QBO's pace


def test_without_the_budget_the_same_processes_overrun_the_company(qbo_account, monkeypatch):
    """The control: each process alone is polite, together they are not (so the test above can fail)."""
    realm = qbo_account.realm
    realm.limits(enabled=True, per_minute=20, batch_per_minute=3, concurrent=10)
    monkeypatch.setenv("QBO_REALM_BUDGET", "off")
    virtual = Virtual(realm)
    clients = [client_of(qbo_account, RealmBudgets(virtual.clock, virtual.sleep), max_attempts=2) for _ in range(3)]
    assert round_robin(clients, 60) > 0 and realm.stats()["status_429"] > 0


def test_a_process_writes_the_budget_once_per_block_not_once_per_request(qbo_account, monkeypatch):
    """The budget's cost: 60 requests in a row take 1, 2, 4, 8 and then 10 cells a write (slots renewed with them),
    and no cell taken goes unused."""
    realm = qbo_account.realm
    realm.limits(enabled=True, per_minute=500, batch_per_minute=40, concurrent=10)
    budget_env(monkeypatch, requests_per_minute=500, batches_per_minute=40, block=10)
    virtual = Virtual(realm)
    process = RealmBudgets(virtual.clock, virtual.sleep)
    client = client_of(qbo_account, process)
    for _ in range(60):
        client.query("SELECT * FROM Customer MAXRESULTS 1")
    stats = process.stats(realm.realm_id)
    assert stats["requests"] == 60 and stats["throttled"] == 0
    assert stats["takes"] + stats["conflicts"] <= 10 and stats["lapsed"] == 0


def reads_in_threads(clients: list, reads: int) -> list:
    errors: list = []

    def work(client) -> None:
        for _ in range(reads):
            try:
                client.read("CompanyInfo", client.realm_id)
            except Exception as error:  # noqa: BLE001 - collected for the assertion
                errors.append(error)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_processes_never_have_more_requests_in_flight_than_the_company_allows(qbo_account, monkeypatch):
    realm = qbo_account.realm
    realm.limits(enabled=True, per_minute=10_000, concurrent=2)
    realm.faults(latency_ms=150)  # requests overlap
    budget_env(monkeypatch, in_flight=2, lease_seconds=0.5)
    processes = [RealmBudgets() for _ in range(3)]
    clients = [client_of(qbo_account, p, connect_timeout=0.5, read_timeout=1.5, max_attempts=1) for p in processes]
    assert reads_in_threads(clients, 4) == []
    assert realm.stats().get("status_429", 0) == 0
    assert sum(p.stats(realm.realm_id)["waits"] for p in processes) >= 1  # the third waited for a slot


def test_without_slots_three_processes_overrun_two_in_flight(qbo_account, monkeypatch):
    realm = qbo_account.realm
    realm.limits(enabled=True, per_minute=10_000, concurrent=2)
    realm.faults(latency_ms=150)
    monkeypatch.setenv("QBO_REALM_BUDGET", "off")
    clients = [client_of(qbo_account, RealmBudgets(), max_attempts=1) for _ in range(3)]
    assert reads_in_threads(clients, 4) and realm.stats()["status_429"] > 0


def test_the_slot_of_a_process_that_died_lapses_and_another_takes_it(qbo_account, monkeypatch):
    realm = qbo_account.realm
    held = set(DynamoBudgetStore().current(realm.realm_id).leases)  # the consent's (its process lives on)
    budget_env(monkeypatch, in_flight=len(held) + 1, lease_seconds=0.5)
    dead, alive = RealmBudgets(), RealmBudgets()
    client_of(qbo_account, dead, connect_timeout=0.5, read_timeout=1).read("CompanyInfo", realm.realm_id)
    [slot] = set(DynamoBudgetStore().current(realm.realm_id).leases) - held  # the last slot; then its Lambda dies
    client_of(qbo_account, alive, connect_timeout=0.5, read_timeout=1).read("CompanyInfo", realm.realm_id)
    leases = set(DynamoBudgetStore().current(realm.realm_id).leases)
    assert slot not in leases and len(leases - held) == 1
    assert alive.stats(realm.realm_id)["waits"] >= 1 and alive.stats(realm.realm_id)["requests"] == 1


def test_a_429_from_qbo_slows_the_company_down_for_every_process(qbo_account, monkeypatch):
    realm = qbo_account.realm
    budget_env(monkeypatch, requests_per_minute=500, batches_per_minute=40)
    first, second = RealmBudgets(), RealmBudgets()
    realm.faults(throttle_next=1)
    client_of(qbo_account, first).read("CompanyInfo", realm.realm_id)  # a 429, then the retry goes through
    learned = DynamoBudgetStore().current(realm.realm_id)
    assert learned.factor == 0.5 and learned.slow_until > learned.tat
    assert first.stats(realm.realm_id)["throttled"] == 1
    before = DynamoBudgetStore().current(realm.realm_id).tat
    client_of(qbo_account, second).read("CompanyInfo", realm.realm_id)
    after = DynamoBudgetStore().current(realm.realm_id).tat  # the other process's cell: spaced at half the rate
    assert second.stats(realm.realm_id)["takes"] == 1
    assert after - before == pytest.approx(2 * BudgetLimits().request_interval())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(-5, 5), st.integers(0, 6), st.booleans(), st.booleans()), min_size=1,
                max_size=8))
def test_the_item_moves_exactly_as_the_domain_says_even_from_a_stale_view(credits_table, takes):
    store, realm_id, limits = DynamoBudgetStore(), f"r{uuid.uuid4().hex}", BudgetLimits()
    expected, seen, now = RealmBudget(), RealmBudget(), 1_000_000.0
    for gap, singles, batch, stale in takes:
        now += gap
        taken = draw(expected, now, singles, batch, limits)
        for _ in range(3):
            try:
                after = store.take(realm_id, seen, taken, None, 0.0, limits.in_flight)
                break
            except BudgetConflict as conflict:  # the write was guessed from a stale view
                seen = conflict.current
        expected = apply(expected, taken)
        assert (after.tat, after.batch_tat) == pytest.approx((expected.tat, expected.batch_tat))
        seen = RealmBudget() if stale else after


def test_every_call_path_spends_the_companys_budget(http, realm, monkeypatch):
    """Consent (code exchange and CompanyInfo), push, pull, parity, retry, re-sync, token refresh and revoke: every
    request the emulator served went through the budget, and every OAuth call about the company spent a cell."""
    from chalicelib.qbo.budget import BUDGETS
    from chalicelib.services.sync import jobs
    from chalicelib.services.sync.pull import pull_changes
    from chalicelib.services.sync.push import push_pending
    from tests.conftest import make_account
    from tests.qbo.consent import connect, point_at

    point_at(realm, monkeypatch)
    hints: list = []
    monkeypatch.setattr(jobs, "send_hint", lambda job: hints.append(job.id))
    account = make_account(http)
    assert account.staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    realm.limits(enabled=False)

    def spent(step) -> tuple[int, int, int]:
        """(requests QBO served, requests and batches the budget let go, OAuth calls it paid for) during `step`."""
        served, budget = realm.stats().get("requests", 0), BUDGETS.stats(realm.realm_id)
        step()
        now = BUDGETS.stats(realm.realm_id)
        return (realm.stats().get("requests", 0) - served, now["requests"] + now["batches"] - budget["requests"]
                - budget["batches"], now["oauth"] - budget["oauth"])

    def credit() -> str:
        return account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"}).json["id"]

    def resync() -> None:
        job_id = account.staff.post("/qbo/resyncs", {}).json["id"]
        while jobs.run_job(job_id).status == "running":
            pass

    assert spent(lambda: connect(account.owner, realm)) == (1, 1, 1)  # the code exchange, then CompanyInfo
    credit()
    pushed = spent(lambda: push_pending(account.id))
    pulled = spent(lambda: pull_changes(realm.realm_id))
    checked = spent(lambda: account.owner.get("/qbo/parity"))
    retried = spent(lambda: account.owner.post(f"/qbo/objects/credit/{credit()}/retry"))
    credit()  # left for the re-sync to create
    resynced = spent(resync)
    for served, budgeted, oauth in (pushed, pulled, checked, retried, resynced):
        assert served == budgeted > 0 and oauth == 0
    realm.advance(2 * 3600)  # the access token expires at QBO: a refused request, a refresh, the request again
    served, budgeted, oauth = spent(lambda: pull_changes(realm.realm_id))
    assert budgeted == served + 1 and oauth == 1  # QBO does not count the request it refused
    assert spent(lambda: account.staff.post("/qbo/disconnect", {"mode": "soft"})) == (0, 0, 1)  # the revoke
