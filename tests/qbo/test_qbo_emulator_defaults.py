"""What QBO fills into the transactions it stores (issue 24 §3, §6), through python-quickbooks: TxnDate defaults to
the company's current date, sales forms carry the computed SubTotalLineDetail line, and `include=invoiceLink`
gives an invoice with a BillEmail and online payment allowed its https sharable link."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st
from quickbooks.objects import CreditMemo, Invoice, Payment
from quickbooks.objects.base import EmailAddress, Ref
from quickbooks.objects.detailline import DiscountLine, DiscountLineDetail, SalesItemLine

from devstack.qbo_emulator.books import Books
from devstack.qbo_emulator.clock import Clock
from devstack.qbo_emulator.documents import SUBTOTAL


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


@pytest.fixture()
def cust(realm) -> str:
    return realm.customer()["Id"]


def _ref(value: str) -> Ref:
    ref = Ref()
    ref.value = value
    return ref


def _line(amount) -> SalesItemLine:
    line = SalesItemLine()
    line.Amount = amount
    return line


def _discount(amount) -> DiscountLine:
    line = DiscountLine()
    line.Amount = amount
    line.DiscountLineDetail = DiscountLineDetail()
    line.DiscountLineDetail.PercentBased = False
    return line


def _sale(kind, cust: str, *lines, **fields):
    doc = kind()
    doc.CustomerRef = _ref(cust)
    doc.Line = list(lines)
    for name, value in fields.items():
        setattr(doc, name, value)
    return doc


# ----- TxnDate -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Invoice, CreditMemo, Payment])
def test_a_transaction_sent_without_txn_date_gets_the_companys_current_date(realm, qb, cust, kind):
    realm.control("POST", "clock", {"set": "2021-02-03T23:59:00+00:00"})  # back in time: the token stays valid
    doc = _sale(kind, cust, TotalAmt=5) if kind is Payment else _sale(kind, cust, _line(5))
    doc.TxnDate = None
    saved = doc.save(qb=qb)
    assert saved.TxnDate == "2021-02-03" == kind.get(saved.Id, qb=qb).TxnDate
    realm.advance(120)  # the next day by the emulator's clock
    assert _sale(Invoice, cust, _line(1)).save(qb=qb).TxnDate == "2021-02-04"


def test_a_txn_date_that_is_sent_is_kept_and_an_update_without_one_keeps_it(realm, qb, cust):
    inv = _sale(Invoice, cust, _line(5), TxnDate="2020-05-06").save(qb=qb)
    assert inv.TxnDate == "2020-05-06"
    realm.control("POST", f"objects/Invoice/{inv.Id}", {"PrivateNote": "edited"})
    assert Invoice.get(inv.Id, qb=qb).TxnDate == "2020-05-06"


# ----- SubTotalLineDetail ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Invoice, CreditMemo])
def test_sales_forms_carry_the_computed_subtotal_line_after_their_item_lines(qb, cust, kind):
    saved = _sale(kind, cust, _line(30), _line("12.50")).save(qb=qb)
    lines = kind.get(saved.Id, qb=qb).Line
    assert [line.DetailType for line in lines] == ["SalesItemLineDetail", "SalesItemLineDetail", SUBTOTAL]
    assert Decimal(str(lines[-1].Amount)) == Decimal("42.50") == Decimal(str(saved.TotalAmt))


def test_the_subtotal_is_before_discounts_and_is_recomputed_when_lines_change(realm, qb, cust):
    inv = _sale(Invoice, cust, _line(100), _discount(10)).save(qb=qb)
    assert [line.DetailType for line in inv.Line] == ["SalesItemLineDetail", SUBTOTAL, "DiscountLineDetail"]
    assert inv.Line[1].Amount == 100 and inv.TotalAmt == 90
    current = Invoice.get(inv.Id, qb=qb)  # sent back with its subtotal line, as a full update does
    current.Line[0].Amount = 60
    updated = current.save(qb=qb)
    assert [line.Amount for line in updated.Line if line.DetailType == SUBTOTAL] == [60] and updated.TotalAmt == 50
    books = {o["Id"]: o for o in realm.books()["objects"]["Invoice"]}
    assert [line["DetailType"] for line in books[inv.Id]["Line"]].count(SUBTOTAL) == 1


_cents = st.integers(min_value=0, max_value=10**7).map(lambda c: Decimal(c) / 100)


@given(sales=st.lists(_cents, min_size=1, max_size=6), discount=st.integers(min_value=0, max_value=100))
def test_subtotal_is_the_sum_of_the_lines_and_total_the_subtotal_less_discounts(sales, discount):
    books = Books(Clock())
    cust, _ = books.create("Customer", {"DisplayName": "Any"})
    off = (sum(sales) * discount / 100).quantize(Decimal("0.01"))
    lines = [{"Amount": a, "DetailType": "SalesItemLineDetail"} for a in sales]
    lines.insert(len(lines) // 2, {"Amount": Decimal("999.99"), "DetailType": SUBTOTAL, SUBTOTAL: {}})  # ignored
    inv, _ = books.create("Invoice", {"CustomerRef": {"value": cust["Id"]},
                                      "Line": [*lines, {"Amount": off, "DetailType": "DiscountLineDetail"}]})
    assert [line["DetailType"] for line in inv["Line"]][-2:] == [SUBTOTAL, "DiscountLineDetail"]
    assert [line["Amount"] for line in inv["Line"] if line["DetailType"] == SUBTOTAL] == [sum(sales)]
    assert inv["TotalAmt"] == sum(sales) - off == inv["Balance"]


def test_a_payment_has_no_subtotal_line(realm, qb, cust):
    inv = _sale(Invoice, cust, _line(40)).save(qb=qb)
    pay = realm.user_create("Payment", {"CustomerRef": {"value": cust}, "TotalAmt": 40, "Line": [
        {"Amount": 40, "LinkedTxn": [{"TxnId": inv.Id, "TxnType": "Invoice"}]}]})
    read = qb.get_single_object("Payment", pay["Id"])["Payment"]
    assert [line["Amount"] for line in read["Line"]] == [40] and [line["Amount"] for line in pay["Line"]] == [40]


# ----- InvoiceLink ---------------------------------------------------------------------------------------------------
def _payable(qb, cust: str, email: str | None = "buyer@example.com", online: bool = True) -> Invoice:
    inv = _sale(Invoice, cust, _line(25), AllowOnlineCreditCardPayment=online, AllowOnlineACHPayment=online)
    if email:
        inv.BillEmail = EmailAddress()
        inv.BillEmail.Address = email
    return inv.save(qb=qb)


def test_invoice_link_is_an_https_link_with_bill_email_and_online_payment(realm, qb, cust):
    inv = _payable(qb, cust)
    linked = Invoice.get(inv.Id, qb=qb, params={"include": "invoiceLink"})
    assert linked.InvoiceLink.startswith("https://")
    assert Invoice.get(inv.Id, qb=qb, params={"include": "invoiceLink"}).InvoiceLink == linked.InvoiceLink
    answer = qb.query(f"SELECT * FROM Invoice WHERE Id = '{inv.Id}'", params={"include": "invoiceLink"})
    assert answer["QueryResponse"]["Invoice"][0]["InvoiceLink"] == linked.InvoiceLink
    assert not Invoice.get(inv.Id, qb=qb).InvoiceLink  # only when asked for


@pytest.mark.parametrize(("email", "online"), [(None, True), ("buyer@example.com", False)])
def test_no_invoice_link_without_bill_email_or_without_online_payment(qb, cust, email, online):
    inv = _payable(qb, cust, email, online)
    assert not Invoice.get(inv.Id, qb=qb, params={"include": "invoiceLink"}).InvoiceLink


def test_a_sent_invoice_link_is_ignored(realm, qb, cust):
    inv = _sale(Invoice, cust, _line(5), InvoiceLink="https://phish.example/").save(qb=qb)
    assert not inv.InvoiceLink and "InvoiceLink" not in realm.books()["objects"]["Invoice"][0]
