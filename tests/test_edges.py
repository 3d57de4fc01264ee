"""Issue 19 §8, the edges a user hits: unknown paths and methods answer in our error shape and echo nothing; every
CSV answer neutralises formulas; the credit summary needs what reading the customer needs."""
from __future__ import annotations

import csv
import io

import pytest

SECRET_HEADER = "Bearer not-a-token-but-a-secret-9f2c"


@pytest.mark.parametrize("method,path", [("GET", "/nope"), ("POST", "/credits/x1/unknown/deeper"),
                                         ("GET", "/"), ("DELETE", "/qbo"), ("GET", "/credits/x1/transactions/x2")])
def test_an_unknown_path_is_a_404_in_the_error_shape_that_echoes_nothing(http, method, path):
    reply = http.call(method, path, headers={"Authorization": SECRET_HEADER, "X-Probe": "echo-me"})
    assert reply.status == 404, (method, path, reply.body)
    assert reply.json["error"]["code"] == "not_found" and set(reply.json["error"]) == {"code", "message", "details"}
    assert b"not-a-token" not in reply.body and b"echo-me" not in reply.body and b"Bearer" not in reply.body


@pytest.mark.parametrize("method,path,allowed", [("PUT", "/credits", "GET, POST"), ("DELETE", "/qbo/status", "GET"),
                                                 ("PATCH", "/qbo/webhook", "POST"),
                                                 ("POST", "/credits/x1/transactions", "GET")])
def test_an_unknown_method_on_a_known_path_is_a_405_naming_the_allowed_ones(http, method, path, allowed):
    reply = http.call(method, path, headers={"Authorization": SECRET_HEADER})
    assert reply.status == 405, reply.body
    assert reply.json["error"]["code"] == "method_not_allowed" and reply.headers["Allow"] == allowed
    assert b"not-a-token" not in reply.body


FORMULA_NAME = "=1+2 Formula Foods"


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_every_csv_answer_neutralises_a_formula_and_quotes_every_cell(http, account):
    """The credits list, the aging report and the legacy memo list, with a customer named like a formula."""
    from chalicelib.login_tokens import issue_token

    owner = account.owner
    customer = owner.post("/customers", {"name": FORMULA_NAME}).json["id"]
    assert owner.post("/credits", {"customer_id": customer, "amount": "5.00",
                                   "internal_note": "+cmd|' /C calc'!A0", "external_note": "@SUM(1)"}).status == 201
    csv_accept = {"Accept": "text/csv"}
    answers = {path: who.get(path, headers=csv_accept) for path, who in (
        ("/credits", owner), (f"/reports/credit-aging?customer_id={customer}", owner),
        ("/qbo/legacy-overpayment-credit-memos", http.as_(issue_token("staff-1", account.id, staff=True))))}
    for path, reply in answers.items():
        assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv"), (path, reply.body)
        text = reply.body.decode()
        for line in text.strip().splitlines():
            assert line.startswith('"') and line.endswith('"'), (path, line)  # every cell quoted
        for row in _rows(text):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), (path, row)
    aging = _rows(answers[f"/reports/credit-aging?customer_id={customer}"].body.decode())
    assert any("'" + FORMULA_NAME in row for row in aging), aging
    credits_rows = _rows(answers["/credits"].body.decode())
    assert ["'+cmd|' /C calc'!A0", "'@SUM(1)"] == credits_rows[1][7:9]


def test_the_credit_summary_needs_what_reading_the_customer_needs(http, account):
    owner = account.owner
    nobody = owner.post("/roles", {"name": "nothing", "permissions": []}).json["id"]
    seller = owner.post("/roles", {"name": "seller", "permissions": ["manage_sales"]}).json["id"]
    assert owner.put("/users/u-nothing", {"role_id": nobody}).status == 200
    assert owner.put("/users/u-seller", {"role_id": seller}).status == 200
    customer = account.customers[0]
    path = f"/customers/{customer}/credit-summary"

    for query in ("", "?as_of=2030-01-01"):
        refused = account.user("u-nothing").get(path + query)
        assert refused.status == 403 and refused.json["error"]["code"] == "forbidden", refused.body
        assert account.user("u-nothing").get(f"/customers/{customer}").status == 403  # the same rule
        shown = account.user("u-seller").get(path + query)
        assert shown.status == 200 and "available_credit" not in shown.json  # credit fields follow view_credits
        assert "available_credit" in owner.get(path + query).json
