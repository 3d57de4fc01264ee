"""The QBO documents our objects become (DESIGN §5): totals, markers, and what a canceled credit leaves."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.credits import CancelMode, Credit, CreditSource
from chalicelib.domain.invoices import Charge, Invoice, Line
from chalicelib.domain.payments import Payment, Tender, TenderMethod
from chalicelib.domain.qbo_actions import QboAction
from chalicelib.domain.sync_plan import memo_plan
from chalicelib.qbo import mapping
from chalicelib.qbo.mapping import Link, Ref

NOW = "2026-11-26T10:00:00.000000Z"
CUSTOMER, ITEM = Ref("7"), Ref("1", "Services")


def _sum(lines) -> Decimal:
    return sum((line["Amount"] for line in lines), Decimal("0.00"))


quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("9999"), places=3).map(str)
prices = st.integers(min_value=0, max_value=10_000_000)


@given(st.lists(st.tuples(quantities, prices), max_size=6), st.lists(st.integers(0, 10_000_000), max_size=3))
def test_invoice_lines_add_up_to_our_total(lines, charges):
    invoice = Invoice(id="I1", number="INV-1001", sales_order_id="S1", customer_id="C1",
                      lines=[Line(f"item {n}", q, p) for n, (q, p) in enumerate(lines)],
                      charges=[Charge("freight", c) for c in charges], created_at=NOW)
    doc = mapping.invoice_doc(invoice, customer=CUSTOMER, item=ITEM)
    assert _sum(doc["Line"]) * 100 == invoice.total
    assert doc["DocNumber"] == "INV-1001" and mapping.find_marker(doc) == ("invoice", "I1")
    for line in doc["Line"]:
        assert line["SalesItemLineDetail"]["ItemRef"] == {"value": "1", "name": "Services"}


def _credit(amount=5000, **kw) -> Credit:
    return Credit.issue(id="K1", number="CR-1001", customer_id="C1", source=kw.pop("source", CreditSource.MANUAL),
                        amount=amount, now=NOW, internal_note="damaged case", external_note="sorry", **kw)


def test_manual_credit_is_a_memo_with_notes_and_marker():
    doc = mapping.credit_memo_doc(_credit(), memo_plan(_credit()), customer=CUSTOMER, item=ITEM)
    assert _sum(doc["Line"]) == Decimal("50.00") and doc["DocNumber"] == "CR-1001"
    assert doc["CustomerMemo"] == {"value": "sorry"} and doc["PrivateNote"].startswith("damaged case ")
    assert mapping.find_marker(doc) == ("credit", "K1")


def test_return_credit_lines_name_product_package_and_batch():
    lines = [{"product_id": "P1", "package_id": "PK9", "batch_id": "B3", "quantity": "2", "unit_price": 1250,
              "total": 2500}, {"product_id": "P2", "package_id": None, "batch_id": None, "quantity": "1.5",
                               "unit_price": 1000, "total": 1500}]
    credit = _credit(4000, source=CreditSource.RETURN, line_items=lines, return_id="R1")
    doc = mapping.credit_memo_doc(credit, memo_plan(credit), customer=CUSTOMER, item=ITEM)
    assert [line["Description"] for line in doc["Line"]] == ["Returned product P1, package PK9, batch B3",
                                                             "Returned product P2"]
    assert _sum(doc["Line"]) == Decimal("40.00")


@given(st.integers(1, 10_000), st.data())
def test_canceled_credit_memo_keeps_only_what_its_uses_link(amount, data):
    credit = _credit(amount)
    used = data.draw(st.integers(0, amount))
    if used:
        credit.apply(use_id="U1", payment_id="P1", invoice_id="I2", amount=used, now=NOW)
    credit.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    assert memo_plan(credit).total == used
    assert (memo_plan(credit).action is QboAction.DELETE) == (used == 0)
    if used:
        assert _sum(mapping.credit_memo_doc(credit, memo_plan(credit), customer=CUSTOMER, item=ITEM)["Line"]) * 100 == used


def test_tender_payment_links_what_it_applies_and_leaves_the_rest_unapplied():
    payment = Payment(id="P1", number="PAY-1001", invoice_id="I1", customer_id="C1",
                      tenders=[Tender(TenderMethod.CASH, 10000), Tender(TenderMethod.CHECK, 2000)], credit_uses=[],
                      tender_applied=10000, created_at=NOW)
    doc = mapping.tender_payment_doc(payment, customer=CUSTOMER, links=[Link("31", "Invoice", 10000),
                                                                         Link("32", "Invoice", 0)])
    assert doc["TotalAmt"] == Decimal("120.00") and doc["PaymentRefNum"] == "PAY-1001"
    assert [line["LinkedTxn"] for line in doc["Line"]] == [[{"TxnId": "31", "TxnType": "Invoice"}]]
    assert mapping.find_marker(doc) == ("payment", "P1")


def test_linking_payment_is_zero_with_two_equal_lines():
    doc = mapping.linking_payment_doc(use_id="U1", number="PAY-1002", created_at=NOW, customer=CUSTOMER,
                                      invoice_id="31", memos=[("40", 2500), ("41", 500), ("42", 0)],
                                      linked=3000)
    assert doc["TotalAmt"] == Decimal("0.00")
    assert [(line["Amount"], line["LinkedTxn"][0]["TxnType"]) for line in doc["Line"]] == [
        (Decimal("30.00"), "Invoice"), (Decimal("25.00"), "CreditMemo"), (Decimal("5.00"), "CreditMemo")]
    assert mapping.find_marker(doc) == ("use", "U1")


def test_accountant_documents_carry_no_marker():
    assert mapping.find_marker({"PrivateNote": "typed by the accountant"}) is None
    assert mapping.find_marker({}) is None
