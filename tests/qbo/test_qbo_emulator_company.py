"""What an app reads right after connecting (issue 24 §5), tokens bound to their company, and requests that once
made the emulator answer 500 (§4), through python-quickbooks, intuit-oauth and raw HTTP."""
from __future__ import annotations

import base64
import json

import pytest
import requests
from intuitlib.client import AuthClient
from quickbooks.exceptions import AuthorizationException, UnsupportedException, ValidationException
from quickbooks.objects import CompanyInfo, Customer, Preferences


@pytest.fixture()
def qb(realm):
    realm.limits(enabled=False)
    return realm.quickbooks()


# ----- CompanyInfo ---------------------------------------------------------------------------------------------------
def test_company_info_is_read_by_realm_id_with_the_fields_apps_read(realm, qb):
    info = CompanyInfo.get(realm.realm_id, qb=qb)
    assert info.Id == "1" and info.CompanyName == "Sandbox Company_US_1" and info.LegalName == info.CompanyName
    assert (info.Country, info.FiscalYearStartMonth, info.SupportedLanguages) == ("US", "January", "en")
    today = realm.control("POST", "clock", {})["now"][:10]
    assert info.CompanyStartDate == today and info.CompanyAddr.Country == "US" and info.Email.Address
    assert CompanyInfo.get("1", qb=qb).CompanyName == info.CompanyName


def test_company_info_is_queried_and_named_when_the_company_is_created(qbo_emulator):
    made = requests.post(f"{qbo_emulator.url}/_control/companies", json={"company_name": "Corner Deli Supply"},
                         timeout=10).json()
    rows = requests.get(f"{qbo_emulator.api_base}/company/{made['realm_id']}/query",
                        params={"query": "SELECT * FROM CompanyInfo"}, timeout=10,
                        headers={"Authorization": "Bearer " + made["access_token"], "Accept": "application/json"})
    assert [r["CompanyName"] for r in rows.json()["QueryResponse"]["CompanyInfo"]] == ["Corner Deli Supply"]


def test_company_info_changes_as_the_accountant_or_the_app_changes_it(realm, qb):
    realm.control("POST", "objects/CompanyInfo/1", {"CompanyName": "Renamed Ltd"})
    info = CompanyInfo.all(qb=qb)[0]
    assert info.CompanyName == "Renamed Ltd" and info.Country == "US"
    info.LegalName = "Renamed Holdings Ltd"
    saved = info.save(qb=qb)
    assert (saved.LegalName, saved.CompanyName, saved.SyncToken) == ("Renamed Holdings Ltd", "Renamed Ltd", "2")


def test_company_info_and_preferences_are_never_created_or_deleted(realm, qb):
    with pytest.raises(UnsupportedException):
        qb.create_object("Preferences", json.dumps({"SalesFormsPrefs": {"CustomTxnNumbers": True}}))
    info = CompanyInfo.get(realm.realm_id, qb=qb)
    with pytest.raises(UnsupportedException):
        qb.delete_object("CompanyInfo", json.dumps({"Id": info.Id, "SyncToken": info.SyncToken}))


# ----- Preferences ---------------------------------------------------------------------------------------------------
def test_preferences_are_read_and_queried_with_custom_txn_numbers(qb):
    prefs = Preferences.get(qb=qb)
    assert prefs.Id == "1" and prefs.SalesFormsPrefs.CustomTxnNumbers is False
    assert prefs.CurrencyPrefs.HomeCurrency.value == "USD" and prefs.CurrencyPrefs.MultiCurrencyEnabled is False
    assert prefs.AccountingInfoPrefs.FirstMonthOfFiscalYear == "January"
    rows = qb.query("SELECT * FROM Preferences")["QueryResponse"]["Preferences"]
    assert len(rows) == 1 and rows[0]["SalesFormsPrefs"]["CustomTxnNumbers"] is False


def test_a_preferences_update_changes_what_it_names_and_keeps_the_rest(realm, qb):
    realm.control("POST", "objects/Preferences/1", {"SalesFormsPrefs": {"CustomTxnNumbers": True}})
    prefs = Preferences.get(qb=qb)
    assert prefs.SalesFormsPrefs.CustomTxnNumbers is True and prefs.SalesFormsPrefs.AutoApplyCredit is True
    answer = qb.update_object("Preferences", json.dumps({"Id": prefs.Id, "SyncToken": prefs.SyncToken, "sparse": True,
                                                         "SalesFormsPrefs": {"CustomTxnNumbers": False}}))
    assert answer["Preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"] is False
    assert answer["Preferences"]["CurrencyPrefs"]["HomeCurrency"] == {"value": "USD"}


# ----- an access token is valid for the company it was issued for ---------------------------------------------------
def test_a_token_of_one_company_is_refused_by_another_company_with_401(qbo_emulator, realm, qb):
    other = requests.post(f"{qbo_emulator.url}/_control/companies", json={"client_id": realm.info["client_id"]},
                          timeout=10).json()
    assert other["realm_id"] != realm.realm_id
    qb.company_id = other["realm_id"]  # same client, same token, the other company's URLs
    with pytest.raises(AuthorizationException) as exc:
        Customer.count(qb=qb)
    assert exc.value.error_code == 401
    raw = requests.get(f"{qbo_emulator.api_base}/company/{other['realm_id']}/companyinfo/{other['realm_id']}",
                       headers={"Authorization": "Bearer " + realm.info["access_token"],
                                "Accept": "application/json"}, timeout=10)
    assert raw.status_code == 401
    assert (raw.json()["Fault"]["type"], raw.json()["Fault"]["Error"][0]["code"]) == ("AuthenticationFault", "3200")
    qb.company_id = realm.realm_id
    assert Customer.count(qb=qb) == 0  # still good for its own company
    mine = realm.quickbooks(access_token=other["access_token"], refresh_token=other["refresh_token"])
    with pytest.raises(AuthorizationException):
        Customer.count(qb=mine)  # and the other way round


# ----- revoke, and requests that used to answer 500 ---------------------------------------------------------------
def _basic(realm) -> str:
    pair = f"{realm.info['client_id']}:{realm.info['client_secret']}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _revoke(realm, **kw) -> requests.Response:
    return requests.post(f"{realm.emulator.url}/oauth2/v1/tokens/revoke", timeout=10,
                         headers={"Authorization": _basic(realm), **kw.pop("headers", {})}, **kw)


def test_revoke_accepts_rfc_7009_form_encoding(realm, qb):
    answer = _revoke(realm, data={"token": realm.info["refresh_token"], "token_type_hint": "refresh_token"})
    assert answer.status_code == 200
    with pytest.raises(AuthorizationException):
        Customer.count(qb=qb)


def test_revoke_accepts_json_as_intuit_oauth_sends_it(realm):
    auth = AuthClient(realm.info["client_id"], realm.info["client_secret"], realm.info["redirect_uri"],
                      environment=realm.emulator.discovery_url)
    assert auth.revoke(token=realm.info["access_token"]) is True
    with pytest.raises(AuthorizationException):
        Customer.count(qb=realm.quickbooks())


@pytest.mark.parametrize(("body", "content_type"), [("", "application/x-www-form-urlencoded"),
                                                    ("{not json", "application/json"),
                                                    ('["token"]', "application/json")])
def test_a_revoke_without_a_token_is_400_invalid_request(realm, body, content_type):
    answer = _revoke(realm, data=body, headers={"Content-Type": content_type})
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_request"})


@pytest.mark.parametrize("text", ["SELECT * FROM Customer STARTPOSITION abc", "SELECT * FROM Customer MAXRESULTS 1.5"])
def test_a_paging_clause_without_a_whole_number_is_a_4000_parse_error(qb, text):
    with pytest.raises(ValidationException) as exc:
        qb.query(text)
    assert exc.value.error_code == 4000


def _batch(realm, items: list) -> requests.Response:
    return requests.post(f"{realm.emulator.api_base}/company/{realm.realm_id}/batch", timeout=10,
                         data=json.dumps({"BatchItemRequest": items}),
                         headers={"Authorization": "Bearer " + realm.info["access_token"],
                                  "Content-Type": "application/json"})


def test_a_batch_item_that_is_not_an_object_is_a_2500_fault(realm):
    whole = _batch(realm, ["not an object"])
    assert whole.status_code == 400 and whole.json()["Fault"]["Error"][0]["code"] == "2500"
    one = _batch(realm, [{"bId": "1", "operation": "create", "Customer": "Bob"},
                         {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Bob"}}])
    answers = {item["bId"]: item for item in one.json()["BatchItemResponse"]}
    assert one.status_code == 200 and answers["1"]["Fault"]["Error"][0]["code"] == "2500"
    assert answers["2"]["Customer"]["DisplayName"] == "Bob"


@pytest.mark.parametrize("linked", [["x"], {"TxnId": "1", "TxnType": "Invoice"}])
def test_a_payment_line_whose_linked_txn_is_not_a_list_of_objects_is_2500(realm, qb, linked):
    cust = realm.customer()["Id"]
    with pytest.raises(ValidationException) as exc:
        qb.create_object("Payment", json.dumps({"CustomerRef": {"value": cust}, "TotalAmt": 5,
                                                "Line": [{"Amount": 5, "LinkedTxn": linked}]}))
    assert exc.value.error_code == 2500
