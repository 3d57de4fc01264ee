"""Outbound sync against the emulator through python-quickbooks: each mapping row of DESIGN §5 lands in the books."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import make_account
from tests.qbo.conftest import SyncedAccount


def _sale(owner, customer_id: str, amount: str = "100.00") -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "lines": [
        {"description": "Case of oranges", "quantity": "4", "unit_price": str(Decimal(amount) / 4)}], "charges": []})
    assert reply.status == 201, reply.body
    return reply.json


def test_manual_credit_becomes_a_credit_memo_of_a_linked_customer(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    existing = synced.realm.customer("Customer 0")  # the accountant already has this customer
    credit = owner.post("/credits", {"customer_id": customer, "amount": "25.00", "internal_note": "damaged case",
                                     "external_note": "sorry"}).json
    assert credit["sync_status"] == "pending"
    report = synced.push()
    assert report.pushed == [("credit", credit["id"])] and not report.parked
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    assert memo["CustomerRef"]["value"] == existing["Id"] and memo["RemainingCredit"] == Decimal("25.00")
    assert memo["CustomerMemo"] == {"value": "sorry"} and "damaged case" in memo["PrivateNote"]
    assert len(synced.books("Customer")) == 1
    shown = owner.get(f"/credits/{credit['id']}").json
    assert shown["qbo_id"] == memo["Id"] and shown["sync_status"] == "synced"
    assert synced.push().pushed == []  # nothing left: a second run does nothing


def test_credit_edit_updates_the_memo_and_delete_removes_it(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "40.00"}).json
    synced.push()
    assert owner.patch(f"/credits/{credit['id']}", {"amount": "30.00", "internal_note": "recounted"}).status == 200
    synced.push()
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    assert memo["TotalAmt"] == Decimal("30.00") and "recounted" in memo["PrivateNote"]
    assert owner.delete(f"/credits/{credit['id']}").status == 200
    synced.push()
    assert synced.books("CreditMemo") == []


def test_payment_with_overage_pushes_invoice_first_and_leaves_the_excess_unapplied(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    order = _sale(owner, customer)
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "120.00"}], "credits": None}).json
    report = synced.push()
    assert report.parked == [] and report.waiting == []
    invoice = synced.one("Invoice", DocNumber=owner.get(f"/invoices/{order['invoice_id']}").json["number"])
    payment = synced.one("Payment", PaymentRefNum=paid["number"])
    assert invoice["Balance"] == Decimal("0.00") and invoice["TotalAmt"] == Decimal("100.00")
    assert payment["TotalAmt"] == Decimal("120.00") and payment["UnappliedAmt"] == Decimal("20.00")
    overpayment = owner.get(f"/credits/{paid['overpayment_credit_id']}").json
    assert overpayment["qbo_id"] == payment["Id"] and overpayment["sync_status"] == "synced"
    assert synced.books("CreditMemo") == []  # an overpayment is never a memo

    assert owner.post(f"/payments/{paid['id']}/void").status == 200
    synced.push()
    voided = synced.one("Payment", Id=payment["Id"])
    assert voided["TotalAmt"] == Decimal("0.00") and voided["UnappliedAmt"] == Decimal("0.00")
    assert synced.one("Invoice", Id=invoice["Id"])["Balance"] == Decimal("100.00")


def test_a_create_dropped_after_commit_is_found_again_not_duplicated(synced):
    from chalicelib.services.sync.push import PushDeferred

    owner, customer = synced.account.owner, synced.account.customers[0]
    synced.realm.customer("Customer 0")
    credit = owner.post("/credits", {"customer_id": customer, "amount": "12.00"}).json
    synced.realm.faults(drop_after_commit_next=1)
    with pytest.raises(PushDeferred):
        synced.push(max_attempts=1)  # no retry with the same requestid: the answer is simply lost
    owner.patch(f"/credits/{credit['id']}", {"external_note": "changed meanwhile"})  # a new version: new requestid
    synced.push()
    memos = synced.books("CreditMemo")
    assert len(memos) == 1 and memos[0]["CustomerMemo"] == {"value": "changed meanwhile"}


def test_an_account_without_qbo_sync_records_nothing_to_push(http):
    from chalicelib.store.sync_state import pending_objects

    account = make_account(http)
    account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "5.00"})
    assert pending_objects(account.id) == []
    assert account.owner.get("/credits").json["data"][0]["sync_status"] == "not_synced"


def _pay_with_credit(owner, invoice_id: str, credit_id: str, amount: str | None = None) -> dict:
    choice = {"credit_id": credit_id, **({"amount": amount} if amount else {})}
    reply = owner.post(f"/invoices/{invoice_id}/payments", {"tenders": [], "credits": [choice]})
    assert reply.status == 201, reply.body
    return reply.json


def _balances(synced: SyncedAccount, credit: dict, invoice_number: str) -> tuple[Decimal, Decimal]:
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    invoice = synced.one("Invoice", DocNumber=invoice_number)
    return memo["RemainingCredit"], invoice["Balance"]


def test_a_credit_use_is_a_zero_payment_linking_invoice_and_memo_and_a_void_removes_it(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "40.00")
    number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
    paid = _pay_with_credit(owner, order["invoice_id"], credit["id"], "30.00")
    report = synced.push()
    assert report.parked == [] and report.waiting == []
    linking = synced.one("Payment", PaymentRefNum=paid["number"])
    assert linking["TotalAmt"] == Decimal("0.00")
    assert _balances(synced, credit, number) == (Decimal("20.00"), Decimal("10.00"))

    assert owner.post(f"/payments/{paid['id']}/void").status == 200
    synced.push()
    assert [p for p in synced.books("Payment") if p["Id"] == linking["Id"]] == []
    assert _balances(synced, credit, number) == (Decimal("50.00"), Decimal("40.00"))


def test_cancel_balance_only_keeps_the_uses_and_zeroes_what_remains(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "20.00")
    number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
    _pay_with_credit(owner, order["invoice_id"], credit["id"])
    synced.push()
    assert owner.post(f"/credits/{credit['id']}/cancel", {"mode": "balance_only"}).status == 200
    synced.push()
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    assert memo["TotalAmt"] == Decimal("20.00") and _balances(synced, credit, number) == (Decimal("0.00"),
                                                                                       Decimal("0.00"))


def test_cancel_and_revert_deletes_the_linking_payments_then_the_memo(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    orders = [_sale(owner, customer, amount) for amount in ("20.00", "12.00")]
    for order in orders:
        _pay_with_credit(owner, order["invoice_id"], credit["id"])
    synced.push()
    assert len(synced.books("Payment")) == 2
    assert owner.post(f"/credits/{credit['id']}/cancel", {"mode": "revert"}).status == 200
    report = synced.push()
    assert report.parked == []
    assert synced.books("Payment") == [] and synced.books("CreditMemo") == []
    assert sorted(i["Balance"] for i in synced.books("Invoice")) == [Decimal("12.00"), Decimal("20.00")]


def test_reducing_an_invoice_paid_by_a_credit_gives_the_memo_its_credit_back(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "40.00")
    number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
    _pay_with_credit(owner, order["invoice_id"], credit["id"])
    synced.push()
    reduced = owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "fewer oranges", "quantity": "3", "unit_price": "10.00"}]})
    assert reduced.status == 200 and reduced.json["adjusted_to_credit"] == "10.00"
    report = synced.push()
    assert report.parked == [], report
    # the memo regains the 10.00 the adjustment credit holds; the invoice stays fully paid at its new total
    assert _balances(synced, credit, number) == (Decimal("20.00"), Decimal("0.00"))
    assert synced.one("Invoice", DocNumber=number)["TotalAmt"] == Decimal("30.00")
    adjustment = owner.get(f"/credits/{reduced.json['adjustment_credit_ids'][0]}").json
    assert adjustment["sync_status"] == "synced"


def test_an_overpayment_credit_used_elsewhere_is_a_line_on_its_original_payment(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    first, second = _sale(owner, customer, "100.00"), _sale(owner, customer, "40.00")
    paid = owner.post(f"/invoices/{first['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "130.00"}], "credits": None}).json
    used = _pay_with_credit(owner, second["invoice_id"], paid["overpayment_credit_id"])
    report = synced.push()
    assert report.parked == [] and report.waiting == []
    original = synced.one("Payment", PaymentRefNum=paid["number"])
    numbers = {i: owner.get(f"/invoices/{o['invoice_id']}").json["number"] for i, o in (("a", first), ("b", second))}
    assert original["TotalAmt"] == Decimal("130.00") and original["UnappliedAmt"] == Decimal("0.00")
    assert [p for p in synced.books("Payment") if p["Id"] != original["Id"]] == []  # no document of its own
    assert synced.one("Invoice", DocNumber=numbers["b"])["Balance"] == Decimal("10.00")

    assert owner.post(f"/payments/{used['id']}/void").status == 200  # the line leaves the original Payment
    synced.push()
    assert synced.one("Payment", Id=original["Id"])["UnappliedAmt"] == Decimal("30.00")
    assert synced.one("Invoice", DocNumber=numbers["b"])["Balance"] == Decimal("40.00")
    assert synced.one("Invoice", DocNumber=numbers["a"])["Balance"] == Decimal("0.00")


def test_a_reduced_paid_invoice_leaves_the_money_unapplied_on_its_payment_and_its_credit_spends_it(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    first, second = _sale(owner, customer, "100.00"), _sale(owner, customer, "40.00")
    paid = owner.post(f"/invoices/{first['invoice_id']}/payments",
                      {"tenders": [{"method": "cash", "amount": "100.00"}], "credits": None}).json
    synced.push()
    reduced = owner.patch(f"/invoices/{first['invoice_id']}", {"lines": [
        {"description": "fewer", "quantity": "4", "unit_price": "20.00"}]}).json
    synced.push()
    original = synced.one("Payment", PaymentRefNum=paid["number"])
    assert original["UnappliedAmt"] == Decimal("20.00")
    assert synced.one("Invoice", DocNumber=reduced["number"])["TotalAmt"] == Decimal("80.00")

    _pay_with_credit(owner, second["invoice_id"], reduced["adjustment_credit_ids"][0])
    report = synced.push()
    assert report.parked == []
    assert synced.one("Payment", Id=original["Id"])["UnappliedAmt"] == Decimal("0.00")
    second_number = owner.get(f"/invoices/{second['invoice_id']}").json["number"]
    assert synced.one("Invoice", DocNumber=second_number)["Balance"] == Decimal("20.00")


def _summary(owner, customer: str) -> tuple[str, str]:
    shown = owner.get(f"/customers/{customer}/credit-summary").json
    return shown["available_credit"], shown["outstanding_balance"]


def test_voiding_a_payment_a_reduction_cut_takes_the_cut_back_from_the_adjustment_credit(synced):
    """The ledger gap of issue 9: the cut share was refunded with the payment and kept by the adjustment credit."""
    owner, customer = synced.account.owner, synced.account.customers[1]
    order = _sale(owner, customer, "100.00")
    invoice_id = order["invoice_id"]
    owner.post(f"/invoices/{invoice_id}/payments", {"tenders": [{"method": "cash", "amount": "60.00"}], "credits": None})
    late = owner.post(f"/invoices/{invoice_id}/payments",
                      {"tenders": [{"method": "check", "amount": "40.00"}], "credits": None}).json
    reduced = owner.patch(f"/invoices/{invoice_id}", {"lines": [
        {"description": "fewer", "quantity": "1", "unit_price": "70.00"}]}).json
    adjustment_id = reduced["adjustment_credit_ids"][0]
    assert _summary(owner, customer) == ("30.00", "0.00")
    synced.push()

    assert owner.post(f"/payments/{late['id']}/void").status == 200  # the check bounced: its 40.00 never existed
    invoice = owner.get(f"/invoices/{invoice_id}").json
    assert (invoice["paid"], invoice["balance"], invoice["adjusted_to_credit"]) == ("60.00", "10.00", "0.00")
    assert owner.get(f"/credits/{adjustment_id}").json["status"] == "voided"
    assert _summary(owner, customer) == ("0.00", "10.00")
    report = synced.push()
    assert report.parked == [], report
    assert synced.one("Invoice", DocNumber=reduced["number"])["Balance"] == Decimal("10.00")
    assert sum(p["UnappliedAmt"] for p in synced.books("Payment")) == Decimal("0.00")


def test_voiding_a_credit_use_a_reduction_cut_gives_the_memo_back_once(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "40.00")
    number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
    owner.post(f"/invoices/{order['invoice_id']}/payments",
               {"tenders": [{"method": "cash", "amount": "10.00"}], "credits": None})
    used = _pay_with_credit(owner, order["invoice_id"], credit["id"])
    reduced = owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "fewer oranges", "quantity": "3", "unit_price": "10.00"}]}).json
    assert synced.push().parked == []  # in one run: the use waits for its invoice, then goes
    assert _balances(synced, credit, number) == (Decimal("30.00"), Decimal("0.00"))  # 20 ours + 10 the adjustment's

    partly = owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "fewer oranges", "quantity": "2", "unit_price": "10.00"}]}).json  # a second cut, of 10
    assert len(partly["adjustment_credit_ids"]) == 2
    assert owner.post(f"/payments/{used['id']}/void").status == 200
    assert owner.get(f"/credits/{credit['id']}").json["remaining"] == "50.00"
    assert [owner.get(f"/credits/{c}").json["status"] for c in partly["adjustment_credit_ids"]] == ["voided"] * 2
    assert _summary(owner, customer) == ("50.00", "10.00")
    report = synced.push()
    assert report.parked == [], report
    assert _balances(synced, credit, number) == (Decimal("50.00"), Decimal("10.00"))


def test_a_void_is_refused_while_the_adjustment_credit_it_funded_pays_another_invoice(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    first, second = _sale(owner, customer, "100.00"), _sale(owner, customer, "40.00")
    paid = owner.post(f"/invoices/{first['invoice_id']}/payments",
                      {"tenders": [{"method": "cash", "amount": "100.00"}], "credits": None}).json
    reduced = owner.patch(f"/invoices/{first['invoice_id']}", {"lines": [
        {"description": "fewer", "quantity": "4", "unit_price": "20.00"}]}).json
    spent = _pay_with_credit(owner, second["invoice_id"], reduced["adjustment_credit_ids"][0])
    refused = owner.post(f"/payments/{paid['id']}/void")
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_in_use"
    assert refused.json["error"]["details"]["uses"][0]["payment_id"] == spent["id"]
    assert owner.post(f"/payments/{spent['id']}/void").status == 200
    assert owner.post(f"/payments/{paid['id']}/void").status == 200
    assert _summary(owner, customer) == ("0.00", "120.00")


def _new_customer(synced, name: str) -> str:
    reply = synced.account.owner.post("/customers", {"name": name})
    assert reply.status == 201, reply.body
    return reply.json["id"]


def test_new_credits_go_thirty_to_a_batch_and_a_refused_item_parks_only_itself(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    gone = _new_customer(synced, "Gone Customer")
    synced.push()
    qbo_gone = synced.one("Customer", DisplayName="Gone Customer")["Id"]
    synced.realm.control("DELETE", f"objects/Customer/{qbo_gone}")  # the accountant removed it meanwhile
    credits = [owner.post("/credits", {"customer_id": customer, "amount": f"{n + 1}.00"}).json for n in range(35)]
    orphan = owner.post("/credits", {"customer_id": gone, "amount": "9.99"}).json
    report = synced.push()
    assert report.batch_requests == 2  # 30 + 6 memos
    assert report.qbo_requests == 2 + 3  # and the customer (looked up, created) and the sales item, once each
    assert report.parked == [("credit", orphan["id"])]
    assert sorted(report.pushed) == sorted(("credit", c["id"]) for c in credits)
    memos = {m["DocNumber"]: m for m in synced.books("CreditMemo")}
    assert len(memos) == 35
    for credit in credits:
        shown = owner.get(f"/credits/{credit['id']}").json
        assert shown["sync_status"] == "synced" and memos[credit["number"]]["Id"] == shown["qbo_id"]
        assert memos[credit["number"]]["TotalAmt"] == Decimal(credit["amount"])
    assert owner.get(f"/credits/{orphan['id']}").json["sync_status"] == "error"


def test_a_batch_whose_answer_is_lost_is_adopted_by_marker_not_created_twice(synced):
    from chalicelib.services.sync.push import PushDeferred

    owner, customer = synced.account.owner, synced.account.customers[0]
    owner.post("/credits", {"customer_id": customer, "amount": "1.00"})
    synced.push()  # customer and sales item
    credits = [owner.post("/credits", {"customer_id": customer, "amount": f"{n + 2}.00"}).json for n in range(4)]
    synced.realm.faults(drop_after_commit_next=1)
    with pytest.raises(PushDeferred):
        synced.push(max_attempts=1)  # a worker that gives up after the lost answer (no replay by requestid)
    assert len(synced.books("CreditMemo")) == 5  # QBO created them; we never heard
    report = synced.push()
    assert report.batch_requests == 0 and sorted(report.pushed) == sorted(("credit", c["id"]) for c in credits)
    assert len(synced.books("CreditMemo")) == 5
    for credit in credits:
        assert owner.get(f"/credits/{credit['id']}").json["qbo_id"] == synced.one("CreditMemo",
                                                                                  DocNumber=credit["number"])["Id"]


def test_new_invoices_go_in_a_batch_before_the_batch_of_the_payments_linking_them(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    owner.post("/credits", {"customer_id": customer, "amount": "1.00"})
    synced.push()  # customer and sales item
    orders = [_sale(owner, customer, f"{40 + n}.00") for n in range(3)]
    paid = [owner.post(f"/invoices/{o['invoice_id']}/payments",
                       {"tenders": [{"method": "check", "amount": "50.00"}], "credits": None}).json for o in orders]
    report = synced.push()
    assert (report.batch_requests, report.qbo_requests, report.parked) == (2, 2, [])
    for order, payment in zip(orders, paid):
        number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
        invoice = synced.one("Invoice", DocNumber=number)
        doc = synced.one("Payment", PaymentRefNum=payment["number"])
        assert invoice["Balance"] == Decimal("0.00") and doc["Line"][0]["LinkedTxn"][0]["TxnId"] == invoice["Id"]
        assert doc["UnappliedAmt"] == Decimal("50.00") - Decimal(str(invoice["TotalAmt"]))  # the overpayment credit


def test_a_void_uses_the_stored_sync_token_and_rereads_only_when_qbo_changed_it(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    orders = [_sale(owner, customer, "30.00") for _ in range(2)]
    paid = [owner.post(f"/invoices/{o['invoice_id']}/payments",
                       {"tenders": [{"method": "cash", "amount": "30.00"}], "credits": None}).json for o in orders]
    synced.push()
    assert owner.post(f"/payments/{paid[0]['id']}/void").status == 200
    report = synced.push()
    assert report.qbo_requests == 1  # the void itself: no read first
    fresh, stale = (synced.one("Payment", PaymentRefNum=p["number"]) for p in paid)
    assert fresh["TotalAmt"] == Decimal("0") and "Voided" in fresh["PrivateNote"]

    synced.realm.control("POST", f"objects/Payment/{stale['Id']}", {"PaymentRefNum": "CHK-9"})  # the accountant
    assert owner.post(f"/payments/{paid[1]['id']}/void").status == 200
    report = synced.push()
    assert report.parked == [] and report.qbo_requests == 3  # 5010 on our token, a read, the void again
    assert synced.one("Payment", Id=stale["Id"])["TotalAmt"] == Decimal("0")
    assert owner.get(f"/payments/{paid[1]['id']}").json["sync_status"] == "synced"


def test_a_completed_return_is_a_credit_memo_whose_lines_name_what_came_back(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    created = owner.post("/returns", {"customer_id": customer, "lines": [
        {"product_id": "OJ-1L", "package_id": "PK-7", "batch_id": "B-2026-11", "quantity": "3", "unit_price": "4.50"},
        {"product_id": "APL-5", "package_id": "PK-8", "batch_id": "B-2026-10", "quantity": "1", "unit_price": "12.00"}]})
    assert created.status == 201, created.body
    credit_id = owner.post(f"/returns/{created.json['id']}/complete").json["credit_id"]
    credit = owner.get(f"/credits/{credit_id}").json
    assert synced.push().parked == []
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    assert memo["TotalAmt"] == Decimal("25.50") and memo["RemainingCredit"] == Decimal("25.50")
    assert [(line["Description"], line["SalesItemLineDetail"]["Qty"], line["Amount"]) for line in memo["Line"]
            if line["DetailType"] == "SalesItemLineDetail"] == [
        ("Returned product OJ-1L, package PK-7, batch B-2026-11", 3, Decimal("13.50")),
        ("Returned product APL-5, package PK-8, batch B-2026-10", 1, Decimal("12.00"))]
    assert owner.get(f"/credits/{credit['id']}").json["qbo_id"] == memo["Id"]


def test_deleting_a_sales_order_voids_its_payment_then_its_invoice(synced):
    owner, customer = synced.account.owner, synced.account.customers[1]
    order = _sale(owner, customer, "80.00")
    number = owner.get(f"/invoices/{order['invoice_id']}").json["number"]
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "100.00"}], "credits": None}).json
    synced.push()
    assert synced.one("Payment", PaymentRefNum=paid["number"])["UnappliedAmt"] == Decimal("20.00")
    assert owner.delete(f"/sales-orders/{order['id']}").status == 200
    assert synced.push().parked == []
    payment, invoice = synced.one("Payment", PaymentRefNum=paid["number"]), synced.one("Invoice", DocNumber=number)
    assert (payment["TotalAmt"], payment["UnappliedAmt"]) == (Decimal("0"), Decimal("0"))  # the overpayment went too
    assert invoice["TotalAmt"] == Decimal("0") and invoice["PrivateNote"].startswith("Voided")
    assert owner.get(f"/credits/{paid['overpayment_credit_id']}").json["status"] == "deleted"
    assert owner.get(f"/invoices/{order['invoice_id']}").json["sync_status"] == "synced"


def test_an_adjustment_credit_kept_on_another_invoices_payment_is_spent_from_that_payment(synced):
    """A reduction cut a use of an overpayment credit: the freed money stays on the original Payment, where the
    adjustment credit's own use is then a line (parked as NotMappedYet before)."""
    owner, customer = synced.account.owner, synced.account.customers[1]
    first, second, third = (_sale(owner, customer, amount) for amount in ("100.00", "40.00", "8.00"))
    paid = owner.post(f"/invoices/{first['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "130.00"}], "credits": None}).json
    _pay_with_credit(owner, second["invoice_id"], paid["overpayment_credit_id"])  # 30.00 of it on the second
    reduced = owner.patch(f"/invoices/{second['invoice_id']}", {"lines": [
        {"description": "fewer", "quantity": "1", "unit_price": "20.00"}]}).json  # 10.00 of that use freed
    adjustment = reduced["adjustment_credit_ids"][0]
    _pay_with_credit(owner, third["invoice_id"], adjustment)  # 8.00 of the freed money
    report = synced.push()
    assert report.parked == [], report
    original = synced.one("Payment", PaymentRefNum=paid["number"])
    assert original["UnappliedAmt"] == Decimal("2.00")  # what the adjustment credit still keeps there
    numbers = [owner.get(f"/invoices/{o['invoice_id']}").json["number"] for o in (first, second, third)]
    assert [synced.one("Invoice", DocNumber=n)["Balance"] for n in numbers] == [Decimal("0.00")] * 3
    assert owner.get(f"/credits/{adjustment}").json["remaining"] == "2.00"
