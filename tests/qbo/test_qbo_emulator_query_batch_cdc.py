"""Emulator query subset, batch, CDC and requestid replay, through python-quickbooks."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects import CreditMemo, Customer
from quickbooks.objects.base import Ref
from quickbooks.objects.detailline import SalesItemLine


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


def _memo_obj(cust_id: str, amount, doc: str = "") -> CreditMemo:
    memo = CreditMemo()
    ref = Ref()
    ref.value = cust_id
    memo.CustomerRef = ref
    line = SalesItemLine()
    line.Amount = amount
    memo.Line = [line]
    memo.DocNumber = doc
    return memo


def test_query_where_order_paging_and_count(realm, qb):
    cust = realm.customer()["Id"]
    other = realm.customer()["Id"]
    for n in range(5):
        _memo_obj(cust, 10 + n, f"D{n}").save(qb=qb)
    _memo_obj(other, 99).save(qb=qb)
    rows = CreditMemo.where(f"CustomerRef = '{cust}'", order_by="TotalAmt DESC", qb=qb)
    assert [r.TotalAmt for r in rows] == [14, 13, 12, 11, 10]
    page = CreditMemo.query(f"SELECT * FROM CreditMemo WHERE CustomerRef = '{cust}' ORDER BY DocNumber "
                            f"STARTPOSITION 2 MAXRESULTS 2", qb=qb)
    assert [r.DocNumber for r in page] == ["D1", "D2"]
    assert CreditMemo.count(qb=qb) == 6
    assert CreditMemo.count(f"TotalAmt > '12' AND CustomerRef = '{cust}'", qb=qb) == 2
    since = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    assert len(CreditMemo.where(f"MetaData.LastUpdatedTime > '{since}'", order_by="MetaData.LastUpdatedTime",
                                qb=qb)) == 6
    assert CreditMemo.where("DocNumber IN ('D0', 'D4')", qb=qb)[0].DocNumber == "D0"


def test_query_by_get_and_unqueryable_field(realm, qb):
    realm.customer("Only One")
    url = f"{qb.api_url}/company/{realm.realm_id}/query"
    got = qb.get(url, params={"query": "select * from Customer where DisplayName = 'Only One'"})
    assert got["QueryResponse"]["Customer"][0]["DisplayName"] == "Only One"
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Payment WHERE UnappliedAmt > '0'")
    assert exc.value.error_code == 4001  # QueryValidationError: UnappliedAmt is not filterable


def test_batch_create_chunks_and_per_item_faults(realm, qb):
    cust = realm.customer()["Id"]
    memos = [_memo_obj(cust, 1 + n) for n in range(34)] + [_memo_obj("777777", 5)]
    before = realm.stats().get("requests", 0)
    result = batch_create(memos, qb=qb)
    assert realm.stats()["requests"] - before == 2  # 35 items -> 30 + 5
    assert len(result.successes) == 34 and len(result.faults) == 1
    assert result.faults[0].Error[0].code == "2500"  # unknown CustomerRef


def test_batch_over_30_items_is_rejected_and_items_cannot_see_each_other(realm, qb):
    cust = realm.customer()["Id"]
    too_many = {"BatchItemRequest": [{"bId": str(n), "operation": "create",
                                      "Customer": {"DisplayName": f"c{n}"}} for n in range(31)]}
    with pytest.raises(QuickbooksException) as exc:
        qb.batch_operation(json.dumps(too_many))
    assert exc.value.error_code == 1040
    assert realm.books()["objects"]["Customer"] == [realm.books()["objects"]["Customer"][0]]  # nothing ran
    next_id = str(int(cust) + 1)
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "a", "operation": "create", "Customer": {"DisplayName": "fresh"}},
        {"bId": "b", "operation": "create",
         "CreditMemo": {"CustomerRef": {"value": next_id}, "Line": [{"Amount": 5, "DetailType": "SalesItemLineDetail"}]}},
    ]}))
    items = {i["bId"]: i for i in answer["BatchItemResponse"]}
    assert items["a"]["Customer"]["Id"] == next_id
    assert items["b"]["Fault"]["Error"][0]["code"] == "2500"  # not visible yet: an invalid reference


def test_cdc_returns_changes_and_deleted_objects(realm, qb):
    cust = realm.customer()["Id"]
    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    keep = _memo_obj(cust, 5).save(qb=qb)
    gone = _memo_obj(cust, 6).save(qb=qb)
    CreditMemo.get(gone.Id, qb=qb).delete(qb=qb)
    cdc = change_data_capture([CreditMemo, Customer], since, qb=qb)
    memos = {m.Id: m for m in cdc.CreditMemo}
    assert memos[keep.Id].TotalAmt == 5
    assert memos[gone.Id].status == "Deleted"
    assert [c.Id for c in cdc.Customer] == [cust]
    realm.advance(600)
    later = change_data_capture([CreditMemo], datetime.now(timezone.utc) + timedelta(minutes=5), qb=qb)
    assert len(later.CreditMemo) == 0


def test_requestid_replays_the_first_answer_without_a_second_effect(realm, qb):
    cust = realm.customer()["Id"]
    first = _memo_obj(cust, 12).save(qb=qb, request_id="cm-123")
    again = _memo_obj(cust, 12).save(qb=qb, request_id="cm-123")
    assert first.Id == again.Id
    assert CreditMemo.count(qb=qb) == 1
    assert realm.stats()["replayed"] == 1
