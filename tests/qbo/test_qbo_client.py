"""Client layer against the emulator: refresh with rotation, retries, requestid, stale tokens, errors."""
from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from chalicelib.qbo.auth import TokenManager
from chalicelib.qbo.config import PRODUCTION_API, SANDBOX_API, QboSettings
from chalicelib.qbo.errors import (QboAuthError, QboDuplicateNameError, QboNotFoundError, QboStaleObjectError, QboThrottledError,
                                   QboValidationError)
from chalicelib.qbo.money import dumps, from_cents, loads, to_cents
from chalicelib.qbo.requestids import make_request_id
from chalicelib.qbo.tokens import TokenConflictError


def _memo(cust_id: str, cents: int, doc: str = "") -> dict:
    return {"CustomerRef": {"value": cust_id}, "DocNumber": doc,
            "Line": [{"Amount": from_cents(cents), "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {}}]}


def _rid() -> str:
    return make_request_id("test", uuid.uuid4().hex)


def test_settings_from_env_read_when_called(monkeypatch, realm):
    monkeypatch.setenv("QBO_ENVIRONMENT", realm.emulator.discovery_url)
    monkeypatch.delenv("QBO_API_BASE", raising=False)
    monkeypatch.setenv("QBO_CLIENT_ID", "cid")
    assert QboSettings.from_env().api_base == realm.emulator.api_base
    monkeypatch.setenv("QBO_API_BASE", "http://elsewhere/v3/")
    assert QboSettings.from_env().api_base == "http://elsewhere/v3"
    assert QboSettings.from_env({"QBO_ENVIRONMENT": "production"}).api_base == PRODUCTION_API
    assert QboSettings.from_env({"QBO_ENVIRONMENT": "sandbox"}).api_base == SANDBOX_API


def test_package_import_is_light():
    code = ("import sys, chalicelib.qbo, chalicelib.qbo.config, chalicelib.qbo.errors, chalicelib.qbo.webhooks, "
            "chalicelib.qbo.tokens, chalicelib.qbo.money, chalicelib.qbo.requestids; "
            "assert 'quickbooks' not in sys.modules and 'boto3' not in sys.modules, sys.modules.keys()")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))


def test_money_is_decimal_and_cents():
    assert to_cents(Decimal("10.10")) == 1010 and to_cents(7) == 700 and from_cents(1999) == Decimal("19.99")
    with pytest.raises(TypeError):
        to_cents(10.1)
    assert dumps({"a": Decimal("19.99")}) == '{"a": 19.99}'
    assert loads('{"a": 0.1}')["a"] == Decimal("0.1")


def test_create_read_query_and_cdc(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    since = datetime.now(timezone.utc) - timedelta(minutes=1)
    made = client.create("CreditMemo", _memo(cust, 1999), request_id=_rid())
    assert made["TotalAmt"] == Decimal("19.99") and to_cents(made["RemainingCredit"]) == 1999
    assert client.read("CreditMemo", made["Id"])["Id"] == made["Id"]
    for n in range(4):
        client.create("CreditMemo", _memo(cust, 100 + n), request_id=_rid())
    assert len(client.query_all("CreditMemo", page_size=2)) == 5
    assert client.count("CreditMemo", f"CustomerRef = '{cust}'") == 5
    changed = client.cdc(["CreditMemo", "Payment"], since)
    assert len(changed["CreditMemo"]) == 5 and changed["Payment"] == []


def test_expired_token_mid_run_refreshes_and_persists_rotated_token(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    client.create("CreditMemo", _memo(cust, 500), request_id=_rid())
    before = qbo_account.store.get(qbo_account.account_id)
    qbo_account.realm.advance(3601)  # QBO clock passes the access-token lifetime mid-run
    client.create("CreditMemo", _memo(cust, 600), request_id=_rid())
    after = qbo_account.store.get(qbo_account.account_id)
    assert client.session.stats["auth_refreshes"] == 1
    assert after.version == before.version + 1 and after.refresh_token != before.refresh_token
    assert after.access_token == client.session.access_token
    # a brand-new worker starts from the persisted (rotated) tokens
    assert qbo_account.client().count("CreditMemo") == 2


def test_proactive_refresh_when_our_clock_says_expired(qbo_account):
    later = lambda: datetime.now(timezone.utc) + timedelta(hours=2)  # noqa: E731
    client = qbo_account.client(now=later)
    assert client.count("Customer") == 0
    assert qbo_account.store.get(qbo_account.account_id).version == 2


def test_two_workers_refreshing_at_once_keep_the_newest_token(qbo_account):
    store = qbo_account.store
    barrier = threading.Barrier(2)

    class RacingStore:
        """Both workers read version 1 before either writes."""
        def __init__(self):
            self.first = threading.local()

        def get(self, account_id):
            conn = store.get(account_id)
            if not getattr(self.first, "done", False):
                self.first.done = True
                barrier.wait(timeout=10)
            return conn

        def rotate(self, *args):
            return store.rotate(*args)

    racing = RacingStore()
    start = store.get(qbo_account.account_id)
    managers = [TokenManager(qbo_account.account_id, racing, qbo_account.settings) for _ in range(2)]
    results: list = [None, None]

    def work(i):
        results[i] = managers[i].refresh(start.access_token)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    final = store.get(qbo_account.account_id)
    assert final.version == 2  # exactly one rotation persisted
    assert results[0].refresh_token == results[1].refresh_token == final.refresh_token
    with pytest.raises(TokenConflictError):  # the loser's write is refused
        store.rotate(start, "a", "b", datetime.now(timezone.utc))
    qbo_account.realm.advance(3601)
    assert qbo_account.client().count("Customer") == 0  # the persisted refresh token still works


def test_throttle_storm_is_retried_with_backoff(qbo_account):
    client = qbo_account.client()
    qbo_account.realm.faults(throttle_next=3)
    assert client.count("Customer") == 0
    assert client.session.stats["throttled"] == 3
    qbo_account.realm.faults(throttle_next=2, throttle_xml=True)
    assert client.count("Customer") == 0
    qbo_account.realm.faults(throttle_next=50, throttle_xml=False)
    with pytest.raises(QboThrottledError):
        client.count("Customer")
    qbo_account.realm.faults(throttle_next=0)


def test_server_errors_are_retried(qbo_account):
    client = qbo_account.client()
    qbo_account.realm.faults(fail_next=2, fail_status=503)
    assert client.count("Customer") == 0
    assert client.session.stats["server_errors"] == 2


def test_dropped_connection_after_commit_leaves_no_duplicate(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    qbo_account.realm.faults(drop_after_commit_next=1)
    made = client.create("CreditMemo", _memo(cust, 4200), request_id=make_request_id("create", "CreditMemo", "c-1"))
    assert client.session.stats["connection_errors"] == 1
    memos = qbo_account.realm.books()["objects"]["CreditMemo"]
    assert [m["Id"] for m in memos] == [made["Id"]]
    assert qbo_account.realm.stats()["replayed"] == 1


def test_stale_sync_token_then_update_fresh(qbo_account):
    client = qbo_account.client()
    realm = qbo_account.realm
    cust = realm.customer()["Id"]
    memo = client.create("CreditMemo", _memo(cust, 1000, "D-1"), request_id=_rid())
    realm.control("POST", f"objects/CreditMemo/{memo['Id']}", {"PrivateNote": "accountant edit"})
    with pytest.raises(QboStaleObjectError):
        client.sparse_update("CreditMemo", memo["Id"], memo["SyncToken"], {"PrivateNote": "ours"}, _rid())
    updated = client.update_fresh("CreditMemo", memo["Id"], lambda cur: {"PrivateNote": "ours"}, "k1")
    assert updated["SyncToken"] == "2" and updated["PrivateNote"] == "ours"
    assert updated["DocNumber"] == "D-1" and updated["TotalAmt"] == Decimal("10.00")  # sparse kept the rest


def test_errors_are_classified(qbo_account):
    client = qbo_account.client()
    with pytest.raises(QboNotFoundError):
        client.read("Invoice", "98765")
    with pytest.raises(QboValidationError) as exc:
        client.create("CreditMemo", _memo("555555", 100), request_id=_rid())
    assert exc.value.code == 2500  # unknown CustomerRef: Invalid Reference Id, as QBO answers
    with pytest.raises(QboDuplicateNameError):
        client.create("Customer", {"DisplayName": "Twin"}, _rid())
        client.create("Customer", {"DisplayName": "Twin"}, _rid())
    from chalicelib.qbo.auth import build_auth_client
    conn = qbo_account.store.get(qbo_account.account_id)
    build_auth_client(qbo_account.settings).revoke(token=conn.refresh_token)
    with pytest.raises(QboAuthError):
        client.count("Customer")


def test_payment_void_and_delete_through_client(qbo_account):
    client = qbo_account.client()
    cust = qbo_account.realm.customer()["Id"]
    memo = client.create("CreditMemo", _memo(cust, 5000), _rid())
    inv = client.create("Invoice", _memo(cust, 3000), _rid())
    pay = client.create("Payment", {"CustomerRef": {"value": cust}, "TotalAmt": Decimal("0"), "Line": [
        {"Amount": from_cents(2000), "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]},
        {"Amount": from_cents(2000), "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]}, _rid())
    assert to_cents(client.read("CreditMemo", memo["Id"])["RemainingCredit"]) == 3000
    client.void_payment(pay["Id"], pay["SyncToken"], _rid())
    assert to_cents(client.read("CreditMemo", memo["Id"])["RemainingCredit"]) == 5000
    fresh = client.read("Payment", pay["Id"])
    client.delete("Payment", fresh["Id"], fresh["SyncToken"], _rid())
    client.delete("CreditMemo", memo["Id"], memo["SyncToken"], _rid())
    assert client.count("CreditMemo") == 0
