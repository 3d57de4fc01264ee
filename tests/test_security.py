"""Issue 7 §1: the security defects an outside probe found, each met the way a client meets it (HTTP)."""
import csv
import io
import time
import uuid

import jwt
import pytest

from chalicelib import config

MAX = "1000000000.00"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def _error(reply, status: int, code: str) -> dict:
    assert reply.status == status, reply.body
    assert set(reply.json) == {"error"} and set(reply.json["error"]) == {"code", "message", "details"}
    assert reply.json["error"]["code"] == code, reply.body
    return reply.json["error"]


def _role(account, *permissions: str) -> str:
    reply = account.owner.post("/roles", {"name": "-".join(permissions) or "none", "permissions": list(permissions)})
    assert reply.status == 201, reply.body
    return reply.json["id"]


def _member(account, user_id: str, *permissions: str):
    assert account.owner.put(f"/users/{user_id}", {"role_id": _role(account, *permissions)}).status == 200
    return account.user(user_id)


# Idempotency scope ---------------------------------------------------------------------------------------------

def test_idempotency_scope_cannot_be_spelled_by_another_user(http, account):
    """User `X:ops` with key `K1` and user `X` with key `ops:K1` must not share a record (nor its response)."""
    from chalicelib.login_tokens import issue_token

    first = http.as_(issue_token("x:ops", account.id, staff=True))
    second = _member(account, "x", "view_credits")
    body = {"customer_id": account.customers[0], "amount": "3.00"}
    suffix = uuid.uuid4().hex
    assert first.post("/credits", body, headers={"Idempotency-Key": f"K1{suffix}"}).status == 201
    replay = second.post("/credits", body, headers={"Idempotency-Key": f"ops:K1{suffix}"})
    _error(replay, 403, "forbidden")  # user x lacks create_credits: no stored 201 handed over


# CSV formula injection -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("note", ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_csv_export_neutralises_formulas(account, note):
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00",
                                            "internal_note": note, "external_note": "plain"})
    assert reply.status == 201, reply.body
    exported = account.owner.get("/credits", headers={"Accept": "text/csv"})
    assert exported.status == 200
    row = next(csv.DictReader(io.StringIO(exported.body.decode(), newline="")))
    assert row["Internal Notes"] == "'" + note
    assert row["External Notes"] == "plain" and row["Amount"] == "1.00"


def test_csv_export_strips_nul(account):
    account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00",
                                    "internal_note": "a\u0000b", "external_note": "\u0000=1"})
    exported = account.owner.get("/credits", headers={"Accept": "text/csv"})
    assert "\x00" not in exported.body.decode()
    row = next(csv.DictReader(io.StringIO(exported.body.decode(), newline="")))
    assert row["Internal Notes"] == "ab" and row["External Notes"] == "'=1"


# ASCII-only amounts and quantities -----------------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["١٢.٠٠", "１２.００", "12.٠٠", "۱۲", "१२.00"])
def test_amounts_in_non_ascii_digits_are_400(account, amount):
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": amount})
    error = _error(reply, 400, "invalid_request")
    assert "amount" in error["details"]["fields"]


@pytest.mark.parametrize("quantity", ["١٢", "１２", "2.٥"])
def test_quantities_in_non_ascii_digits_are_400(account, quantity):
    line = {"description": "Widget", "quantity": quantity, "unit_price": "1.00"}
    reply = account.owner.post("/sales-orders", {"customer_id": account.customers[0], "lines": [line], "charges": []})
    _error(reply, 400, "invalid_request")
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P1", "quantity": quantity, "unit_price": "1.00"}]})
    _error(ret, 400, "invalid_request")


# Cap on computed totals ----------------------------------------------------------------------------------------

def _order(account, lines, charges=()):
    return account.owner.post("/sales-orders", {"customer_id": account.customers[0], "lines": lines,
                                                "charges": list(charges)})


def test_a_return_worth_more_than_the_cap_is_refused(account):
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P1", "quantity": "1000000000", "unit_price": MAX}]})
    error = _error(ret, 400, "amount_too_large")
    assert error["details"] == {"field": "return total", "max": MAX}
    assert account.owner.get("/credits").json["data"] == []


def test_a_return_at_the_cap_is_fine(account):
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P1", "quantity": "2", "unit_price": "500000000.00"}]})
    assert ret.status == 201 and ret.json["total"] == MAX
    completed = account.owner.post(f"/returns/{ret.json['id']}/complete")
    assert completed.status == 200, completed.body


@pytest.mark.parametrize("lines,charges", [
    ([{"description": "a", "quantity": "1000000000", "unit_price": MAX}], []),
    ([{"description": "a", "quantity": "1", "unit_price": MAX}], [{"description": "freight", "amount": "0.01"}]),
    ([{"description": "a", "quantity": 1, "unit_price": "600000000.00"}] * 2, []),
], ids=["quantity × price", "lines + charges", "sum of lines"])
def test_an_invoice_total_above_the_cap_is_refused(account, lines, charges):
    _error(_order(account, lines, charges), 400, "amount_too_large")


def test_an_invoice_edit_above_the_cap_is_refused(account):
    created = _order(account, [{"description": "a", "quantity": 1, "unit_price": "10.00"}])
    invoice_id = created.json["invoice_id"]
    reply = account.owner.patch(f"/invoices/{invoice_id}", {"charges": [{"description": "x", "amount": MAX}]})
    _error(reply, 400, "amount_too_large")
    assert account.owner.get(f"/invoices/{invoice_id}").json["total"] == "10.00"


def test_tenders_summing_above_the_cap_are_refused(account):
    created = _order(account, [{"description": "a", "quantity": 1, "unit_price": "10.00"}])
    tenders = [{"method": "cash", "amount": "600000000.00"}, {"method": "check", "amount": "600000000.00"}]
    reply = account.owner.post(f"/invoices/{created.json['invoice_id']}/payments", {"tenders": tenders})
    _error(reply, 400, "amount_too_large")
    assert account.owner.get("/credits").json["data"] == []  # no overpayment credit above the cap


# OpenAPI tells the truth about the credit summary ---------------------------------------------------------------

def test_credit_summary_matches_its_openapi_schema_for_every_role(http, account):
    doc = http.get("/openapi.json").json
    op = doc["paths"]["/customers/{customer_id}/credit-summary"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    clerk = _member(account, "clerk", "manage_sales")
    for caller in (account.owner, clerk):
        summary = caller.get(f"/customers/{account.customers[0]}/credit-summary").json
        assert set(schema["required"]) <= set(summary), (schema["required"], summary)
        assert set(summary) <= set(schema["properties"])
    assert "available_credit" in schema["properties"]


# 415 in the one error shape --------------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_wrong_content_type_is_415_in_the_error_shape(account, content_type):
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"},
                               headers={"Content-Type": content_type})
    error = _error(reply, 415, "unsupported_media_type")
    assert error["details"]["expected"] == "application/json"
    assert account.owner.get("/credits").json["data"] == []


def test_json_with_charset_is_accepted(account):
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"},
                               headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status == 201, reply.body


# Role escalation guard -----------------------------------------------------------------------------------------

def _owner_id(account) -> str:
    return jwt.decode(account.owner.token, options={"verify_signature": False})["sub"]


def test_owner_keeps_admin_against_anyone_but_staff(account):
    owner_id = _owner_id(account)
    viewer_role = _role(account, "view_credits")
    manager = _member(account, "manager", "manage_roles")
    assert account.owner.put("/users/admin-2", {"role_id": "admin"}).status == 200
    admin_2 = account.user("admin-2")
    for caller in (manager, admin_2, account.owner):
        _error(caller.put(f"/users/{owner_id}", {"role_id": viewer_role}), 403, "owner_keeps_admin")
    assert account.owner.get("/settings").status == 200
    assert account.owner.post("/roles", {"name": "still admin", "permissions": ["manage_integration"]}).status == 201
    assert account.staff.put(f"/users/{owner_id}", {"role_id": viewer_role}).status == 200


def test_a_user_cannot_raise_their_own_permissions(account):
    manager = _member(account, "manager", "manage_roles")
    error = _error(manager.put("/users/manager", {"role_id": "admin"}), 403, "permission_escalation")
    assert "view_credits" in error["details"]["permissions"]
    broader = _role(account, "manage_roles", "create_credits")
    _error(manager.put("/users/manager", {"role_id": broader}), 403, "permission_escalation")
    assert manager.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"}).status == 403


def test_a_role_cannot_grant_more_than_its_creator_holds(account):
    manager = _member(account, "manager", "manage_roles", "view_credits")
    _error(manager.post("/roles", {"name": "Boss", "permissions": ["manage_roles", "delete_credits"]}), 403,
           "permission_escalation")
    narrower = manager.post("/roles", {"name": "Viewer", "permissions": ["view_credits"]})
    assert narrower.status == 201
    assert manager.put("/users/helper", {"role_id": narrower.json["id"]}).status == 200


def test_a_user_cannot_hand_others_more_than_they_hold_nor_demote_their_superiors(account):
    manager = _member(account, "manager", "manage_roles")
    _error(manager.put("/users/accomplice", {"role_id": "admin"}), 403, "permission_escalation")
    assert account.owner.put("/users/admin-2", {"role_id": "admin"}).status == 200
    _error(manager.put("/users/admin-2", {"role_id": _role(account, "manage_roles")}), 403, "permission_escalation")


def test_staff_may_assign_any_role(account):
    assert account.staff.put("/users/anyone", {"role_id": "admin"}).status == 200
    assert account.staff.post("/roles", {"name": "All", "permissions": ["manage_roles", "view_credits"]}).status == 201


# JWT clock-skew leeway -----------------------------------------------------------------------------------------

def _token(account, **times) -> str:
    now = int(time.time())
    claims = {"sub": "staff-1", "account_id": account.id, "staff": True, "exp": now + 600}
    claims.update({name: now + offset for name, offset in times.items()})
    return jwt.encode(claims, config.jwt_secret(), algorithm="HS256")


@pytest.mark.parametrize("times", [{"iat": 20}, {"nbf": 20}, {"iat": 45, "nbf": 45}])
def test_tokens_from_a_slightly_fast_clock_are_accepted(http, account, times):
    assert http.as_(_token(account, **times)).get("/settings").status == 200


@pytest.mark.parametrize("times", [{"iat": 3600}, {"nbf": 3600}, {"exp": -3600}])
def test_tokens_far_outside_their_window_are_401(http, account, times):
    _error(http.as_(_token(account, **times)).get("/settings"), 401, "unauthenticated")


# Security headers ----------------------------------------------------------------------------------------------

def _has_security_headers(reply) -> bool:
    return all(reply.headers.get(name) == value for name, value in SECURITY_HEADERS.items())


def test_authenticated_responses_carry_security_headers(account):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": account.customers[0], "amount": "2.00"}
    replies = [
        account.owner.get("/settings"),
        account.owner.post("/credits", body, headers=key),
        account.owner.post("/credits", body, headers=key),  # replayed from the idempotency record
        account.owner.get("/credits", headers={"Accept": "text/csv"}),
        account.owner.get("/credits/NOSUCHCREDIT"),  # error after auth
        account.owner.post("/credits", {"amount": "x"}),  # 400
        account.owner.post("/credits", body, headers={"Content-Type": "text/plain"}),  # 415
    ]
    assert [r.status for r in replies] == [200, 201, 201, 200, 404, 400, 415]
    assert all(_has_security_headers(r) for r in replies), [r.headers for r in replies]
