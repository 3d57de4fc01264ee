"""The emulator's OAuth consent step and redirect-URI registration (issue 11 §1), as a browser and intuit-oauth see it."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks.objects import Customer


def _auth(realm, redirect_uri: str | None = None) -> AuthClient:
    return AuthClient(realm.info["client_id"], realm.info["client_secret"], redirect_uri or realm.info["redirect_uri"],
                      environment=realm.emulator.discovery_url)


def _consent(url: str, **extra: str) -> requests.Response:
    """What the browser gets from the authorization endpoint (redirects not followed)."""
    return requests.get(url, params=extra, allow_redirects=False, timeout=5)


def _redirected(resp: requests.Response) -> tuple[str, dict[str, str]]:
    assert resp.status_code == 302, resp.text
    location = urlsplit(resp.headers["Location"])
    return f"{location.scheme}://{location.netloc}{location.path}", {k: v[0] for k, v in parse_qs(location.query).items()}


def _company_for(realm, **body) -> dict:
    resp = requests.post(f"{realm.emulator.url}/_control/companies",
                         json={"client_id": realm.info["client_id"], **body}, timeout=5)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_consent_redirects_with_code_state_and_realm_and_the_code_gives_tokens(realm):
    auth = _auth(realm)
    target, query = _redirected(_consent(auth.get_authorization_url([Scopes.ACCOUNTING], state_token="st-1")))
    assert target == realm.info["redirect_uri"]
    assert query["state"] == "st-1" and query["realmId"] == realm.realm_id and query["code"]
    auth.get_bearer_token(query["code"], realm_id=query["realmId"])
    qb = realm.quickbooks(access_token=auth.access_token, refresh_token=auth.refresh_token)
    assert Customer.count(qb=qb) == 0
    with pytest.raises(AuthClientError) as exc:  # single use
        _auth(realm).get_bearer_token(query["code"], realm_id=query["realmId"])
    assert exc.value.status_code == 400


def test_consent_is_for_the_named_realm_else_the_clients_newest_company(realm):
    newer = _company_for(realm)
    assert newer["client_secret"] == realm.info["client_secret"] and newer["realm_id"] != realm.realm_id
    url = _auth(realm).get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    assert _redirected(_consent(url))[1]["realmId"] == newer["realm_id"]
    assert _redirected(_consent(url, realm_id=realm.realm_id))[1]["realmId"] == realm.realm_id


def test_company_for_an_existing_client_answers_with_working_tokens(realm):
    newer = _company_for(realm)
    assert newer["client_id"] == realm.info["client_id"]
    qb = realm.quickbooks(access_token=newer["access_token"], refresh_token=newer["refresh_token"])
    qb.company_id = newer["realm_id"]
    assert Customer.count(qb=qb) == 0


def test_unknown_client_or_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(realm):
    url = _auth(realm).get_authorization_url([Scopes.ACCOUNTING], state_token="s")
    unknown = _consent(url.replace(realm.info["client_id"], "no-such-client"))
    assert unknown.status_code == 400 and "Location" not in unknown.headers
    assert "text/html" in unknown.headers["Content-Type"] and "Unknown client" in unknown.text
    elsewhere = _consent(_auth(realm, "http://evil.example/cb").get_authorization_url([Scopes.ACCOUNTING], "s"))
    assert elsewhere.status_code == 400 and "Location" not in elsewhere.headers


def test_registered_redirect_uris_are_accepted(realm):
    callback = "http://127.0.0.1:8000/qbo/callback"
    assert _consent(_auth(realm, callback).get_authorization_url([Scopes.ACCOUNTING], "s")).status_code == 400
    resp = requests.post(f"{realm.emulator.url}/_control/clients/{realm.info['client_id']}",
                         json={"redirect_uris": [callback]}, timeout=5)
    assert resp.status_code == 200
    assert resp.json()["redirect_uris"] == [realm.info["redirect_uri"], callback]
    assert resp.json()["redirect_uri"] == realm.info["redirect_uri"]  # the first one, as before
    auth = _auth(realm, callback)
    target, query = _redirected(_consent(auth.get_authorization_url([Scopes.ACCOUNTING], "s")))
    assert target == callback
    auth.get_bearer_token(query["code"], realm_id=query["realmId"])
    assert auth.access_token


def test_registering_for_an_unknown_client_is_404_and_bad_bodies_are_400(realm):
    base = f"{realm.emulator.url}/_control/clients"
    assert requests.post(f"{base}/nobody", json={"redirect_uris": ["http://x/cb"]}, timeout=5).status_code == 404
    assert requests.post(f"{base}/{realm.info['client_id']}", json={"redirect_uris": "http://x/cb"},
                         timeout=5).status_code == 400
    assert requests.get(f"{base}/{realm.info['client_id']}", timeout=5).json()["client_id"] == realm.info["client_id"]


def test_code_expires_after_ten_minutes_of_emulator_clock(realm):
    url = _auth(realm).get_authorization_url([Scopes.ACCOUNTING], "s")
    early, late = _redirected(_consent(url))[1]["code"], _redirected(_consent(url))[1]["code"]
    realm.advance(599)
    _auth(realm).get_bearer_token(early, realm_id=realm.realm_id)
    realm.advance(2)
    with pytest.raises(AuthClientError) as exc:
        _auth(realm).get_bearer_token(late, realm_id=realm.realm_id)
    assert exc.value.status_code == 400


def test_token_request_must_repeat_the_consent_redirect_uri(realm):
    other = "http://localhost/other"
    requests.post(f"{realm.emulator.url}/_control/clients/{realm.info['client_id']}",
                  json={"redirect_uris": [other]}, timeout=5)
    code = _redirected(_consent(_auth(realm).get_authorization_url([Scopes.ACCOUNTING], "s")))[1]["code"]
    with pytest.raises(AuthClientError) as exc:
        _auth(realm, other).get_bearer_token(code, realm_id=realm.realm_id)
    assert exc.value.status_code == 400


def test_bad_response_type_or_scope_is_redirected_back_as_an_error(realm):
    url = _auth(realm).get_authorization_url([Scopes.ACCOUNTING], "st")
    _, query = _redirected(_consent(url.replace("response_type=code", "response_type=token")))
    assert query == {"error": "unsupported_response_type", "state": "st"}
    _, query = _redirected(_consent(_auth(realm).get_authorization_url([Scopes.OPENID], "st")))
    assert query["error"] == "invalid_scope" and "code" not in query


def test_consent_for_another_clients_company_or_an_unknown_realm_is_refused(realm):
    stranger = requests.post(f"{realm.emulator.url}/_control/companies", json={}, timeout=5).json()
    url = _auth(realm).get_authorization_url([Scopes.ACCOUNTING], "s")
    refused = _consent(url, realm_id=stranger["realm_id"])
    assert refused.status_code == 400 and "Location" not in refused.headers
    assert _consent(url, realm_id="123").status_code == 400
