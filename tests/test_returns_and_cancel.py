"""Returns issue one credit with lineage; cancel balance-only vs revert."""
from concurrent.futures import ThreadPoolExecutor

from tests.ledger_helpers import credit, get_credit, invoice, order, pay


def _return(account):
    reply = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P1", "package_id": "PKG-9", "batch_id": "B-7", "quantity": "2", "unit_price": "12.50"},
        {"product_id": "P2", "quantity": 1, "unit_price": "5.00"}]})
    assert reply.status == 201, reply.body
    return reply.json


def test_completing_a_return_issues_one_credit_with_lineage(account):
    ret = _return(account)
    assert ret["status"] == "open" and ret["total"] == "30.00"
    with ThreadPoolExecutor(4) as pool:
        completed = list(pool.map(lambda _: account.owner.post(f"/returns/{ret['id']}/complete").json, range(4)))
    assert len({c["credit_id"] for c in completed}) == 1
    c = get_credit(account, completed[0]["credit_id"])
    assert (c["source"], c["amount"], c["return_id"]) == ("return", "30.00", ret["id"])
    assert c["line_items"][0] == {"product_id": "P1", "package_id": "PKG-9", "batch_id": "B-7", "quantity": "2",
                                  "unit_price": "12.50", "total": "25.00"}
    returns_credits = account.owner.get("/credits?source=return").json["data"]
    assert [x["id"] for x in returns_credits] == [c["id"]]


def test_cancel_balance_only_keeps_uses(account):
    c = credit(account, "50.00")
    inv_id = order(account, "20.00")["invoice_id"]
    pay(account, inv_id, credits=[{"credit_id": c["id"]}])
    canceled = account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "balance_only"}).json
    assert (canceled["status"], canceled["used"], canceled["remaining"]) == ("canceled", "20.00", "0.00")
    assert invoice(account, inv_id)["status"] == "fully_paid"
    other = order(account, "5.00")["invoice_id"]
    assert pay(account, other, credits=[{"credit_id": c["id"]}], expect=409)["error"]["code"] == "credit_not_applicable"
    assert account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "revert"}).status == 409


def test_cancel_revert_voids_uses_and_reopens_invoices(account):
    c = credit(account, "50.00")
    inv_a, inv_b = order(account, "20.00")["invoice_id"], order(account, "40.00")["invoice_id"]
    pay(account, inv_a, credits=[{"credit_id": c["id"]}])
    pay(account, inv_b, "10.00", credits=[{"credit_id": c["id"]}])
    canceled = account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "revert"}).json
    assert (canceled["status"], canceled["used"], canceled["remaining"]) == ("canceled", "0.00", "0.00")
    a, b = invoice(account, inv_a), invoice(account, inv_b)
    assert (a["status"], a["balance"]) == ("unpaid", "20.00")
    assert (b["status"], b["balance"]) == ("partially_paid", "30.00")
    assert b["payments"][0]["credit_uses"][0]["voided_at"] is not None
    kinds = [e["kind"] for e in account.owner.get(f"/credits/{c['id']}/transactions").json["data"]]
    assert kinds == ["created", "applied", "applied", "use_voided", "use_voided", "canceled"]


def test_cancel_history_records_the_balance_removed(account):
    c = credit(account, "50.00")
    pay(account, order(account, "20.00")["invoice_id"], credits=[{"credit_id": c["id"]}])
    account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "balance_only"})
    events = account.owner.get(f"/credits/{c['id']}/transactions").json["data"]
    assert [(e["kind"], e["amount"]) for e in events] == [("created", "50.00"), ("applied", "20.00"),
                                                          ("canceled", "30.00")]
    assert events[-1]["details"] == {"mode": "balance_only", "reverted_uses": []}


def test_a_return_worth_nothing_issues_no_credit(account):
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P", "quantity": 1, "unit_price": "0.00"}]})
    assert ret.status == 201, ret.body
    refused = account.owner.post(f"/returns/{ret.json['id']}/complete")
    assert refused.status == 400 and refused.json["error"]["code"] == "invalid_request"
    assert account.owner.get(f"/returns/{ret.json['id']}").json["status"] == "open"
