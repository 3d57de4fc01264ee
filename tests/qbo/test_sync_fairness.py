"""Fair across accounts (issue: many accounts share the queue and the workers; bench/tenants.py measures the times).

Against DynamoDB Local, the QBO emulator and moto's SQS FIFO queue (devstack's pump, driven by hand as Lambda's
event source mapping would): a queued push run takes a slice of its account's pending work and hands the rest back
with a continuation in the account's message group; the continuations finish it with the books matching (parity
clean); and an account whose hint shares a worker batch with the backlogged account's waits for one slice of that
backlog, not for all of it. Counts and order only, never times.
"""
from __future__ import annotations

import pytest
import requests

from chalicelib.store.sync_state import sync_overview
from tests.conftest import Account
from tests.qbo.conftest import Realm
from tests.qbo.consent import connected_account, qbo_env as realm_env

SLICE = 30
BACKLOG = 75  # credits: slices of 30, 30 and 15


@pytest.fixture
def env(realm: Realm, monkeypatch):
    for name, value in {**realm_env(realm, attempts=2), "SYNC_PUSH_SLICE": str(SLICE)}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def pump_factory(credits_table):
    from devstack.pump import SyncPump

    started = []

    def start() -> SyncPump:  # no loops: the test is the event source mapping
        started.append(SyncPump(sweep_every=3600, visibility_timeout=1, run=()).start())
        return started[-1]

    yield start
    for pump in started:
        pump.stop()


def new_credits(account: Account, count: int) -> list[str]:
    numbers = []
    for n in range(count):
        reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": f"{n + 1}.00"})
        assert reply.status == 201, reply.body
        numbers.append(reply.json["number"])
    return numbers


def memo_numbers(realm: Realm) -> list[str]:
    return sorted(m["DocNumber"] for m in realm.books()["objects"]["CreditMemo"])


def pending_credits(account: Account) -> int:
    return sync_overview(account.id, kinds=frozenset({"credit"})).pending


def receive(pump) -> list[dict]:
    """One receive of up to 10 messages, as the worker's event source mapping makes it."""
    return pump._sqs().receive_message(QueueUrl=pump.queue_url, MaxNumberOfMessages=10,
                                       MessageSystemAttributeNames=["All"]).get("Messages", [])


def test_a_backlog_goes_a_slice_a_run_and_the_account_beside_it_waits_for_one_slice(
        http, realm, qbo_emulator, env, pump_factory):
    from chalicelib.workers.queue import PUSH, Hint, send

    other_realm = Realm(qbo_emulator, requests.post(f"{qbo_emulator.url}/_control/companies",
                                                    json={"client_id": realm.info["client_id"]}, timeout=10).json())
    bulky, other = connected_account(http, realm), connected_account(http, other_realm)
    numbers, theirs = new_credits(bulky, BACKLOG), new_credits(other, 1)
    pump = pump_factory()
    send([Hint(PUSH, bulky.id, "import"), Hint(PUSH, other.id, "change")])
    batch = receive(pump)
    assert [bulky.id in m["Body"] for m in batch] == [True, False]  # one invocation, the backlog's hint first

    assert pump.deliver(batch) == set()

    assert memo_numbers(other_realm) == theirs  # pushed after one slice of the backlog ...
    first = memo_numbers(realm)
    assert 0 < len(first) <= SLICE  # ... not after all of it
    assert pending_credits(bulky) == BACKLOG - len(first)  # the rest is still pending
    runs = 1
    while batch := receive(pump):  # the continuations, one run each, in the backlogged account's group only
        assert [m["Attributes"]["MessageGroupId"] for m in batch] == [f"push:{bulky.id}"]
        assert pump.deliver(batch) == set()
        runs += 1
    assert runs == -(-BACKLOG // SLICE)
    assert memo_numbers(realm) == sorted(numbers)  # every credit once
    assert pending_credits(bulky) == 0
    parity = bulky.owner.get("/qbo/parity")
    assert parity.status == 200 and parity.json["differences"] == [], parity.json

