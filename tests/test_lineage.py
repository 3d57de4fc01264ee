"""GET /credits/{id}/lineage: from the return line or the originating invoice and payment, to every use."""
from tests.conftest import make_account
from tests.ledger_helpers import credit, order, pay


def test_return_credit_lineage_runs_to_every_invoice_it_paid(http, account):
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P1", "package_id": "PKG-9", "batch_id": "B-7", "quantity": "2", "unit_price": "10.00"}]}).json
    credit_id = account.owner.post(f"/returns/{ret['id']}/complete").json["credit_id"]
    a, b = order(account, "5.00")["invoice_id"], order(account, "50.00")["invoice_id"]
    p1 = pay(account, a, credits=[{"credit_id": credit_id}])
    p2 = pay(account, b, credits=[{"credit_id": credit_id}])
    account.owner.post(f"/payments/{p1['id']}/void")
    reply = account.owner.get(f"/credits/{credit_id}/lineage")
    assert reply.status == 200, reply.body
    got = reply.json
    assert got["origin"]["return"]["id"] == ret["id"] and got["origin"]["invoice"] is None
    assert got["origin"]["return"]["lines"][0] == {"product_id": "P1", "package_id": "PKG-9", "batch_id": "B-7",
                                                   "quantity": "2", "unit_price": "10.00", "total": "20.00"}
    assert got["credit"]["id"] == credit_id and got["credit"]["remaining"] == "5.00"
    assert [(u["payment"]["id"], u["invoice"]["id"], u["amount"], u["voided_at"] is not None) for u in got["uses"]] == [
        (p1["id"], a, "5.00", True), (p2["id"], b, "15.00", False)]
    assert got["uses"][1]["invoice"]["balance"] == "35.00"
    assert all(u["invoice"]["qbo_id"] is None for u in got["uses"])


def test_overpayment_credit_lineage_names_invoice_and_payment(http, account):
    inv = order(account, "10.00")["invoice_id"]
    p = pay(account, inv, "15.00")
    got = account.owner.get(f"/credits/{p['overpayment_credit_id']}/lineage").json
    assert (got["origin"]["invoice"]["id"], got["origin"]["payment"]["id"]) == (inv, p["id"])
    assert got["origin"]["return"] is None and got["uses"] == []


def test_lineage_is_per_tenant_and_needs_view_credits(http, account):
    c = credit(account)
    assert make_account(http).owner.get(f"/credits/{c['id']}/lineage").status == 404
    role = account.owner.post("/roles", {"name": "sales", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/seller", {"role_id": role["id"]})
    assert account.user("seller").get(f"/credits/{c['id']}/lineage").status == 403
