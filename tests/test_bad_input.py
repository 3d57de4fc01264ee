"""Bad input gets one error shape with a 4xx, never a 5xx."""
import pytest

CASES = [
    ("malformed json", "POST", "/credits", None, "{not json", 400),
    ("array body", "POST", "/credits", None, "[1, 2]", 400),
    ("missing fields", "POST", "/credits", {}, None, 400),
    ("unknown field", "POST", "/credits", {"customer_id": "C", "amount": "1.00", "colour": "red"}, None, 400),
    ("number amount", "POST", "/credits", {"customer_id": "C", "amount": 12.5}, None, 400),
    ("negative amount", "POST", "/credits", {"customer_id": "C", "amount": "-1.00"}, None, 400),
    ("three decimals", "POST", "/credits", {"customer_id": "C", "amount": "1.001"}, None, 400),
    ("huge amount", "POST", "/credits", {"customer_id": "C", "amount": "1000000000.01"}, None, 400),
    ("zero amount", "POST", "/credits", {"customer_id": "C", "amount": "0.00"}, None, 400),
    ("wrong type note", "POST", "/credits", {"customer_id": "C", "amount": "1.00", "internal_note": 5}, None, 400),
    ("null customer", "POST", "/credits", {"customer_id": None, "amount": "1.00"}, None, 400),
    ("bool as string", "PATCH", "/settings", {"credits_enabled": "yes"}, None, 400),
    ("bad threshold", "PATCH", "/settings", {"credit_balance_warning_threshold": "ten"}, None, 400),
    ("bad limit", "GET", "/credits?limit=0", None, None, 400),
    ("non-numeric limit", "GET", "/credits?limit=lots", None, None, 400),
    ("bad status filter", "GET", "/credits?status=happy", None, None, 400),
    ("forged cursor", "GET", "/credits?cursor=%%%%", None, None, 400),
    ("unknown credit", "GET", "/credits/DOESNOTEXIST", None, None, 404),
    ("bad permissions type", "POST", "/roles", {"name": "x", "permissions": "view_credits"}, None, 400),
]


@pytest.mark.parametrize("name,method,path,body,raw,status", CASES, ids=[c[0] for c in CASES])
def test_bad_input(account, name, method, path, body, raw, status):
    if body is not None and body.get("customer_id") == "C":
        body = {**body, "customer_id": account.customers[0]}
    reply = account.owner.call(method, path, body, raw=raw)
    assert reply.status == status, reply.body
    error = reply.json["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    if status == 400 and body is not None:
        assert error["details"].get("fields") or error["code"] in ("invalid_amount", "invalid_request")


MORE = [
    ("null switch", "PATCH", "/settings", {"credits_enabled": None}, None, 400),
    ("deeply nested json", "POST", "/customers", None, "[" * 50_000, 400),
    ("long path id", "GET", "/credits/" + "A" * 1100, None, None, 404),
    ("odd path id", "GET", "/invoices/a%20b", None, None, 404),
    ("long id on void", "POST", "/payments/" + "B" * 1100 + "/void", None, None, 404),
]


@pytest.mark.parametrize("name,method,path,body,raw,status", MORE, ids=[c[0] for c in MORE])
def test_more_bad_input(account, name, method, path, body, raw, status):
    reply = account.owner.call(method, path, body, raw=raw)
    assert reply.status == status, reply.body
    assert set(reply.json["error"]) == {"code", "message", "details"}


def test_too_long_idempotency_key_is_400(account):
    reply = account.owner.post("/customers", {"name": "x"}, headers={"Idempotency-Key": "k" * 300})
    assert reply.status == 400
