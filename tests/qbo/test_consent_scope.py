"""The API's PyJWT is loaded without cryptography (HMAC only, chalicelib/api/auth.py). That holds because nothing in
the process needs RS256: intuit-oauth checks an RS256 id_token only when the consent asked for the `openid` scope,
and ours asks for the accounting scope alone."""
from urllib.parse import parse_qs, urlsplit


def test_the_consent_asks_for_the_accounting_scope_only(synced):
    reply = synced.account.owner.post("/qbo/connect", {})
    assert reply.status == 200, reply.body
    scopes = parse_qs(urlsplit(reply.json["authorization_url"]).query)["scope"][0].split()
    assert scopes == ["com.intuit.quickbooks.accounting"]
