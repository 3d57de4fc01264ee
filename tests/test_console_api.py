"""Routes the web console needs beyond the screens' reads: who am I (what to show), and the Receive Payment
dialog's live preview (the remaining balance computed by the service, never in the browser)."""
from tests.ledger_helpers import credit, get_credit, invoice, order


def test_me_says_who_the_token_is_and_whether_credits_show(account):
    owner = account.owner.get("/me").json
    assert owner["account_id"] == account.id and owner["staff"] is False
    assert owner["sees_credits"] is True and "view_credits" in owner["permissions"]
    role = account.owner.post("/roles", {"name": "Clerk", "permissions": ["receive_payments", "manage_sales"]}).json
    assert account.owner.put("/users/clerk-1", {"role_id": role["id"]}).status == 200
    clerk = account.user("clerk-1").get("/me").json
    assert clerk["permissions"] == ["manage_sales", "receive_payments"] and clerk["sees_credits"] is False
    assert account.staff.get("/me").json["staff"] is True
    assert account.owner.as_(None).get("/me").status == 401


def test_the_payment_preview_splits_the_money_as_the_payment_then_does(account):
    old, new = credit(account, "30.00"), credit(account, "50.00")
    inv_id = order(account, "100.00")["invoice_id"]
    body = {"tenders": [{"method": "cash", "amount": "40.00"}], "credits": [{"credit_id": new["id"]}]}
    preview = account.owner.post(f"/invoices/{inv_id}/payments/preview", body)
    assert preview.status == 200, preview.body
    assert preview.json == {
        "invoice_id": inv_id, "balance": "100.00", "tenders_total": "40.00", "tender_applied": "40.00",
        "credit_uses": [{"credit_id": new["id"], "number": new["number"], "amount": "50.00", "remaining_after": "0.00"}],
        "credits_total": "50.00", "applied": "90.00", "balance_after": "10.00", "overpayment": "0.00"}
    assert get_credit(account, new["id"])["remaining"] == "50.00"  # nothing committed
    assert invoice(account, inv_id)["balance"] == "100.00"
    paid = account.owner.post(f"/invoices/{inv_id}/payments", body).json
    assert paid["invoice"]["balance"] == preview.json["balance_after"]
    fifo = account.owner.post(f"/invoices/{inv_id}/payments/preview", {"tenders": [], "credits": "fifo"}).json
    assert [(c["credit_id"], c["amount"]) for c in fifo["credit_uses"]] == [(old["id"], "10.00")]
    assert fifo["balance_after"] == "0.00"


def test_the_preview_shows_an_overpayment_and_an_empty_dialog_and_refuses_what_the_payment_refuses(account):
    inv_id = order(account, "100.00")["invoice_id"]
    over = account.owner.post(f"/invoices/{inv_id}/payments/preview",
                              {"tenders": [{"method": "check", "amount": "120.00"}]}).json
    assert (over["applied"], over["balance_after"], over["overpayment"]) == ("100.00", "0.00", "20.00")
    empty = account.owner.post(f"/invoices/{inv_id}/payments/preview", {}).json
    assert (empty["applied"], empty["balance_after"]) == ("0.00", "100.00")
    other = order(account, "10.00", customer=1)["invoice_id"]
    c = credit(account, "5.00")  # the first customer's
    refused = account.owner.post(f"/invoices/{other}/payments/preview", {"credits": [{"credit_id": c["id"]}]})
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_not_applicable"
    role = account.owner.post("/roles", {"name": "Sales", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/sales-1", {"role_id": role["id"]})
    assert account.user("sales-1").post(f"/invoices/{inv_id}/payments/preview", {}).status == 403
    role = account.owner.post("/roles", {"name": "Clerk", "permissions": ["receive_payments"]}).json
    account.owner.put("/users/clerk-1", {"role_id": role["id"]})
    blind = account.user("clerk-1").post(f"/invoices/{inv_id}/payments/preview",
                                          {"tenders": [{"method": "cash", "amount": "5.00"}]}).json
    assert "credit_uses" not in blind and "credits_total" not in blind and blind["balance_after"] == "95.00"
