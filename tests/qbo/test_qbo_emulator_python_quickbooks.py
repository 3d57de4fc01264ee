"""python-quickbooks 0.9.12's own integration tests (tests/integration/, written against Intuit's sandbox) for the
entities the emulator models, run against the emulator with the same client calls and assertions.

Ported: test_creditmemo (2), test_customer (2), test_invoice (7), test_payment (3). The sandbox's sample data
becomes the `qb` fixture: customers, invoices, a credit memo and five payments made as the accountant would.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from quickbooks.objects import PaymentMethod
from quickbooks.objects.base import Address, CustomerMemo, EmailAddress, PhoneNumber
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment


@pytest.fixture()
def qb(realm):
    """The sandbox company: sample customers and transactions, then a python-quickbooks client on it."""
    realm.limits(enabled=False)
    first = realm.customer("Amy's Bird Sanctuary")["Id"]
    realm.customer("Bill's Windsurf Shop")
    for amount in (100, 250):
        realm.user_create("Invoice", {"CustomerRef": {"value": first}, "Line": [
            {"Amount": amount, "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]})
    realm.user_create("CreditMemo", {"CustomerRef": {"value": first}, "Line": [{"Amount": 40}]})
    for amount in (10, 20, 30, 40, 50):
        realm.user_create("Payment", {"CustomerRef": {"value": first}, "TotalAmt": amount})
    return realm.quickbooks()


# ----- tests/integration/test_creditmemo.py ------------------------------------------------------------------
def test_creditmemo_create(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    item = Item.all(max_results=1, qb=qb)[0]

    credit_memo = CreditMemo()
    credit_memo.CustomerRef = customer.to_ref()

    detail_line = SalesItemLine()
    detail_line.LineNum = 1
    detail_line.Description = "Test Description"
    detail_line.Amount = 100
    detail_line.DetailType = "SalesItemLineDetail"
    detail_line.SalesItemLineDetail = SalesItemLineDetail()
    detail_line.SalesItemLineDetail.ItemRef = item.to_ref()
    credit_memo.Line.append(detail_line)
    credit_memo.save(qb=qb)

    query_credit_memo = CreditMemo.get(credit_memo.Id, qb=qb)

    assert credit_memo.Id == query_credit_memo.Id
    assert query_credit_memo.CustomerRef.value == customer.Id

    line = query_credit_memo.Line[0]
    assert line.LineNum == 1
    assert line.Description == "Test Description"
    assert line.Amount == 100
    assert line.DetailType == "SalesItemLineDetail"
    assert line.SalesItemLineDetail.ItemRef.value == item.Id


def test_creditmemo_update(qb):
    credit_memo = CreditMemo.all(max_results=1, qb=qb)[0]
    credit_memo.PrivateNote = "Test"
    credit_memo.save(qb=qb)

    query_credit_memo = CreditMemo.get(credit_memo.Id, qb=qb)
    assert query_credit_memo.PrivateNote == "Test"


# ----- tests/integration/test_customer.py --------------------------------------------------------------------
def test_customer_create(qb):
    stamp = datetime.now().strftime('%d%H%M%S')
    customer = Customer()
    customer.Title = "Mr"
    customer.GivenName = "James"
    customer.MiddleName = "B"
    customer.FamilyName = "King"
    customer.Suffix = "Jr"
    customer.FullyQualifiedName = stamp
    customer.CompanyName = stamp
    customer.DisplayName = stamp

    customer.BillAddr = Address()
    customer.BillAddr.Line1 = "123 Main"
    customer.BillAddr.Line2 = "Apartment 1"
    customer.BillAddr.City = "City"
    customer.BillAddr.Country = "U.S.A"
    customer.BillAddr.CountrySubDivisionCode = "CA"
    customer.BillAddr.PostalCode = "94030"

    customer.PrimaryPhone = PhoneNumber()
    customer.PrimaryPhone.FreeFormNumber = '555-555-5555'

    customer.PrimaryEmailAddr = EmailAddress()
    customer.PrimaryEmailAddr.Address = 'test@email.com'

    customer.save(qb=qb)

    query_customer = Customer.get(customer.Id, qb=qb)

    assert customer.Id == query_customer.Id
    assert query_customer.Title == "Mr"
    assert query_customer.GivenName == "James"
    assert query_customer.MiddleName == "B"
    assert query_customer.FamilyName == "King"
    assert query_customer.Suffix == "Jr"
    assert query_customer.FullyQualifiedName == stamp
    assert query_customer.CompanyName == stamp
    assert query_customer.DisplayName == stamp
    assert query_customer.BillAddr.Line1 == customer.BillAddr.Line1
    assert query_customer.BillAddr.Line2 == customer.BillAddr.Line2
    assert query_customer.BillAddr.City == customer.BillAddr.City
    assert query_customer.BillAddr.Country == customer.BillAddr.Country
    assert query_customer.BillAddr.CountrySubDivisionCode == customer.BillAddr.CountrySubDivisionCode
    assert query_customer.BillAddr.PostalCode == customer.BillAddr.PostalCode
    assert query_customer.PrimaryPhone.FreeFormNumber == customer.PrimaryPhone.FreeFormNumber
    assert query_customer.PrimaryEmailAddr.Address == customer.PrimaryEmailAddr.Address


def test_customer_update(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    unique_name = datetime.now().strftime('%d%H%M%S')

    customer.GivenName = unique_name
    customer.save(qb=qb)

    query_account = Customer.get(customer.Id, qb=qb)
    assert query_account.GivenName == unique_name


# ----- tests/integration/test_invoice.py ---------------------------------------------------------------------
def _create_invoice_line(qb) -> SalesItemLine:
    line = SalesItemLine()
    line.LineNum = 1
    line.Description = "description"
    line.Amount = 100
    line.SalesItemLineDetail = SalesItemLineDetail()
    item = Item.all(max_results=1, qb=qb)[0]

    line.SalesItemLineDetail.ItemRef = item.to_ref()
    return line


def _create_invoice(qb, customer, request_id=None) -> Invoice:
    invoice = Invoice()
    invoice.Line.append(_create_invoice_line(qb))

    invoice.CustomerRef = customer.to_ref()

    invoice.CustomerMemo = CustomerMemo()
    invoice.CustomerMemo.value = "Customer Memo"
    invoice.save(qb=qb, request_id=request_id)
    return invoice


def test_invoice_query_by_customer_ref(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    invoice = Invoice.query("select * from Invoice where CustomerRef = '{0}'".format(customer.Id), qb=qb)
    assert invoice[0].CustomerRef.name == customer.DisplayName


def test_invoice_where(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    invoice = Invoice.where("CustomerRef = '{0}'".format(customer.Id), qb=qb)
    assert invoice[0].CustomerRef.name == customer.DisplayName


def test_invoice_create(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    invoice = _create_invoice(qb, customer)
    query_invoice = Invoice.get(invoice.Id, qb=qb)

    assert query_invoice.CustomerRef.name == customer.DisplayName
    assert query_invoice.CustomerMemo.value == "Customer Memo"
    assert query_invoice.Line[0].Description == "description"
    assert query_invoice.Line[0].Amount == 100.0


def test_invoice_create_idempotence(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    sample_request_id = str(uuid.uuid4())
    invoice = _create_invoice(qb, customer, request_id=sample_request_id)
    duplicate_invoice = _create_invoice(qb, customer, request_id=sample_request_id)
    assert invoice.Id == duplicate_invoice.Id


def test_invoice_delete(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    invoice = _create_invoice(qb, customer)
    invoice_id = invoice.Id
    invoice.delete(qb=qb)

    query_invoice = Invoice.filter(Id=invoice_id, qb=qb)
    assert [] == query_invoice


def test_invoice_void(qb):
    customer = Customer.all(max_results=1, qb=qb)[0]
    invoice = _create_invoice(qb, customer)
    invoice_id = invoice.Id
    invoice.void(qb=qb)

    query_invoice = Invoice.get(invoice_id, qb=qb)
    assert query_invoice.Balance == 0.0
    assert query_invoice.TotalAmt == 0.0
    assert 'Voided' in query_invoice.PrivateNote


def test_invoice_link(qb):
    # Sharable link for the invoice sent to external customers.
    # The link is generated only for invoices with online payment enabled and having a valid customer email address.
    # Include query param `include=invoiceLink` to get the link back on query response.

    # Create test customer
    customer_name = datetime.now().strftime('%d%H%M%S')
    customer = Customer()
    customer.DisplayName = customer_name
    customer.save(qb=qb)

    # Create an invoice with sharable link flags set
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    invoice.DueDate = '2024-12-31'
    invoice.AllowOnlineCreditCardPayment = True
    invoice.AllowOnlineACHPayment = True
    invoice.Line.append(_create_invoice_line(qb))

    # BillEmail must be set for Sharable link to work!
    invoice.BillEmail = EmailAddress()
    invoice.BillEmail.Address = 'test@email.com'

    invoice.save(qb=qb)

    # You must add 'include': 'invoiceLink' to the params when doing a query for the invoice
    query_invoice = Invoice.get(invoice.Id, qb=qb, params={'include': 'invoiceLink'})

    assert query_invoice.InvoiceLink is not None
    assert 'https' in query_invoice.InvoiceLink


# ----- tests/integration/test_payment.py ---------------------------------------------------------------------
def test_payment_getall(qb):
    payments = Payment.all(max_results=5, qb=qb)
    assert len(payments) == 5
    assert payments[0].Id != 0


def test_payment_create(qb):
    payment = Payment()
    payment.TotalAmt = 140.0

    customer = Customer.all(max_results=1, qb=qb)[0]
    payment.CustomerRef = customer.to_ref()

    payment_method = PaymentMethod.all(max_results=1, qb=qb)[0]

    payment.PaymentMethodRef = payment_method.to_ref()
    payment.save(qb=qb)

    query_payment = Payment.get(payment.Id, qb=qb)

    assert query_payment.CustomerRef.name == customer.DisplayName
    assert query_payment.TotalAmt == 140.0
    assert query_payment.PaymentMethodRef.value == payment_method.Id


def test_payment_void(qb):
    payment = Payment()
    payment.TotalAmt = 100.0

    customer = Customer.all(max_results=1, qb=qb)[0]
    payment.CustomerRef = customer.to_ref()

    payment_method = PaymentMethod.all(max_results=1, qb=qb)[0]

    payment.PaymentMethodRef = payment_method.to_ref()
    payment.save(qb=qb)

    query_payment = Payment.get(payment.Id, qb=qb)
    assert query_payment.TotalAmt == 100.0

    payment.void(qb=qb)
    query_payment = Payment.get(payment.Id, qb=qb)

    assert query_payment.TotalAmt == 0.0
    assert 'Voided' in query_payment.PrivateNote
