"""Emulator OAuth behaviour, exercised through intuit-oauth and python-quickbooks."""
from __future__ import annotations

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks.exceptions import AuthorizationException
from quickbooks.objects import Customer


def _auth(realm, **kw) -> AuthClient:
    return AuthClient(realm.info["client_id"], kw.pop("secret", realm.info["client_secret"]),
                      realm.info["redirect_uri"], environment=realm.emulator.discovery_url, realm_id=realm.realm_id, **kw)


def test_discovery_document_has_every_endpoint_intuitlib_reads(realm):
    auth = _auth(realm)
    base = realm.emulator.url
    assert auth.token_endpoint == base + "/oauth2/v1/tokens/bearer"
    assert auth.revoke_endpoint.startswith(base) and auth.user_info_url.startswith(base)
    assert auth.issuer_uri == base and auth.jwks_uri.startswith(base) and auth.auth_endpoint.startswith(base)


def test_authorization_code_grant_gives_working_tokens(realm):
    code = realm.control("POST", "auth-code")["code"]
    auth = _auth(realm)
    auth.get_bearer_token(code, realm_id=realm.realm_id)
    assert auth.access_token and auth.refresh_token and auth.expires_in == 3600
    qb = realm.quickbooks(access_token=auth.access_token, refresh_token=auth.refresh_token)
    assert Customer.count(qb=qb) == 0
    with pytest.raises(AuthClientError) as exc:  # a code works once
        _auth(realm).get_bearer_token(code, realm_id=realm.realm_id)
    assert exc.value.status_code == 400


def test_refresh_rotates_and_retires_the_old_refresh_token(realm):
    auth = _auth(realm, refresh_token=realm.info["refresh_token"])
    auth.refresh()
    first = auth.refresh_token
    assert first != realm.info["refresh_token"] and auth.x_refresh_token_expires_in > 0
    auth.refresh()  # using the new token retires the original one
    with pytest.raises(AuthClientError) as exc:
        auth.refresh(refresh_token=realm.info["refresh_token"])
    assert exc.value.status_code == 400
    assert Customer.count(qb=realm.quickbooks(access_token=auth.access_token)) == 0


def test_bad_client_secret_is_rejected(realm):
    with pytest.raises(AuthClientError) as exc:
        _auth(realm, secret="wrong", refresh_token=realm.info["refresh_token"]).refresh()
    assert exc.value.status_code == 401


def test_access_token_expires_after_3600_seconds_of_emulator_clock(realm):
    qb = realm.quickbooks()
    realm.advance(3599)
    assert Customer.count(qb=qb) == 0
    realm.advance(2)
    with pytest.raises(AuthorizationException) as exc:
        Customer.count(qb=qb)
    assert exc.value.error_code == 401


def test_bad_access_token_gets_401_with_authentication_fault_3200(realm):
    qb = realm.quickbooks(access_token="at-bogus")
    with pytest.raises(AuthorizationException):
        Customer.count(qb=qb)
    raw = requests.post(f"{realm.emulator.api_base}/company/{realm.realm_id}/query",
                        data="SELECT * FROM Customer", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert raw.status_code == 401
    assert raw.json()["Fault"]["type"] == "AuthenticationFault"
    assert raw.json()["Fault"]["Error"][0]["code"] == "3200"


def test_revoke_kills_access_and_refresh_tokens(realm):
    auth = _auth(realm, access_token=realm.info["access_token"], refresh_token=realm.info["refresh_token"])
    assert auth.revoke() is True
    with pytest.raises(AuthorizationException):
        Customer.count(qb=realm.quickbooks())
    with pytest.raises(AuthClientError):
        auth.refresh()
