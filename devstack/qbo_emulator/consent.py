"""The OAuth consent step (the discovery document's authorization_endpoint): the user says yes at once.

`GET /connect/oauth2?client_id&redirect_uri&response_type=code&scope&state[&realm_id]` redirects to the
redirect URI with `code`, `state` and `realmId`, for the company named by `realm_id` or else the company
created last for that client. Like Intuit (and RFC 6749 §4.1.2.1), an unknown client or an unregistered
redirect URI gets an error page, never a redirect; later problems are redirected back as `error=...`.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from .api import Reply
from .oauth import UnknownClientError
from .state import EmulatorState

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"


def authorize(state: EmulatorState, params: dict[str, str]) -> Reply:
    """Consent for the client and company the query names, as a 302 to its redirect URI (or a 4xx page)."""
    client_id = params.get("client_id", "")
    try:
        client = state.oauth.client(client_id)
    except UnknownClientError:
        return error_page(400, "Unknown client", f"No OAuth client {client_id!r} is registered with this emulator.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client["redirect_uris"]:
        return error_page(400, "Redirect URI not registered",
                          f"{redirect_uri!r} is not a redirect URI of client {client_id!r}; register it with "
                          f"POST /_control/clients/{client_id} {{\"redirect_uris\": [...]}}.")
    realm_id = params.get("realm_id") or _last_company(state, client_id)
    company = state.companies.get(realm_id or "")
    if company is None or company.client_id != client_id:
        # a company belongs to the client it was created for (its webhooks go there): the emulator's choice
        return error_page(400, "No company to connect",
                          f"Client {client_id!r} has no company {realm_id or ''}; create one with "
                          f"POST /_control/companies {{\"client_id\": \"{client_id}\"}}.")
    answer = {"state": params["state"]} if "state" in params else {}
    if params.get("response_type") != "code":
        answer["error"] = "unsupported_response_type"
    elif ACCOUNTING_SCOPE not in params.get("scope", "").split():
        answer["error"] = "invalid_scope"  # the emulator serves the accounting API only
    else:
        answer = {"code": state.oauth.new_code(client_id, company.realm_id, redirect_uri), **answer,
                  "realmId": company.realm_id}
    separator = "&" if "?" in redirect_uri else "?"
    location = redirect_uri + separator + urlencode(answer)
    return Reply(302, b"", "text/plain", headers={"Location": location})


def _last_company(state: EmulatorState, client_id: str) -> str | None:
    realms = [realm for realm, company in list(state.companies.items()) if company.client_id == client_id]
    return realms[-1] if realms else None


def error_page(status: int, title: str, message: str) -> Reply:
    """A small HTML page, as Intuit shows one instead of redirecting to an unverified URI."""
    body = (f"<!doctype html><html><head><title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>")
    return Reply(status, body.encode(), "text/html; charset=utf-8")
