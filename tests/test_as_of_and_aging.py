"""Balances as of a moment (replayed from kept history) and the credit aging report (JSON and CSV)."""
import csv
import io
from datetime import date, timedelta
from urllib.parse import quote

from tests.conftest import make_account
from tests.ledger_helpers import credit, invoice, order, pay


def _summary(account, at, customer=0, client=None):
    client = client or account.owner
    reply = client.get(f"/customers/{account.customers[customer]}/credit-summary?as_of={quote(at)}")
    assert reply.status == 200, reply.body
    return reply.json


def test_summary_as_of_each_moment_of_a_story(account):
    c = credit(account, "50.00")
    t1 = c["created_at"]
    inv_id = order(account, "100.00")["invoice_id"]
    t2 = invoice(account, inv_id)["created_at"]
    p = pay(account, inv_id, "30.00", credits=[{"credit_id": c["id"], "amount": "20.00"}])
    t3 = p["created_at"]
    t4 = account.owner.post(f"/payments/{p['id']}/void").json["voided_at"]
    t5 = account.owner.post(f"/credits/{c['id']}/cancel", {"mode": "balance_only"}).json["updated_at"]
    got = {at: (s["available_credit"], s["outstanding_balance"]) for at in ("2000-01-01", t1, t2, t3, t4, t5)
           for s in [_summary(account, at)]}
    assert got == {"2000-01-01": ("0.00", "0.00"), t1: ("50.00", "0.00"), t2: ("50.00", "100.00"),
                   t3: ("30.00", "50.00"), t4: ("50.00", "100.00"), t5: ("0.00", "100.00")}
    now = account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json
    today = _summary(account, t5[:10])
    assert (today["available_credit"], today["outstanding_balance"]) == (now["available_credit"],
                                                                           now["outstanding_balance"])
    assert today["as_of"] == f"{t5[:10]}T23:59:59.999999Z" and "as_of" not in now


def test_summary_as_of_hides_credit_and_stays_in_the_tenant(http, account):
    credit(account, "5.00")
    role = account.owner.post("/roles", {"name": "sales", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/seller", {"role_id": role["id"]})
    seen = _summary(account, "2100-01-01", client=account.user("seller"))
    assert "available_credit" not in seen
    other = make_account(http)
    reply = other.owner.get(f"/customers/{account.customers[0]}/credit-summary?as_of=2100-01-01")
    assert reply.status == 404
    assert account.owner.get(f"/customers/{account.customers[0]}/credit-summary?as_of=soon").status == 400


def test_credit_aging_buckets_by_source_per_customer_and_total(http, account):
    credit(account, "10.00")
    credit(account, "7.00", customer=1)
    inv = order(account, "10.00")["invoice_id"]
    pay(account, inv, "12.50")  # a 2.50 overpayment credit
    spent = credit(account, "4.00")
    pay(account, order(account, "4.00", customer=0)["invoice_id"], credits=[{"credit_id": spent["id"]}])
    today = date.fromisoformat(spent["created_at"][:10])
    report = account.owner.get(f"/reports/credit-aging?as_of={today + timedelta(days=45)}").json
    assert report["buckets"] == ["0-30", "31-60", "61-90", "90+"]
    first = next(c for c in report["customers"] if c["customer_id"] == account.customers[0])
    assert first["name"] == "Customer 0" and first["total"] == "12.50"
    assert first["by_source"] == {"manual": {"0-30": "0.00", "31-60": "10.00", "61-90": "0.00", "90+": "0.00"},
                                  "overpayment": {"0-30": "0.00", "31-60": "2.50", "61-90": "0.00", "90+": "0.00"}}
    assert report["total"]["total"] == "19.50" and report["total"]["buckets"]["31-60"] == "19.50"
    fresh = account.owner.get(f"/reports/credit-aging?customer_id={account.customers[1]}").json
    assert [c["customer_id"] for c in fresh["customers"]] == [account.customers[1]]
    assert fresh["total"]["buckets"]["0-30"] == "7.00"
    old = account.owner.get(f"/reports/credit-aging?as_of={today + timedelta(days=91)}").json
    assert old["total"]["buckets"]["90+"] == "19.50"
    exported = account.owner.get(f"/reports/credit-aging?as_of={today}", headers={"Accept": "text/csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.body.decode())))
    assert rows[0] == ["Customer ID", "Customer", "Source", "0-30", "31-60", "61-90", "90+", "Total"]
    assert ["TOTAL", "", "all", "19.50", "0.00", "0.00", "0.00", "19.50"] in rows


def test_credit_aging_needs_view_credits_and_stays_in_the_tenant(http, account):
    role = account.owner.post("/roles", {"name": "sales", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/seller", {"role_id": role["id"]})
    assert account.user("seller").get("/reports/credit-aging").status == 403
    credit(account, "3.00")
    other = make_account(http)
    assert other.owner.get("/reports/credit-aging").json["total"]["total"] == "0.00"
    assert other.owner.get(f"/reports/credit-aging?customer_id={account.customers[0]}").status == 404
