"""List and detail routes: pagination, filters, permissions (credit fields hidden), tenant isolation."""
import pytest

from tests.conftest import make_account
from tests.ledger_helpers import credit, order, pay


def _all(client, path):
    """Every item of a list, following next_cursor (also checks that pages never repeat an item)."""
    seen, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        reply = client.get(path + (f"{sep}cursor={cursor}" if cursor else ""))
        assert reply.status == 200, reply.body
        seen += reply.json["data"]
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return seen


def _role(account, *permissions):
    role = account.owner.post("/roles", {"name": "r", "permissions": list(permissions)}).json
    user_id = f"u-{'-'.join(permissions) or 'none'}"
    assert account.owner.put(f"/users/{user_id}", {"role_id": role["id"]}).status == 200
    return account.user(user_id)


def test_customers_list_search_rename_and_pages(account):
    for name in ("Corner Deli", "corner bakery", "Zed's", "CORNERSTONE"):
        assert account.owner.post("/customers", {"name": name}).status == 201
    names = [c["name"] for c in _all(account.owner, "/customers?limit=2")]
    assert names == sorted(names, key=str.casefold) and len(names) == 6
    found = [c["name"] for c in _all(account.owner, "/customers?q=CORNER&limit=1")]
    assert found == ["corner bakery", "Corner Deli", "CORNERSTONE"]
    deli = next(c for c in _all(account.owner, "/customers?q=corner%20d"))
    renamed = account.owner.patch(f"/customers/{deli['id']}", {"name": "Harbor Deli"})
    assert renamed.status == 200 and renamed.json["name"] == "Harbor Deli"
    assert [c["name"] for c in _all(account.owner, "/customers?q=corner")] == ["corner bakery", "CORNERSTONE"]
    assert account.owner.get(f"/customers/{deli['id']}").json["name"] == "Harbor Deli"


def test_customer_reads_are_per_tenant_and_need_a_role(http, account):
    other = make_account(http)
    cid = account.customers[0]
    assert other.owner.get(f"/customers/{cid}").status == 404
    assert other.owner.patch(f"/customers/{cid}", {"name": "x"}).status == 404
    assert {c["id"] for c in _all(other.owner, "/customers")} == set(other.customers)
    nobody = _role(account)
    assert nobody.get("/customers").status == 403
    assert nobody.get(f"/customers/{cid}").status == 403
    assert _role(account, "receive_payments").patch(f"/customers/{cid}", {"name": "x"}).status == 403


def test_invoices_list_filters_and_hides_credit_fields(http, account):
    a = order(account, "20.00")["invoice_id"]
    b = order(account, "30.00", customer=1)["invoice_id"]
    c = order(account, "40.00")["invoice_id"]
    pay(account, a, "20.00")
    pay(account, c, "10.00")
    assert [i["id"] for i in _all(account.owner, "/invoices?limit=1")] == [a, b, c]
    assert [i["id"] for i in _all(account.owner, f"/invoices?customer_id={account.customers[0]}")] == [a, c]
    assert [i["id"] for i in _all(account.owner, "/invoices?status=fully_paid")] == [a]
    assert [i["id"] for i in _all(account.owner,
                                  f"/invoices?status=partially_paid&customer_id={account.customers[0]}")] == [c]
    row = account.owner.get("/invoices?limit=1").json["data"][0]
    assert (row["total"], row["paid"], row["balance"], row["adjusted_to_credit"]) == ("20.00", "20.00", "0.00", "0.00")
    sales = _role(account, "manage_sales")
    assert "adjusted_to_credit" not in sales.get("/invoices").json["data"][0]
    assert _role(account, "view_credits").get("/invoices").status == 403
    other = make_account(http)
    assert other.owner.get("/invoices").json["data"] == []
    assert other.owner.get(f"/invoices?customer_id={account.customers[0]}").json["data"] == []
    account.owner.delete(f"/sales-orders/{order(account, '5.00')['id']}")
    assert len(_all(account.owner, "/invoices")) == 3
    assert len(_all(account.owner, "/invoices?status=deleted")) == 1


def test_payments_list_filters_detail_and_isolation(http, account):
    a = order(account, "20.00")["invoice_id"]
    b = order(account, "30.00", customer=1)["invoice_id"]
    c1 = credit(account, "5.00")
    p1 = pay(account, a, "10.00", credits=[{"credit_id": c1["id"]}])
    p2 = pay(account, b, "30.00")
    p3 = pay(account, a, "5.00")
    assert account.owner.post(f"/payments/{p3['id']}/void").status == 200
    assert [p["id"] for p in _all(account.owner, "/payments?limit=2")] == [p1["id"], p2["id"], p3["id"]]
    assert [p["id"] for p in _all(account.owner, f"/payments?invoice_id={a}")] == [p1["id"], p3["id"]]
    assert [p["id"] for p in _all(account.owner, f"/payments?customer_id={account.customers[1]}")] == [p2["id"]]
    assert [p["id"] for p in _all(account.owner, f"/payments?invoice_id={a}&status=voided")] == [p3["id"]]
    assert _all(account.owner, f"/payments?invoice_id={a}&customer_id={account.customers[1]}") == []
    detail = account.owner.get(f"/payments/{p1['id']}").json
    assert detail["credit_uses"][0]["credit_id"] == c1["id"] and detail["invoice"]["balance"] == "5.00"
    cashier = _role(account, "receive_payments")
    assert "credit_uses" not in cashier.get(f"/payments/{p1['id']}").json
    assert "credit_uses" not in cashier.get("/payments").json["data"][0]
    assert _role(account).get("/payments").status == 403
    other = make_account(http)
    assert other.owner.get(f"/payments/{p1['id']}").status == 404
    assert other.owner.get(f"/payments?invoice_id={a}").json["data"] == []


def test_sales_order_detail(http, account):
    so = order(account, "12.00")
    got = account.owner.get(f"/sales-orders/{so['id']}")
    assert got.status == 200 and got.json == so
    assert make_account(http).owner.get(f"/sales-orders/{so['id']}").status == 404
    assert _role(account, "view_credits").get(f"/sales-orders/{so['id']}").status == 403


def test_returns_list(http, account):
    lines = [{"product_id": "P1", "quantity": 1, "unit_price": "5.00"}]
    r1 = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": lines}).json
    r2 = account.owner.post("/returns", {"customer_id": account.customers[1], "lines": lines}).json
    account.owner.post(f"/returns/{r2['id']}/complete")
    assert [r["id"] for r in _all(account.owner, "/returns?limit=1")] == [r1["id"], r2["id"]]
    assert [r["id"] for r in _all(account.owner, "/returns?status=completed")] == [r2["id"]]
    assert [r["id"] for r in _all(account.owner, f"/returns?customer_id={account.customers[0]}")] == [r1["id"]]
    assert "credit_id" not in _role(account, "manage_sales").get("/returns?status=completed").json["data"][0]
    assert make_account(http).owner.get("/returns").json["data"] == []


def test_roles_and_users(http, account):
    clerk = _role(account, "manage_sales")
    roles = _all(account.owner, "/roles?limit=1")
    assert roles[0]["id"] == "admin" and [r["name"] for r in roles[1:]] == ["r"]
    users = {u["user_id"]: u["role_id"] for u in _all(account.owner, "/users?limit=1")}
    assert users["u-manage_sales"] == roles[1]["id"] and "admin" in users.values()
    assert clerk.get("/roles").status == 403 and clerk.get("/users").status == 403
    other = make_account(http)
    assert [r["id"] for r in other.owner.get("/roles").json["data"]] == ["admin"]
    assert len(other.owner.get("/users").json["data"]) == 1


@pytest.mark.parametrize("cursor", ["not-base64!", "eyJhdCI6ICJYIyJ9"])
def test_a_foreign_cursor_is_a_400(account, cursor):
    reply = account.owner.get(f"/invoices?cursor={cursor}")
    assert reply.status == 400 and reply.json["error"]["code"] == "invalid_request"
