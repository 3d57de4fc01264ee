"""Emulator fidelity to Intuit's documented behaviour (issue 8 §5), through python-quickbooks and raw v3 REST."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
from hypothesis import given, strategies as st
from quickbooks.exceptions import QuickbooksException, UnsupportedException
from quickbooks.objects import Customer, Invoice, Item, Payment, PaymentMethod
from quickbooks.objects.base import Ref
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail

from devstack.qbo_emulator.money import line_amount


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


def _ref(value: str, name: str | None = None) -> Ref:
    ref = Ref()
    ref.value = value
    if name is not None:
        ref.name = name
    return ref


def _line(amount, item_id: str | None = None, qty=None, unit_price=None) -> SalesItemLine:
    line = SalesItemLine()
    line.Amount = amount
    if item_id or qty is not None:
        line.SalesItemLineDetail = SalesItemLineDetail()
        line.SalesItemLineDetail.ItemRef = _ref(item_id) if item_id else None
        line.SalesItemLineDetail.Qty = qty
        line.SalesItemLineDetail.UnitPrice = unit_price
    return line


def _invoice(qb, cust_id: str, *lines: SalesItemLine, cust_name: str | None = None) -> Invoice:
    inv = Invoice()
    inv.CustomerRef = _ref(cust_id, cust_name)
    inv.Line = list(lines)
    return inv.save(qb=qb)


def _query(realm, text: str) -> requests.Response:
    return requests.post(f"{realm.emulator.api_base}/company/{realm.realm_id}/query?minorversion=75", data=text,
                         headers={"Authorization": "Bearer " + realm.info["access_token"],
                                  "Content-Type": "application/text", "Accept": "application/json"}, timeout=5)


# ----- references carry the referenced object's current name ------------------------------------------------
def test_refs_come_back_with_the_current_name_of_what_they_reference(realm, qb):
    cust = realm.customer("Corner Deli")
    inv = _invoice(qb, cust["Id"], _line(40, item_id="1"), cust_name="Sent Name Is Ignored")
    assert inv.CustomerRef.name == "Corner Deli"
    assert inv.Line[0].SalesItemLineDetail.ItemRef.name == "Services"
    realm.control("POST", f"objects/Customer/{cust['Id']}", {"DisplayName": "Corner Deli LLC"})
    assert Invoice.get(inv.Id, qb=qb).CustomerRef.name == "Corner Deli LLC"
    assert Invoice.where(f"CustomerRef = '{cust['Id']}'", qb=qb)[0].CustomerRef.name == "Corner Deli LLC"
    books_invoice = realm.books()["objects"]["Invoice"][0]
    assert (books_invoice["CustomerRef"]["value"], books_invoice["CustomerRef"]["name"]) == (cust["Id"],
                                                                                          "Corner Deli LLC")


# ----- a new company holds the items, income account and payment methods of a new QBO company --------------
def test_new_company_has_services_and_hours_items_with_the_sales_income_account(qb):
    items = {i.Name: i for i in Item.all(qb=qb)}
    assert {"Services", "Hours"} <= set(items)
    services = Item.filter(Name="Services", qb=qb)[0]
    assert services.Id == items["Services"].Id and services.Type == "Service"
    assert services.IncomeAccountRef.name == "Sales"
    assert Item.get(items["Hours"].Id, qb=qb).IncomeAccountRef.value == services.IncomeAccountRef.value
    assert Customer.count(qb=qb) == 0  # starter objects do not take Ids from the customer sequence


def test_payment_methods_are_listed_and_referenced_by_name(realm, qb):
    methods = {m.Name: m for m in PaymentMethod.all(qb=qb)}
    assert {"Cash", "Check"} <= set(methods)
    cust = realm.customer("Payer")
    pay = Payment()
    pay.CustomerRef = _ref(cust["Id"])
    pay.TotalAmt = 25
    pay.PaymentMethodRef = _ref(methods["Check"].Id)
    saved = pay.save(qb=qb)
    assert saved.PaymentMethodRef.name == "Check" and saved.CustomerRef.name == "Payer"


def test_items_and_payment_methods_are_read_only(qb):
    item = Item()
    item.Name = "New thing"
    with pytest.raises(UnsupportedException) as exc:
        item.save(qb=qb)
    assert exc.value.error_code == 500


@pytest.mark.parametrize("ref", ["item", "payment_method", "customer"])
def test_unknown_references_are_invalid_reference_2500(realm, qb, ref):
    cust = realm.customer()["Id"]
    with pytest.raises(QuickbooksException) as exc:
        if ref == "item":
            _invoice(qb, cust, _line(10, item_id="424242"))
        elif ref == "customer":
            _invoice(qb, "424242", _line(10, item_id="1"))
        else:
            pay = Payment()
            pay.CustomerRef, pay.TotalAmt, pay.PaymentMethodRef = _ref(cust), 5, _ref("424242")
            pay.save(qb=qb)
    assert exc.value.error_code == 2500
    assert realm.books()["objects"]["Invoice"] == [] and realm.books()["objects"]["Payment"] == []


# ----- query column lists -------------------------------------------------------------------------------------
def test_query_with_a_column_list_returns_only_those_columns(realm):
    realm.limits(enabled=False)
    realm.customer("Alpha")
    realm.customer("Beta")
    resp = _query(realm, "SELECT Id, DisplayName FROM Customer WHERE DisplayName = 'Beta'")
    assert resp.status_code == 200, resp.text
    rows = resp.json()["QueryResponse"]["Customer"]
    assert [{k: v for k, v in r.items() if k not in ("domain", "sparse")} for r in rows] == [
        {"Id": rows[0]["Id"], "DisplayName": "Beta"}]
    assert rows[0]["sparse"] is True
    nested = _query(realm, "select displayname, MetaData.LastUpdatedTime from Customer ORDERBY DisplayName DESC")
    first = nested.json()["QueryResponse"]["Customer"][0]
    assert first["DisplayName"] == "Beta" and set(first["MetaData"]) == {"LastUpdatedTime"}
    assert _query(realm, "SELECT Id, FROM Customer").json()["Fault"]["Error"][0]["code"] == "4000"


# ----- a sales line's Amount must be Qty x UnitPrice --------------------------------------------------------------
@pytest.mark.parametrize(("qty", "price", "amount", "ok"), [
    (3, Decimal("10.00"), Decimal("30.00"), True),
    (3, Decimal("10.00"), Decimal("31.00"), False),
    (3, Decimal("0.335"), Decimal("1.01"), True),   # 1.005 rounds half up
    (3, Decimal("0.335"), Decimal("1.00"), False),
    (Decimal("1.5"), Decimal("20"), Decimal("30.00"), True),
    (0, 0, Decimal("100.00"), True),  # python-quickbooks' defaults: zero means not given
    (2, 0, Decimal("100.00"), True),
])
def test_line_amount_must_equal_qty_times_unit_price_else_6070(realm, qb, qty, price, amount, ok):
    cust = realm.customer()["Id"]
    if ok:
        assert Decimal(str(_invoice(qb, cust, _line(amount, "2", qty, price)).TotalAmt)) == amount
        return
    with pytest.raises(QuickbooksException) as exc:
        _invoice(qb, cust, _line(amount, "2", qty, price))
    assert exc.value.error_code == 6070
    assert realm.books()["objects"]["Invoice"] == []


@given(qty=st.decimals(min_value=0, max_value=10_000, places=2),
       price=st.decimals(min_value=0, max_value=10_000, places=5))
def test_line_amount_is_the_product_rounded_half_up_to_the_cent(qty, price):
    amount = line_amount(qty, price)
    exact = qty * price
    assert amount == amount.quantize(Decimal("0.01"))
    assert abs(amount - exact) <= Decimal("0.005")
    if abs(amount - exact) == Decimal("0.005"):
        assert amount > exact  # ties go up


# ----- Customer.Balance is the open balance ---------------------------------------------------------------------
def test_customer_balance_is_open_invoices_less_unused_credit_and_unapplied_payments(realm, qb):
    cust = realm.customer()["Id"]
    inv = _invoice(qb, cust, _line(100))
    assert Customer.get(cust, qb=qb).Balance == 100
    realm.user_create("CreditMemo", {"CustomerRef": {"value": cust}, "Line": [{"Amount": 30}]})
    assert Customer.get(cust, qb=qb).Balance == 70
    realm.user_create("Payment", {"CustomerRef": {"value": cust}, "TotalAmt": 50,
                                  "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": inv.Id, "TxnType": "Invoice"}]}]})
    customer = Customer.get(cust, qb=qb)
    assert customer.Balance == 100 - 40 - 30 - 10  # invoice 60 open, memo 30 unused, payment 10 unapplied
    assert Customer.where(f"Id = '{cust}'", qb=qb)[0].Balance == 20
    other = realm.customer()["Id"]
    assert Customer.get(other, qb=qb).Balance == 0


# ----- InvoiceLink needs a BillEmail and online payment (test_qbo_emulator_defaults has the link itself) -----------
def test_include_invoice_link_is_accepted_and_no_link_without_bill_email(realm, qb):
    inv = _invoice(qb, realm.customer()["Id"], _line(12))
    got = Invoice.get(inv.Id, qb=qb, params={"include": "invoiceLink"})
    assert got.Id == inv.Id and not getattr(got, "InvoiceLink", None)


def test_batch_of_exactly_30_items_is_accepted(realm, qb):
    body = {"BatchItemRequest": [{"bId": str(n), "operation": "create", "Customer": {"DisplayName": f"b{n}"}}
                                 for n in range(30)]}
    answer = qb.batch_operation(json.dumps(body))
    assert len(answer["BatchItemResponse"]) == 30 and Customer.count(qb=qb) == 30
