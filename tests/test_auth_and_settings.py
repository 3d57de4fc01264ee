"""Auth, tenancy, roles and settings through HTTP."""
import time

import jwt
import pytest

from chalicelib import config
from chalicelib.login_tokens import issue_token
from tests.conftest import make_account


def _forged(account_id):
    return jwt.encode({"sub": "owner", "account_id": account_id}, "another-secret-that-is-long-enough-123", "HS256")


@pytest.mark.parametrize("case", ["missing", "not_bearer", "garbage", "forged", "expired", "none_alg", "no_sub",
                                  "no_exp"])
def test_bad_tokens_are_401(http, account, case):
    tokens = {
        "missing": None,
        "garbage": "not-a-jwt",
        "forged": _forged(account.id),
        "expired": issue_token("someone", account.id, ttl_seconds=10, now=int(time.time()) - 3600),
        "none_alg": jwt.encode({"sub": "x", "account_id": account.id}, None, algorithm="none"),
        "no_sub": jwt.encode({"account_id": account.id, "exp": int(time.time()) + 60}, config.jwt_secret(), "HS256"),
        "no_exp": jwt.encode({"sub": "x", "account_id": account.id}, config.jwt_secret(), "HS256"),
    }
    if case == "not_bearer":
        reply = http.as_(None).get("/settings", headers={"Authorization": "Basic abc"})
    else:
        reply = http.as_(tokens[case]).get("/settings")
    assert reply.status == 401
    assert reply.json["error"]["code"] == "unauthenticated"


def test_only_staff_create_accounts(http, account):
    reply = account.owner.post("/accounts", {"name": "Evil", "owner_user_id": "x"})
    assert reply.status == 403


def test_unknown_user_of_account_is_403(http, account):
    assert account.user("stranger").get("/settings").status == 403


def test_other_tenant_objects_are_404(http, account):
    other = make_account(http)
    credit = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"}).json
    assert other.owner.get(f"/credits/{credit['id']}").status == 404
    assert other.owner.patch(f"/credits/{credit['id']}", {"internal_note": "x"}).status == 404
    assert other.owner.get(f"/customers/{account.customers[0]}/credit-summary").status == 404
    assert other.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"}).status == 404
    listed = other.owner.get("/credits").json["data"]
    assert all(c["id"] != credit["id"] for c in listed)


def test_feature_switches_need_staff(account):
    reply = account.owner.patch("/settings", {"qbo_credit_sync": True})
    assert reply.status == 403
    assert "support" in reply.json["error"]["message"]
    assert account.staff.patch("/settings", {"qbo_credit_sync": True}).json["qbo_credit_sync"] is True
    assert account.owner.patch("/settings", {"qbo_credit_sync": False}).json["qbo_credit_sync"] is False


def test_everyone_reads_settings_admins_set_threshold(account):
    role = account.owner.post("/roles", {"name": "Clerk", "permissions": ["manage_sales"]}).json
    assert account.owner.put("/users/clerk", {"role_id": role["id"]}).status == 200
    clerk = account.user("clerk")
    assert clerk.get("/settings").json["credits_enabled"] is True
    assert clerk.patch("/settings", {"credit_balance_warning_threshold": "10.00"}).status == 403
    reply = account.owner.patch("/settings", {"credit_balance_warning_threshold": "10.00"})
    assert reply.json["credit_balance_warning_threshold"] == "10.00"


def test_disabled_credits_answer_403_credits_disabled(http):
    account = make_account(http, credits_enabled=False)
    for reply in (account.owner.get("/credits"),
                  account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"})):
        assert reply.status == 403
        assert reply.json["error"]["code"] == "credits_disabled"
    summary = account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json
    assert "available_credit" not in summary


def test_roles_gate_credit_routes_and_fields(account):
    viewer = account.owner.post("/roles", {"name": "Viewer", "permissions": ["view_credits"]}).json
    clerk = account.owner.post("/roles", {"name": "Clerk", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/viewer", {"role_id": viewer["id"]})
    account.owner.put("/users/clerk", {"role_id": clerk["id"]})
    credit = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"}).json
    viewer_http, clerk_http = account.user("viewer"), account.user("clerk")
    assert viewer_http.get(f"/credits/{credit['id']}").status == 200
    assert viewer_http.patch(f"/credits/{credit['id']}", {"internal_note": "x"}).status == 403
    assert viewer_http.delete(f"/credits/{credit['id']}").status == 403
    assert viewer_http.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"}).status == 403
    assert clerk_http.get("/credits").status == 403
    assert clerk_http.get(f"/credits/{credit['id']}/transactions").status == 403
    summary = clerk_http.get(f"/customers/{account.customers[0]}/credit-summary").json
    assert "available_credit" not in summary and summary["outstanding_balance"] == "0.00"
    assert viewer_http.get(f"/customers/{account.customers[0]}/credit-summary").json["available_credit"] == "5.00"


def test_role_validation(account):
    reply = account.owner.post("/roles", {"name": "Bad", "permissions": ["fly"]})
    assert reply.status == 400 and reply.json["error"]["details"]["permissions"] == ["fly"]
    assert account.owner.put("/users/u9", {"role_id": "nope"}).status == 404


def test_without_jwt_secret_outside_local_dev_no_token_is_trusted(account, monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("LOCAL_DEV", raising=False)
    reply = account.owner.get("/settings")
    assert reply.status == 500 and reply.json["error"]["code"] == "internal_error"
