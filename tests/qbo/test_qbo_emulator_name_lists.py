"""Customers as QBO documents them (issue 24 §1, §2), through python-quickbooks: a name list is never deleted, only
made inactive; queries answer active objects unless they ask about Active; WHERE names filterable properties only."""
from __future__ import annotations

import json

import pytest
from quickbooks.batch import batch_delete
from quickbooks.exceptions import QuickbooksException, UnsupportedException, ValidationException
from quickbooks.objects import CreditMemo, Customer, Invoice, Item
from quickbooks.objects.base import Ref
from quickbooks.objects.detailline import SalesItemLine


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


def _deactivate(qb, cust_id: str) -> Customer:
    customer = Customer.get(cust_id, qb=qb)
    customer.Active = False
    return customer.save(qb=qb)


def _memo(cust_id: str, amount) -> CreditMemo:
    memo = CreditMemo()
    memo.CustomerRef = Ref()
    memo.CustomerRef.value = cust_id
    line = SalesItemLine()
    line.Amount = amount
    memo.Line = [line]
    return memo


# ----- queries answer active customers unless they ask about Active ---------------------------------------------
def test_select_all_answers_active_customers_only_and_active_false_the_others(realm, qb):
    kept, gone = realm.customer("Kept")["Id"], realm.customer("Gone")["Id"]
    _deactivate(qb, gone)
    assert [c.Id for c in Customer.all(qb=qb)] == [kept]
    assert Customer.count(qb=qb) == 1
    assert [c.Id for c in Customer.filter(DisplayName="Gone", qb=qb)] == []
    assert [c.Id for c in Customer.where("Active = false", qb=qb)] == [gone]
    assert sorted(c.Id for c in Customer.where("Active IN (true, false)", qb=qb)) == sorted([kept, gone])
    assert Customer.count("Active = false", qb=qb) == 1


def test_an_inactive_customer_is_still_read_by_id_and_can_be_made_active_again(realm, qb):
    cust = realm.customer("Napping")["Id"]
    deactivated = _deactivate(qb, cust)
    assert deactivated.Active is False and Customer.get(cust, qb=qb).Active is False
    deactivated.Active = True
    assert deactivated.save(qb=qb).Active is True
    assert [c.Id for c in Customer.all(qb=qb)] == [cust]


def test_items_are_a_name_list_too_all_starter_items_are_active(qb):
    assert {i.Name for i in Item.all(qb=qb)} == {i.Name for i in Item.where("Active IN (true, false)", qb=qb)}
    assert Item.where("Active = false", qb=qb) == []


# ----- a property QBO cannot filter on is 4001 QueryValidationError ----------------------------------------------
@pytest.mark.parametrize(("text", "prop"), [
    ("SELECT * FROM Customer WHERE Notes = 'x'", "Notes"),            # a Customer property, not filterable
    ("SELECT * FROM Customer WHERE Nickname = 'x'", "Nickname"),      # no such property
    ("SELECT * FROM Invoice WHERE PrivateNote = 'x'", "PrivateNote"),
    ("SELECT * FROM Payment WHERE UnappliedAmt > '0'", "UnappliedAmt"),
])
def test_a_property_that_is_not_queryable_is_4001(qb, text, prop):
    with pytest.raises(ValidationException) as exc:
        qb.query(text)
    assert exc.value.error_code == 4001
    assert exc.value.message == "Invalid query"
    assert exc.value.detail == f"QueryValidationError: property '{prop}' is not queryable"


def test_an_entity_qbo_does_not_have_is_4001_and_one_the_emulator_does_not_model_is_2500(qb):
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Unicorn")
    assert (exc.value.error_code, exc.value.detail) == (4001, "QueryValidationError: Metadata not found for Entity: Unicorn")
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Vendor")
    assert exc.value.error_code == 2500


def test_the_properties_the_product_filters_on_stay_queryable(realm, qb):
    cust = realm.customer("Filtered")["Id"]
    for text in ("SELECT * FROM Customer WHERE DisplayName IN ('Filtered')", "SELECT * FROM Item WHERE Name = 'Services'",
                 "SELECT * FROM Invoice WHERE DocNumber = 'X'", "SELECT * FROM CreditMemo WHERE DocNumber = 'X'",
                 f"SELECT * FROM Payment WHERE CustomerRef = '{cust}' AND TxnDate = '2026-01-01'",
                 "SELECT Id, DisplayName FROM Customer WHERE DisplayName = 'Filtered'"):
        assert "QueryResponse" in qb.query(text), text


# ----- customers are never deleted -------------------------------------------------------------------------------
def test_deleting_a_customer_is_unsupported_operation_500(realm, qb):
    cust = realm.customer("Keep Me")
    with pytest.raises(UnsupportedException) as exc:
        qb.delete_object("Customer", json.dumps({"Id": cust["Id"], "SyncToken": cust["SyncToken"]}))
    assert (exc.value.error_code, exc.value.message, exc.value.detail) == (
        500, "Unsupported Operation", "Operation Delete is not supported.")
    assert Customer.get(cust["Id"], qb=qb).Active is True
    assert realm.books()["deleted"]["Customer"] == []


def test_a_batch_delete_of_customers_answers_each_item_with_the_fault(realm, qb):
    customers = [Customer.get(realm.customer()["Id"], qb=qb) for _ in range(2)]
    result = batch_delete(customers, qb=qb)
    assert result.successes == [] and [f.Error[0].code for f in result.faults] == ["500", "500"]
    assert Customer.count(qb=qb) == 2


def test_the_accountants_delete_makes_the_customer_inactive(realm, qb):
    """QBO's UI deletes no customer either: its "Make inactive" is what the control API's DELETE does."""
    cust = realm.customer("Walk-in")["Id"]
    answer = realm.control("DELETE", f"objects/Customer/{cust}")["Customer"]
    assert answer["Active"] is False and answer["Id"] == cust
    assert Customer.count(qb=qb) == 0 and Customer.get(cust, qb=qb).Active is False


# ----- deactivated customers behave as in QBO ------------------------------------------------------------------
def test_a_transaction_for_an_inactive_customer_is_2500_naming_it_deleted(realm, qb):
    cust = realm.customer("Retired")["Id"]
    _deactivate(qb, cust)
    with pytest.raises(ValidationException) as exc:
        _memo(cust, 10).save(qb=qb)
    assert exc.value.error_code == 2500
    assert exc.value.detail.endswith("you must restore Retired (deleted)")
    assert realm.books()["objects"]["CreditMemo"] == []


def test_a_customer_with_an_open_balance_cannot_be_made_inactive(realm, qb):
    cust = realm.customer("Owes")["Id"]
    realm.user_create("Invoice", {"CustomerRef": {"value": cust}, "Line": [{"Amount": 20}]})
    with pytest.raises(QuickbooksException) as exc:
        _deactivate(qb, cust)
    assert exc.value.message == "Delete List Has Balance Error"
    assert Customer.get(cust, qb=qb).Active is True
    invoice = Invoice.where(f"CustomerRef = '{cust}'", qb=qb)[0]
    invoice.delete(qb=qb)
    assert _deactivate(qb, cust).Active is False


def test_an_inactive_customers_name_stays_taken(realm, qb):
    cust = realm.customer("Same Name")["Id"]
    _deactivate(qb, cust)
    again = Customer()
    again.DisplayName = "Same Name"
    with pytest.raises(QuickbooksException) as exc:
        again.save(qb=qb)
    assert exc.value.error_code == 6240
