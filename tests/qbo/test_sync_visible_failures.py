"""Issue 20 §1-4: every sync failure shows where users look (the object and the status panel) while the engine keeps
retrying, drift shows on the object, a push QBO refuses never reads synced, and reconnecting pushes at once. Through
the API, the sync workers (the dev stack's pump) and the emulator, with the account connected through consent."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.conftest import Account
from tests.qbo import consent
from tests.qbo.conftest import Realm


def _wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture
def synced(http, credits_table, realm, monkeypatch) -> Account:
    consent.point_at(realm, monkeypatch, attempts=2)
    return consent.connected_account(http, realm)


@pytest.fixture
def pump_factory(credits_table):
    from devstack.pump import SyncPump

    started = []

    def start(*run: str, **options):
        started.append(SyncPump(sweep_every=3600, visibility_timeout=0, run=run, **options).start())
        return started[-1]

    yield start
    for pump in started:
        pump.stop()


def _credit(account: Account, amount: str = "25.00", customer: int = 0) -> dict:
    reply = account.owner.post("/credits", {"customer_id": account.customers[customer], "amount": amount})
    assert reply.status == 201, reply.body
    return reply.json


def _memos(realm: Realm, number: str) -> list[dict]:
    return [m for m in realm.books()["objects"]["CreditMemo"] if m.get("DocNumber") == number]


def _panel(account: Account) -> dict:
    reply = account.owner.get("/qbo/status")
    assert reply.status == 200, reply.body
    return reply.json


def _deliver_until(pump, condition, rounds: int = 30):
    """Play the event source mapping: receive what the queue holds and hand it to the worker, until `condition`."""
    for _ in range(rounds):
        if condition():
            return True
        got = pump._sqs().receive_message(QueueUrl=pump.queue_url, MaxNumberOfMessages=10,
                                          MessageSystemAttributeNames=["All"]).get("Messages", [])
        if got:
            pump.deliver(got)
        else:
            time.sleep(0.05)
    return condition()


# 1. persistent failures are listed while retries go on --------------------------------------------------------------

def test_qbo_answering_500_shows_on_the_object_and_panel_after_3_tries_and_clears_by_itself(synced, realm,
                                                                                              pump_factory):
    from chalicelib.workers import sweeper

    pump = pump_factory("relay")
    realm.faults(fail_next=100_000, fail_status=500)
    credit = _credit(synced)
    tries = 0

    def shown_as_error() -> bool:
        return synced.owner.get(f"/credits/{credit['id']}").json["sync_status"] == "error"

    while not shown_as_error() and tries < 10:  # each try: a hint, a push QBO answers with 500 (the message returns)
        _deliver_until(pump, lambda: False, rounds=1)
        sweeper.run(datetime.now(timezone.utc) + timedelta(hours=1))  # its capped backoff has passed: hinted again
        tries += 1
    shown = synced.owner.get(f"/credits/{credit['id']}").json
    assert shown["sync_status"] == "error" and "500" in (shown["sync_error"] or ""), shown
    panel = _panel(synced)
    [error] = [e for e in panel["errors"] if e["object_id"] == credit["id"]]
    assert error["number"] == credit["number"] and error["code"] == "500" and error["attempts"] >= 3
    assert error["retrying"] is True and error["last_attempt_at"] and error["next_retry_at"] > error["at"]
    assert panel["pending"] == 2  # its customer (pushed first) and it still wait for a push: the engine keeps trying
    assert [e["object_type"] for e in panel["errors"]] == ["credit", "customer"]
    listed = synced.owner.get("/credits").json["data"]
    assert [c["sync_status"] for c in listed if c["id"] == credit["id"]] == ["error"]

    realm.faults(fail_next=0)  # QBO answers again: nobody presses retry
    sweeper.run(datetime.now(timezone.utc) + timedelta(hours=1))
    assert _deliver_until(pump, lambda: synced.owner.get(f"/credits/{credit['id']}").json["sync_status"] == "synced")
    assert len(_memos(realm, credit["number"])) == 1
    assert [e for e in _panel(synced)["errors"] if e["object_id"] == credit["id"]] == []


def test_a_message_past_its_last_receive_reaches_the_dead_letter_queue_and_the_panel_says_so(synced, realm,
                                                                                             pump_factory):
    pump = pump_factory("relay", "worker", max_receive_count=2)
    realm.faults(fail_next=100_000, fail_status=503)
    credit = _credit(synced)
    assert _wait_for(pump.dead_letters), pump.stats
    letters = _wait_for(lambda: _panel(synced)["dead_letters"])
    assert [d["hint"] for d in letters] == [f"push:{synced.id}"]
    assert letters[0]["receives"] == 2 and "redrive" in letters[0]["message"]

    realm.faults(fail_next=0)
    from chalicelib.workers.queue import PUSH, Hint, send

    send([Hint(PUSH, synced.id, "after-the-outage")])  # a later push of the account (as a redrive would be)
    assert _wait_for(lambda: synced.owner.get(f"/credits/{credit['id']}").json["sync_status"] == "synced")
    assert _wait_for(lambda: _panel(synced)["dead_letters"] == [])


def test_a_refused_token_shows_at_once_the_account_must_reconnect(synced, realm):
    from chalicelib.services.sync.push import PushDeferred, push_pending
    from chalicelib.store.qbo_connections import DynamoTokenStore

    credit = _credit(synced)
    held = DynamoTokenStore().get(synced.id)
    requests.post(f"{realm.emulator.url}/oauth2/v1/tokens/revoke", data={"token": held.refresh_token},
                  auth=(realm.info["client_id"], realm.info["client_secret"]), timeout=10)  # revoked at Intuit
    with pytest.raises(PushDeferred):
        push_pending(synced.id)
    shown = synced.owner.get(f"/credits/{credit['id']}").json
    assert shown["sync_status"] == "error", shown
    [error] = [e for e in _panel(synced)["errors"] if e["object_id"] == credit["id"]]
    assert error["attempts"] == 1 and error["retrying"] is True


# 2. drift shows on the object; 3. a push QBO refuses never reads synced ----------------------------------------

def _push(account_id: str):
    from chalicelib.services.sync.push import push_pending

    return push_pending(account_id)


def _pull(realm: Realm):
    from chalicelib.services.sync.pull import pull_changes

    return pull_changes(realm.realm_id)


def _sale(owner, customer_id: str, amount: str) -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "charges": [],
                                         "lines": [{"description": "Crate", "quantity": "1", "unit_price": amount}]})
    assert reply.status == 201, reply.body
    return reply.json


def test_an_accountant_lowering_our_memo_is_drift_on_the_credit_and_a_use_of_it_waits_for_the_repair(synced, realm):
    owner = synced.owner
    credit = _credit(synced, "40.00")
    _push(synced.id)
    _pull(realm)  # the first read after connecting
    [memo] = _memos(realm, credit["number"])
    line = next(line for line in memo["Line"] if line.get("DetailType") == "SalesItemLineDetail")
    realm.control("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": [
        {**line, "Amount": "30.00", "SalesItemLineDetail": {**line["SalesItemLineDetail"], "UnitPrice": "30.00"}}]})
    _pull(realm)

    drifted = owner.get(f"/credits/{credit['id']}").json
    assert drifted["sync_status"] == "drift", drifted
    assert "40.00" in drifted["sync_error"] and "30.00" in drifted["sync_error"]  # ours and theirs
    assert [c["sync_status"] for c in owner.get("/credits").json["data"] if c["id"] == credit["id"]] == ["drift"]
    csv_row = [r for r in owner.get("/credits", headers={"Accept": "text/csv"}).body.decode().splitlines()
               if credit["number"] in r][0]
    assert '"drift"' in csv_row and "30.00" in csv_row
    [row] = [e for e in _panel(synced)["errors"] if e["code"] == "qbo_drift"]
    assert row["number"] == credit["number"] and row["object_type"] == "credit"

    order = _sale(owner, synced.customers[0], "25.00")
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments", {"tenders": [], "credits": "fifo"})
    assert paid.status == 201, paid.body
    report = _push(synced.id)
    assert report.parked == [] and not any(k == "use" for k, _ in report.pushed), report

    payment = owner.get(f"/payments/{paid.json['id']}").json
    assert payment["sync_status"] == "error" and f"repair of {credit['number']}'s drift" in payment["sync_error"]
    invoice = owner.get(f"/invoices/{order['invoice_id']}").json
    assert invoice["sync_status"] == "error" and invoice["payments"][0]["sync_status"] == "error"
    waiting = [e for e in _panel(synced)["errors"] if e["code"] == "waiting"]
    assert waiting and f"{credit['number']}'s drift" in waiting[0]["message"]
    assert waiting[0]["object_type"] == "use" and waiting[0]["number"] == paid.json["number"]  # its payment's
    assert realm.books()["objects"]["Invoice"][0]["Balance"] == 25  # nothing was linked over the accountant's memo

    repaired = owner.post("/qbo/parity/repair", {}, headers={"Idempotency-Key": "repair-drift-1"})
    assert repaired.status == 200 and repaired.json["failed"] == [], repaired.body
    assert owner.get("/qbo/parity").json["differences"] == []
    for path in (f"/credits/{credit['id']}", f"/payments/{paid.json['id']}", f"/invoices/{order['invoice_id']}"):
        shown = owner.get(path).json
        assert (shown["sync_status"], shown["sync_error"]) == ("synced", None), (path, shown)
    use = owner.get(f"/payments/{paid.json['id']}").json["credit_uses"][0]
    assert use["qbo_id"] and use["sync_status"] == "synced"
    assert _panel(synced)["errors"] == []


def test_a_payment_made_wholly_of_credits_reads_synced_once_its_uses_are_in_qbo(synced, realm):
    owner = synced.owner
    _credit(synced, "30.00")
    order = _sale(owner, synced.customers[0], "20.00")
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments", {"tenders": [], "credits": "fifo"}).json
    assert owner.get(f"/payments/{paid['id']}").json["sync_status"] == "pending"
    _push(synced.id)
    shown = owner.get(f"/payments/{paid['id']}").json
    assert shown["sync_status"] == "synced" and shown["qbo_id"] is None  # no Payment of its own: its uses are there
    [use] = shown["credit_uses"]
    linking = [p for p in realm.books()["objects"]["Payment"] if p["Id"] == use["qbo_id"]]
    assert linking and linking[0]["TotalAmt"] == 0
    listed = owner.get(f"/payments?invoice_id={order['invoice_id']}").json["data"]
    assert [p["sync_status"] for p in listed] == ["synced"]


# 4. reconnecting pushes at once ---------------------------------------------------------------------------------

def test_a_soft_reconnect_hands_the_pending_work_to_the_worker_at_once(synced, realm, pump_factory):
    pump = pump_factory("worker")  # no relay and no sweeper: only the reconnect can bring the credit out
    assert synced.staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    credit = _credit(synced)
    time.sleep(0.3)
    assert not _memos(realm, credit["number"])
    consent.connect(synced.owner, realm)
    assert _wait_for(lambda: _memos(realm, credit["number"])), pump.stats
    assert _wait_for(lambda: synced.owner.get(f"/credits/{credit['id']}").json["sync_status"] == "synced")
