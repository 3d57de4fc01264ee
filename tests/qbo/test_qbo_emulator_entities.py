"""Emulator entity CRUD, SyncToken, faults and QBO-derived balances, through python-quickbooks."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException
from quickbooks.objects import CreditMemo, Customer, Invoice, Payment
from quickbooks.objects.base import Ref
from quickbooks.objects.detailline import SalesItemLine
from quickbooks.objects.payment import PaymentLine
from quickbooks.objects.base import LinkedTxn


def _ref(value: str) -> Ref:
    ref = Ref()
    ref.value = value
    return ref


def _line(amount) -> SalesItemLine:
    line = SalesItemLine()
    line.Amount = amount
    return line


def _memo(qb, cust_id: str, amount) -> CreditMemo:
    memo = CreditMemo()
    memo.CustomerRef = _ref(cust_id)
    memo.Line = [_line(amount)]
    return memo.save(qb=qb)


def _invoice(qb, cust_id: str, amount) -> Invoice:
    inv = Invoice()
    inv.CustomerRef = _ref(cust_id)
    inv.Line = [_line(amount)]
    return inv.save(qb=qb)


def _payment(qb, cust_id: str, total, links: list[tuple[str, str, object]]) -> Payment:
    pay = Payment()
    pay.CustomerRef = _ref(cust_id)
    pay.TotalAmt = total
    for txn_type, txn_id, amount in links:
        line = PaymentLine()
        line.Amount = amount
        lt = LinkedTxn()
        lt.TxnId, lt.TxnType = txn_id, txn_type
        line.LinkedTxn = [lt]
        pay.Line.append(line)
    return pay.save(qb=qb)


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


@pytest.fixture()
def cust(realm) -> str:
    return realm.customer()["Id"]


def test_create_read_full_and_sparse_update_and_delete(realm, qb, cust):
    memo = _memo(qb, cust, 25)
    assert memo.SyncToken == "0" and memo.MetaData["CreateTime"] and memo.TotalAmt == 25
    read = CreditMemo.get(memo.Id, qb=qb)
    read.PrivateNote = "full update"
    updated = read.save(qb=qb)
    assert updated.SyncToken == "1" and updated.PrivateNote == "full update"
    sparse = qb.update_object("CreditMemo", json.dumps({"Id": memo.Id, "SyncToken": "1", "sparse": True,
                                                       "DocNumber": "CM-9"}))["CreditMemo"]
    assert sparse["SyncToken"] == "2" and sparse["DocNumber"] == "CM-9" and sparse["PrivateNote"] == "full update"
    assert sparse["MetaData"]["LastUpdatedTime"] >= sparse["MetaData"]["CreateTime"]
    CreditMemo.get(memo.Id, qb=qb).delete(qb=qb)
    with pytest.raises(ObjectNotFoundException) as exc:
        CreditMemo.get(memo.Id, qb=qb)
    assert exc.value.error_code == 610


def test_stale_sync_token_is_5010(qb, cust):
    memo = _memo(qb, cust, 10)
    fresh = CreditMemo.get(memo.Id, qb=qb)
    fresh.PrivateNote = "first"
    fresh.save(qb=qb)
    memo.PrivateNote = "second with old token"
    with pytest.raises(QuickbooksException) as exc:
        memo.save(qb=qb)
    assert exc.value.error_code == 5010


def test_missing_object_is_610(qb):
    with pytest.raises(ObjectNotFoundException):
        Invoice.get("99999", qb=qb)


def test_business_rule_violation_is_6000(qb, cust):
    with pytest.raises(QuickbooksException) as exc:
        _memo(qb, cust, -5)
    assert exc.value.error_code == 6000


def test_unknown_customer_is_invalid_reference_2500(qb):
    with pytest.raises(QuickbooksException) as exc:
        _memo(qb, "424242", 10)
    assert exc.value.error_code == 2500 and exc.value.message == "Invalid Reference Id"


def test_zero_payment_applies_credit_memo_to_invoice_and_void_moves_back(realm, qb, cust):
    memo, inv = _memo(qb, cust, Decimal("50.00")), _invoice(qb, cust, Decimal("80.00"))
    pay = _payment(qb, cust, 0, [("Invoice", inv.Id, Decimal("30.00")), ("CreditMemo", memo.Id, Decimal("30.00"))])
    assert pay.UnappliedAmt == 0
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 20
    assert Invoice.get(inv.Id, qb=qb).Balance == 50
    assert [lt.TxnId for lt in Invoice.get(inv.Id, qb=qb).LinkedTxn] == [pay.Id]
    with pytest.raises(QuickbooksException) as exc:  # more than the remaining credit
        _payment(qb, cust, 0, [("Invoice", inv.Id, 25), ("CreditMemo", memo.Id, 25)])
    assert exc.value.error_code == 6000
    Payment.get(pay.Id, qb=qb).void(qb=qb)
    voided = Payment.get(pay.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.PrivateNote.startswith("Voided")
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 50
    assert Invoice.get(inv.Id, qb=qb).Balance == 80


def test_linking_more_than_invoice_balance_is_6000_and_delete_moves_back(qb, cust):
    memo, inv = _memo(qb, cust, 100), _invoice(qb, cust, 40)
    with pytest.raises(QuickbooksException) as exc:
        _payment(qb, cust, 0, [("Invoice", inv.Id, 60), ("CreditMemo", memo.Id, 60)])
    assert exc.value.error_code == 6000
    pay = _payment(qb, cust, 0, [("Invoice", inv.Id, 40), ("CreditMemo", memo.Id, 40)])
    assert Invoice.get(inv.Id, qb=qb).Balance == 0
    with pytest.raises(QuickbooksException) as exc:  # cannot delete a memo with uses
        CreditMemo.get(memo.Id, qb=qb).delete(qb=qb)
    assert exc.value.error_code == 6000
    Payment.get(pay.Id, qb=qb).delete(qb=qb)
    assert Invoice.get(inv.Id, qb=qb).Balance == 40
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 100


def test_overpayment_is_unapplied_amount_and_later_lines_use_it(qb, cust):
    inv1, inv2 = _invoice(qb, cust, 60), _invoice(qb, cust, 30)
    pay = _payment(qb, cust, 100, [("Invoice", inv1.Id, 60)])
    assert pay.UnappliedAmt == 40
    current = Payment.get(pay.Id, qb=qb)
    lt = LinkedTxn()
    lt.TxnId, lt.TxnType = inv2.Id, "Invoice"
    line = PaymentLine()
    line.Amount, line.LinkedTxn = 30, [lt]
    current.Line.append(line)
    assert current.save(qb=qb).UnappliedAmt == 10
    assert Invoice.get(inv2.Id, qb=qb).Balance == 0


def test_invoice_void(qb, cust):
    inv = _invoice(qb, cust, 15)
    Invoice.get(inv.Id, qb=qb).void(qb=qb)
    voided = Invoice.get(inv.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.Balance == 0 and voided.PrivateNote.startswith("Voided")


def test_customer_crud_and_minorversion_accepted(realm, qb):
    from quickbooks import QuickBooks
    c = Customer()
    c.DisplayName = "Zed"
    c = c.save(qb=qb)
    qb_old = realm.quickbooks()
    qb_old.minorversion = 65
    got = Customer.get(c.Id, qb=qb_old)
    assert got.DisplayName == "Zed" and isinstance(qb_old, QuickBooks)
    dup = Customer()
    dup.DisplayName = "zed"
    with pytest.raises(QuickbooksException) as exc:
        dup.save(qb=qb)
    assert exc.value.error_code == 6240
