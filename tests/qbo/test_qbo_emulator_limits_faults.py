"""Emulator throttling limits and injected faults, through python-quickbooks."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects import Customer


def _count(qb):
    return Customer.count(qb=qb)


def test_default_limits_are_qbos(realm):
    assert realm.limits() == {"enabled": True, "per_minute": 500, "concurrent": 10, "batch_per_minute": 40}


def test_requests_per_minute_limit_follows_the_emulator_clock(realm):
    realm.limits(per_minute=5)
    qb = realm.quickbooks()
    for _ in range(5):
        _count(qb)
    with pytest.raises(ValidationException) as exc:
        _count(qb)
    assert exc.value.error_code == 3001
    realm.advance(61)
    assert _count(qb) == 0


def test_limits_can_be_switched_off(realm):
    realm.limits(per_minute=1, enabled=False)
    qb = realm.quickbooks()
    assert [_count(qb) for _ in range(5)] == [0] * 5


def test_concurrent_request_limit(realm):
    realm.limits(concurrent=3)
    realm.faults(latency_ms=200)
    qb = realm.quickbooks()

    def one(_):
        try:
            _count(qb)
            return "ok"
        except ValidationException as exc:
            return exc.error_code

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(8)))
    assert "ok" in outcomes and 3001 in outcomes


def test_batch_requests_per_minute_limit(realm):
    realm.limits(batch_per_minute=2)
    qb = realm.quickbooks()
    body = '{"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Customer"}]}'
    qb.batch_operation(body)
    qb.batch_operation(body)
    with pytest.raises(ValidationException) as exc:
        qb.batch_operation(body)
    assert exc.value.error_code == 3001
    assert _count(qb) == 0  # plain requests still pass


def test_throttle_as_xml_and_throttle_next_n(realm):
    realm.faults(throttle_next=1, throttle_xml=True)
    qb = realm.quickbooks()
    with pytest.raises(QuickbooksException) as exc:
        _count(qb)
    assert "ThrottleExceeded" in str(exc.value) and exc.value.error_code == 10000
    assert _count(qb) == 0


def test_throttle_fraction(realm):
    realm.faults(throttle_fraction=0.5, seed=7)
    qb = realm.quickbooks()
    outcomes = []
    for _ in range(20):
        try:
            outcomes.append(_count(qb))
        except ValidationException as exc:
            outcomes.append(exc.error_code)
    assert 0 in outcomes and 3001 in outcomes


def test_fail_next_requests_with_5xx(realm):
    realm.faults(fail_next=2, fail_status=503)
    qb = realm.quickbooks()
    for _ in range(2):
        with pytest.raises(QuickbooksException) as exc:
            _count(qb)
        assert exc.value.error_code == 10000
    assert _count(qb) == 0
    raw = realm.faults(fail_next=1, fail_status=500)
    assert raw["fail_status"] == 500
    resp = requests.post(f"{realm.emulator.api_base}/company/{realm.realm_id}/query", data="SELECT * FROM Customer",
                         headers={"Authorization": "Bearer " + realm.info["access_token"]}, timeout=5)
    assert resp.status_code == 500 and resp.json()["Fault"]["type"] == "SystemFault"


def test_latency_is_injected_without_changing_answers(realm):
    realm.faults(latency_ms=20)
    assert _count(realm.quickbooks()) == 0


def test_dropped_connection_after_commit_then_requestid_retry_finds_it(realm):
    realm.faults(drop_after_commit_next=1)
    qb = realm.quickbooks()
    c = Customer()
    c.DisplayName = "Dropped"
    with pytest.raises(requests.exceptions.ConnectionError):
        c.save(qb=qb, request_id="cust-dropped")
    assert [x["DisplayName"] for x in realm.books()["objects"]["Customer"]] == ["Dropped"]  # it happened
    c2 = Customer()
    c2.DisplayName = "Dropped"
    again = c2.save(qb=qb, request_id="cust-dropped")
    assert again.DisplayName == "Dropped" and _count(qb) == 1
