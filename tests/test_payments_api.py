"""Sales orders, invoices, payments, voids, overpayments and the customer-change guards, through HTTP."""
from chalicelib.store.models import InvoiceItem, account_pk
from tests.ledger_helpers import credit, get_credit, invoice, order, pay


def test_sales_order_creates_invoice_with_lines_and_charges(account):
    so = account.owner.post("/sales-orders", {
        "customer_id": account.customers[0],
        "lines": [{"description": "case", "quantity": "2.5", "unit_price": "10.00"},
                  {"description": "box", "quantity": 3, "unit_price": "1.99"}],
        "charges": [{"description": "delivery", "amount": "5.00"}]}).json
    inv = invoice(account, so["invoice_id"])
    assert (inv["total"], inv["paid"], inv["balance"], inv["status"]) == ("35.97", "0.00", "35.97", "unpaid")
    assert inv["sales_order_id"] == so["id"] and inv["payments"] == []


def test_mixed_tenders_partial_then_full(account):
    inv_id = order(account, "100.00")["invoice_id"]
    first = account.owner.post(f"/invoices/{inv_id}/payments", {"tenders": [
        {"method": "cash", "amount": "30.00"}, {"method": "check", "amount": "20.00"}]}).json
    assert first["invoice"]["status"] == "partially_paid" and first["total"] == "50.00"
    assert first["number"].startswith("PAY-")
    second = pay(account, inv_id, "50.00", payment_number="CHK-778")
    assert second["number"] == "CHK-778" and second["invoice"]["status"] == "fully_paid"
    assert pay(account, inv_id, "1.00", expect=409)["error"]["code"] == "invoice_fully_paid"


def test_overpayment_becomes_credit_linked_to_invoice_and_payment(account):
    inv_id = order(account, "100.00")["invoice_id"]
    payment = pay(account, inv_id, "120.00")
    assert payment["invoice"]["status"] == "fully_paid" and payment["invoice"]["paid"] == "100.00"
    over = get_credit(account, payment["overpayment_credit_id"])
    assert (over["source"], over["amount"], over["origin_invoice_id"], over["origin_payment_id"]) == (
        "overpayment", "20.00", inv_id, payment["id"])


def test_fifo_uses_oldest_first_and_skips_own_invoice(account):
    inv_a = order(account, "100.00")["invoice_id"]
    own = pay(account, inv_a, "150.00")["overpayment_credit_id"]  # 50.00 from invoice A
    old, new = credit(account, "30.00"), credit(account, "30.00")
    inv_b = order(account, "40.00")["invoice_id"]
    paid_b = pay(account, inv_b, credits="fifo")
    used = {u["credit_id"]: u["amount"] for u in paid_b["credit_uses"]}
    assert used == {own: "40.00"}  # the overpayment credit is oldest, and B did not generate it
    inv_a2 = order(account, "10.00")["invoice_id"]
    assert pay(account, inv_a2, credits="fifo")["credit_uses"][0]["credit_id"] == own
    # invoice A itself: FIFO skips the credit A generated even though it still has 0.00.. and takes the next oldest
    account.owner.patch(f"/invoices/{inv_a}", {"lines": [{"quantity": 1, "unit_price": "120.00"}]})
    fifo_a = pay(account, inv_a, credits="fifo")
    assert [u["credit_id"] for u in fifo_a["credit_uses"]] == [old["id"]]
    assert get_credit(account, new["id"])["used"] == "0.00"


def test_credits_cover_only_what_tenders_leave(account):
    c = credit(account, "80.00")
    inv_id = order(account, "100.00")["invoice_id"]
    payment = pay(account, inv_id, "70.00", credits="fifo")
    assert payment["credit_uses"][0]["amount"] == "30.00" and payment["invoice"]["status"] == "fully_paid"
    assert payment["overpayment_credit_id"] is None
    assert get_credit(account, c["id"])["remaining"] == "50.00"


def test_chosen_credits_with_amounts_and_limits(account):
    a, b = credit(account, "30.00"), credit(account, "30.00")
    inv_id = order(account, "50.00")["invoice_id"]
    too_much = pay(account, inv_id, credits=[{"credit_id": a["id"], "amount": "30.00"},
                                             {"credit_id": b["id"], "amount": "30.00"}], expect=409)
    assert too_much["error"]["code"] == "credits_exceed_balance"
    over_credit = pay(account, inv_id, credits=[{"credit_id": a["id"], "amount": "31.00"}], expect=409)
    assert over_credit["error"]["code"] == "insufficient_credit"
    payment = pay(account, inv_id, credits=[{"credit_id": b["id"], "amount": "10.00"}, {"credit_id": a["id"]}])
    assert [(u["credit_id"], u["amount"]) for u in payment["credit_uses"]] == [(b["id"], "10.00"), (a["id"], "30.00")]
    assert payment["invoice"]["balance"] == "10.00"


def test_refused_credits(account):
    inv_a = order(account, "100.00")["invoice_id"]
    own = pay(account, inv_a, "50.00")
    over = pay(account, order(account, "10.00")["invoice_id"], "20.00")["overpayment_credit_id"]
    inv_b = order(account, "10.00")["invoice_id"]
    account.owner.patch(f"/invoices/{inv_b}", {"lines": [{"quantity": 1, "unit_price": "50.00"}]})
    canceled, deleted, other = credit(account, "5.00"), credit(account, "5.00"), credit(account, "5.00", customer=1)
    account.owner.post(f"/credits/{canceled['id']}/cancel", {"mode": "balance_only"})
    account.owner.delete(f"/credits/{deleted['id']}")
    gen_by_b = pay(account, order(account, "1.00")["invoice_id"], "2.00")["overpayment_credit_id"]
    assert own["overpayment_credit_id"] is None
    over_inv = get_credit(account, over)["origin_invoice_id"]
    same = pay(account, over_inv, credits=[{"credit_id": over}], expect=409)
    assert same["error"]["code"] in ("credit_from_same_invoice", "invoice_fully_paid")
    inv_c = order(account, "100.00")["invoice_id"]
    pay_c = pay(account, inv_c, "150.00")
    same_c = pay(account, inv_c, credits=[{"credit_id": pay_c["overpayment_credit_id"]}], expect=409)
    assert same_c["error"]["code"] in ("invoice_fully_paid",)
    account.owner.patch(f"/invoices/{inv_c}", {"lines": [{"quantity": 1, "unit_price": "200.00"}]})
    same_c = pay(account, inv_c, credits=[{"credit_id": pay_c["overpayment_credit_id"]}], expect=409)
    assert same_c["error"]["code"] == "credit_from_same_invoice"
    for bad in (canceled, deleted, other):
        reply = pay(account, inv_b, credits=[{"credit_id": bad["id"]}], expect=409)
        assert reply["error"]["code"] == "credit_not_applicable"
    assert gen_by_b


def test_void_payment_restores_credits_and_keeps_history(account):
    c = credit(account, "40.00")
    inv_id = order(account, "100.00")["invoice_id"]
    payment = pay(account, inv_id, "60.00", credits=[{"credit_id": c["id"]}])
    assert get_credit(account, c["id"])["remaining"] == "0.00"
    voided = account.owner.post(f"/payments/{payment['id']}/void").json
    assert voided["status"] == "voided" and voided["invoice"]["status"] == "unpaid"
    assert voided["credit_uses"][0]["voided_at"] is not None
    assert get_credit(account, c["id"])["remaining"] == "40.00"
    inv = invoice(account, inv_id)
    assert inv["payments"][0]["status"] == "voided" and inv["payments"][0]["credit_uses"][0]["voided_at"]
    kinds = [e["kind"] for e in account.owner.get(f"/credits/{c['id']}/transactions").json["data"]]
    assert kinds == ["created", "applied", "use_voided"]
    assert account.owner.post(f"/payments/{payment['id']}/void").status == 409


def test_void_payment_voids_its_overpayment_credit_unless_used(account):
    inv_a = order(account, "100.00")["invoice_id"]
    payment = pay(account, inv_a, "130.00")
    over_id = payment["overpayment_credit_id"]
    inv_b = order(account, "10.00")["invoice_id"]
    use = pay(account, inv_b, credits=[{"credit_id": over_id}])
    refused = account.owner.post(f"/payments/{payment['id']}/void")
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_in_use"
    assert refused.json["error"]["details"]["uses"][0]["invoice_id"] == inv_b
    account.owner.post(f"/payments/{use['id']}/void")
    assert account.owner.post(f"/payments/{payment['id']}/void").status == 200
    assert get_credit(account, over_id)["status"] == "voided"
    assert invoice(account, inv_a)["status"] == "unpaid"


def test_overpayment_credit_is_immutable(account):
    over_id = pay(account, order(account, "10.00")["invoice_id"], "15.00")["overpayment_credit_id"]
    for reply in (account.owner.patch(f"/credits/{over_id}", {"amount": "1.00"}),
                  account.owner.delete(f"/credits/{over_id}"),
                  account.owner.post(f"/credits/{over_id}/cancel", {"mode": "revert"})):
        assert reply.status == 409
        assert reply.json["error"]["code"] == "overpayment_credit_immutable"
        assert "void the payment" in reply.json["error"]["message"]


def test_customer_change_guards(account):
    so = order(account, "10.00")
    assert account.owner.patch(f"/sales-orders/{so['id']}", {"customer_id": account.customers[1]}).status == 200
    assert invoice(account, so["invoice_id"])["customer_id"] == account.customers[1]
    payment = pay(account, so["invoice_id"], "15.00")
    locked = account.owner.patch(f"/sales-orders/{so['id']}", {"customer_id": account.customers[0]})
    assert locked.status == 409 and locked.json["error"]["code"] == "overpayment_credit_exists"
    account.owner.post(f"/payments/{payment['id']}/void")
    pay(account, so["invoice_id"], "5.00")
    InvoiceItem(account_pk(account.id), f"INV#{so['invoice_id']}").update(actions=[InvoiceItem.qbo_id.set("77")], add_version_condition=False)
    synced = account.owner.patch(f"/sales-orders/{so['id']}", {"customer_id": account.customers[0]})
    assert synced.status == 409 and synced.json["error"]["code"] == "synced_invoice_has_payments"
    assert "void the payments" in synced.json["error"]["message"]


def test_delete_sales_order_deletes_its_overpayment_credit(account):
    so = order(account, "10.00")
    payment = pay(account, so["invoice_id"], "25.00")
    over_id = payment["overpayment_credit_id"]
    other_inv = order(account, "5.00")["invoice_id"]
    use = pay(account, other_inv, credits=[{"credit_id": over_id}])
    refused = account.owner.delete(f"/sales-orders/{so['id']}")
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_in_use"
    account.owner.post(f"/payments/{use['id']}/void")
    deleted = account.owner.delete(f"/sales-orders/{so['id']}")
    assert deleted.status == 200 and deleted.json["deleted"] is True
    assert get_credit(account, over_id)["status"] == "deleted"
    assert invoice(account, so["invoice_id"])["payments"][0]["status"] == "voided"
    assert pay(account, so["invoice_id"], "1.00", expect=409)["error"]["code"] == "invoice_deleted"


def test_invoice_reduced_below_paid_issues_adjustment_credit(account):
    inv_id = order(account, "100.00", charges=[("delivery", "20.00")])["invoice_id"]
    pay(account, inv_id, "120.00")
    edited = account.owner.patch(f"/invoices/{inv_id}", {"charges": []}).json
    assert (edited["total"], edited["paid"], edited["status"]) == ("100.00", "100.00", "fully_paid")
    [adjustment_id] = edited["adjustment_credit_ids"]
    adjustment = get_credit(account, adjustment_id)
    assert (adjustment["source"], adjustment["amount"], adjustment["origin_invoice_id"]) == (
        "invoice_adjustment", "20.00", inv_id)
    raised = account.owner.patch(f"/invoices/{inv_id}", {"lines": [{"quantity": 1, "unit_price": "150.00"}]}).json
    assert raised["status"] == "partially_paid" and raised["balance"] == "50.00"
    other = credit(account, "50.00")
    assert pay(account, inv_id, credits="fifo")["credit_uses"][0]["credit_id"] == other["id"]
    assert invoice(account, inv_id)["status"] == "fully_paid"


def test_credit_summary_and_warning(account):
    account.owner.patch("/settings", {"credit_balance_warning_threshold": "50.00"})
    credit(account, "12.00")
    inv_id = order(account, "40.00")["invoice_id"]
    summary = account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json
    assert (summary["available_credit"], summary["outstanding_balance"], summary["warning"]) == (
        "12.00", "40.00", False)
    order(account, "20.00")
    pay(account, inv_id, "1.00", credits="fifo")
    summary = account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json
    assert (summary["available_credit"], summary["outstanding_balance"]) == ("0.00", "47.00")
    order(account, "10.00")
    assert account.owner.get(f"/customers/{account.customers[0]}/credit-summary").json["warning"] is True


def test_used_credit_rules_over_http(account):
    c = credit(account, "30.00")
    pay(account, order(account, "20.00")["invoice_id"], credits=[{"credit_id": c["id"]}])
    below = account.owner.patch(f"/credits/{c['id']}", {"amount": "19.99"})
    assert below.status == 409 and below.json["error"]["code"] == "credit_below_used"
    assert account.owner.patch(f"/credits/{c['id']}", {"amount": "20.00"}).json["remaining"] == "0.00"
    assert account.owner.delete(f"/credits/{c['id']}").json["error"]["code"] == "credit_already_used"


def test_users_without_view_credits_see_no_credit_fields(account):
    role = account.owner.post("/roles", {"name": "Cashier", "permissions": ["receive_payments"]}).json
    account.owner.put("/users/cashier", {"role_id": role["id"]})
    inv_id = order(account, "10.00")["invoice_id"]
    cashier = account.user("cashier")
    payment = cashier.post(f"/invoices/{inv_id}/payments", {"tenders": [{"method": "cash", "amount": "15.00"}]})
    assert payment.status == 201 and "overpayment_credit_id" not in payment.json
    assert "credit_uses" not in cashier.get(f"/invoices/{inv_id}").json["payments"][0]
    assert cashier.post(f"/invoices/{inv_id}/payments", {"credits": "fifo"}).status == 403


def test_credit_actions_need_view_credits_too(account):
    role = account.owner.post("/roles", {"name": "Blind", "permissions": ["create_credits", "edit_credits",
                                                                          "manage_sales"]}).json
    account.owner.put("/users/blind", {"role_id": role["id"]})
    blind = account.user("blind")
    assert blind.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"}).status == 403
    c = credit(account, "5.00")
    assert blind.patch(f"/credits/{c['id']}", {"internal_note": "x"}).status == 403
    ret = blind.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P", "quantity": 1, "unit_price": "1.00"}]})
    assert ret.status == 201 and "credit_id" not in ret.json
    assert "adjusted_to_credit" not in blind.get(f"/invoices/{order(account, '1.00')['invoice_id']}").json


def test_only_manual_credit_amounts_change_and_used_credits_stay(account):
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P", "quantity": 1, "unit_price": "8.00"}]}).json
    return_credit = account.owner.post(f"/returns/{ret['id']}/complete").json["credit_id"]
    fixed = account.owner.patch(f"/credits/{return_credit}", {"amount": "80.00"})
    assert fixed.status == 409 and fixed.json["error"]["code"] == "credit_amount_fixed"
    assert account.owner.patch(f"/credits/{return_credit}", {"external_note": "thanks"}).status == 200
    c = credit(account, "5.00")
    payment = pay(account, order(account, "3.00")["invoice_id"], credits=[{"credit_id": c["id"]}])
    account.owner.post(f"/payments/{payment['id']}/void")
    assert get_credit(account, c["id"])["used"] == "0.00"
    refused = account.owner.delete(f"/credits/{c['id']}")
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_already_used"


def test_one_cent_edges_of_paid_and_fully_paid(account):
    inv_id = order(account, "100.00")["invoice_id"]
    first = pay(account, inv_id, "99.99")
    assert (first["invoice"]["status"], first["invoice"]["balance"]) == ("partially_paid", "0.01")
    last = pay(account, inv_id, "0.01")
    assert (last["invoice"]["status"], last["invoice"]["balance"], last["overpayment_credit_id"]) == (
        "fully_paid", "0.00", None)
    assert pay(account, inv_id, "0.01", expect=409)["error"]["code"] == "invoice_fully_paid"
    cent = order(account, "0.01")["invoice_id"]
    assert invoice(account, cent)["status"] == "unpaid"
    over = pay(account, cent, "0.02")
    assert over["invoice"]["status"] == "fully_paid" and get_credit(account, over["overpayment_credit_id"])[
        "amount"] == "0.01"


def test_zero_total_invoice_reads_fully_paid_and_takes_no_payment(account):
    inv_id = order(account, "0.00")["invoice_id"]
    assert (invoice(account, inv_id)["status"], invoice(account, inv_id)["balance"]) == ("fully_paid", "0.00")
    assert pay(account, inv_id, "1.00", expect=409)["error"]["code"] == "invoice_fully_paid"


def test_a_payment_must_bring_something(account):
    inv_id = order(account, "10.00")["invoice_id"]
    for body in ({"tenders": []}, {"tenders": [], "credits": "fifo"}, {"tenders": [], "credits": []}):
        reply = account.owner.post(f"/invoices/{inv_id}/payments", body)
        assert reply.status == 400 and reply.json["error"]["code"] == "invalid_request", body
    assert invoice(account, inv_id)["payments"] == []


def test_chosen_credit_equal_to_the_balance_and_to_what_remains(account):
    c = credit(account, "50.00")
    inv_id = order(account, "50.00")["invoice_id"]
    over = pay(account, inv_id, credits=[{"credit_id": c["id"], "amount": "50.01"}], expect=409)
    assert over["error"]["code"] == "insufficient_credit"
    exact = pay(account, inv_id, credits=[{"credit_id": c["id"], "amount": "50.00"}])
    assert exact["invoice"]["status"] == "fully_paid" and exact["credit_uses"][0]["amount"] == "50.00"
    assert get_credit(account, c["id"])["remaining"] == "0.00"
    bigger = credit(account, "20.00")
    inv_b = order(account, "10.00")["invoice_id"]
    refused = pay(account, inv_b, credits=[{"credit_id": bigger["id"], "amount": "10.01"}], expect=409)
    assert refused["error"]["code"] == "credits_exceed_balance"
    assert pay(account, inv_b, credits=[{"credit_id": bigger["id"], "amount": "10.00"}])["invoice"]["balance"] == "0.00"


def test_at_most_thirty_credits_per_payment(account):
    credits = [credit(account, "0.01")["id"] for _ in range(31)]
    inv_id = order(account, "1.00")["invoice_id"]
    refused = pay(account, inv_id, credits=[{"credit_id": c} for c in credits], expect=400)
    assert refused["error"]["code"] == "invalid_request" and "30" in refused["error"]["message"]
    paid = pay(account, inv_id, credits=[{"credit_id": c} for c in credits[:30]])
    assert len(paid["credit_uses"]) == 30 and paid["invoice"]["balance"] == "0.70"
    fifo = pay(account, order(account, "1.00")["invoice_id"], credits="fifo")
    assert [u["credit_id"] for u in fifo["credit_uses"]] == credits[30:]


def test_a_credit_never_pays_the_invoice_that_generated_it(account):
    inv_id = order(account, "100.00")["invoice_id"]
    over_id = pay(account, inv_id, "130.00")["overpayment_credit_id"]
    account.owner.patch(f"/invoices/{inv_id}", {"lines": [{"quantity": 1, "unit_price": "200.00"}]})
    refused = pay(account, inv_id, credits=[{"credit_id": over_id, "amount": "1.00"}], expect=409)
    assert refused["error"]["code"] == "credit_from_same_invoice"
    assert refused["error"]["details"] == {"credit_id": over_id}
    assert pay(account, inv_id, credits="fifo", expect=400)["error"]["code"] == "invalid_request"  # FIFO skips it


def test_second_reduction_of_a_paid_invoice_keeps_the_first(account):
    inv_id = order(account, "100.00")["invoice_id"]
    pay(account, inv_id, "100.00")
    first = account.owner.patch(f"/invoices/{inv_id}", {"lines": [{"quantity": 1, "unit_price": "80.00"}]}).json
    second = account.owner.patch(f"/invoices/{inv_id}", {"lines": [{"quantity": 1, "unit_price": "50.00"}]}).json
    assert (first["adjusted_to_credit"], second["adjusted_to_credit"], second["paid"]) == ("20.00", "50.00", "50.00")
    amounts = sorted(get_credit(account, c)["amount"] for c in second["adjustment_credit_ids"])
    assert amounts == ["20.00", "30.00"] and second["status"] == "fully_paid"


def test_invoice_of_a_deleted_order_cannot_be_edited_or_reassigned(account):
    so = order(account, "10.00")
    assert account.owner.delete(f"/sales-orders/{so['id']}").status == 200
    edited = account.owner.patch(f"/invoices/{so['invoice_id']}", {"lines": [{"quantity": 1, "unit_price": "5.00"}]})
    assert edited.status == 409 and edited.json["error"]["code"] == "invoice_deleted"
    moved = account.owner.patch(f"/sales-orders/{so['id']}", {"customer_id": account.customers[1]})
    assert moved.status == 409 and moved.json["error"]["code"] == "invoice_deleted"
    after = invoice(account, so["invoice_id"])
    assert (after["total"], after["customer_id"], after["deleted"]) == ("10.00", account.customers[0], True)


def test_void_and_order_deletion_are_in_the_overpayment_credit_history(account):
    inv_id = order(account, "10.00")["invoice_id"]
    payment = pay(account, inv_id, "15.00")
    account.owner.post(f"/payments/{payment['id']}/void")
    events = account.owner.get(f"/credits/{payment['overpayment_credit_id']}/transactions").json["data"]
    assert [(e["kind"], e["amount"]) for e in events] == [("created", "5.00"), ("voided", "5.00")]
    assert events[-1]["details"]["reason"]
    so = order(account, "10.00")
    over_id = pay(account, so["invoice_id"], "12.00")["overpayment_credit_id"]
    account.owner.delete(f"/sales-orders/{so['id']}")
    events = account.owner.get(f"/credits/{over_id}/transactions").json["data"]
    assert [(e["kind"], e["amount"]) for e in events] == [("created", "2.00"), ("deleted", "2.00")]


def test_voiding_a_payment_whose_cut_credit_was_deleted_reopens_the_whole_invoice(account):
    """The stateful test's shrunk case (its model forgot the voided amount; the ledger was right): a credit pays 23.35,
    the invoice drops to 7.02 (16.33 becomes an adjustment credit), that credit is deleted, then the payment is
    voided. Nothing pays the invoice any more, and the paying credit gets back only what the invoice kept."""
    paying = credit(account, "23.35")
    inv_id = order(account, "38.34")["invoice_id"]
    payment = pay(account, inv_id, credits=[{"credit_id": paying["id"]}])
    edited = account.owner.patch(f"/invoices/{inv_id}", {"lines": [{"quantity": 1, "unit_price": "7.02"}]}).json
    [adjustment_id] = edited["adjustment_credit_ids"]
    assert account.owner.delete(f"/credits/{adjustment_id}").status == 200
    assert account.owner.post(f"/payments/{payment['id']}/void").status == 200
    shown = invoice(account, inv_id)
    assert (shown["total"], shown["paid"], shown["balance"], shown["status"]) == ("7.02", "0.00", "7.02", "unpaid")
    back = get_credit(account, paying["id"])
    assert (back["amount"], back["used"], back["remaining"], back["status"]) == ("7.02", "0.00", "7.02", "active")
    assert get_credit(account, adjustment_id)["status"] == "deleted"
