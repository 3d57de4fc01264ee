"""What a user sees of the sync (issue 9 §5): the status panel, sync fields on every object, and the retry route,
through HTTP against the emulator."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from tests.conftest import make_account


def _sale(owner, customer_id: str, amount: str = "100.00") -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "lines": [
        {"description": "Case of oranges", "quantity": "1", "unit_price": amount}], "charges": []})
    assert reply.status == 201, reply.body
    return reply.json


def _use_item(account_id: str, item_id: str | None) -> None:
    """The QBO Item our lines use, as configured for the account (None: look up "Services" again)."""
    from chalicelib import config
    from chalicelib.store.accounts import ACCOUNT_SK
    from chalicelib.store.models import account_pk
    from chalicelib.store.tables import dynamodb_client

    key = {"pk": {"S": account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}}
    if item_id is None:
        dynamodb_client().update_item(TableName=config.table_name(), Key=key, UpdateExpression="REMOVE qbo_item_id")
    else:
        dynamodb_client().update_item(TableName=config.table_name(), Key=key, UpdateExpression="SET qbo_item_id = :i",
                                      ExpressionAttributeValues={":i": {"S": item_id}})


def test_the_panel_answers_for_an_account_that_never_connected(account):
    reply = account.owner.get("/qbo/status")
    assert reply.status == 200, reply.body
    assert reply.json == {"connected": False, "realm_id": None, "sync_mode": "off", "pending": 0,
                          "last_push_at": None, "last_pull_at": None, "cdc_watermark": None, "errors": [],
                          "dead_letters": [], "note": None, "invoices_open_for_credits": None}


def test_the_panel_counts_what_waits_and_stamps_the_last_push(synced):
    owner, customers = synced.account.owner, synced.account.customers
    before = owner.get("/qbo/status").json
    assert before["connected"] is True and before["realm_id"] == synced.realm.realm_id
    assert before["sync_mode"] == "two_way" and before["pending"] == 0 and before["last_push_at"] is None
    owner.post("/credits", {"customer_id": customers[0], "amount": "25.00"})
    _sale(owner, customers[1])
    assert owner.get("/qbo/status").json["pending"] == 2  # the credit and the invoice

    report = synced.push()
    assert len(report.pushed) == 2
    after = owner.get("/qbo/status").json
    assert after["pending"] == 0 and after["errors"] == [] and after["last_push_at"] is not None
    assert synced.push().pushed == []
    assert owner.get("/qbo/status").json["last_push_at"] == after["last_push_at"]  # a run that pushed nothing


def test_a_refused_invoice_is_parked_on_the_panel_and_a_retry_pushes_it_once_the_cause_is_gone(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    _use_item(synced.account.id, "999")  # an Item the company does not have: QBO answers 2500
    order = _sale(owner, customer)
    invoice_id = order["invoice_id"]
    assert synced.push().parked == [("invoice", invoice_id)]

    invoice = owner.get(f"/invoices/{invoice_id}").json
    assert invoice["sync_status"] == "error" and invoice["qbo_id"] is None and "Item 999" in invoice["sync_error"]
    row = owner.get("/invoices").json["data"][0]
    assert (row["sync_status"], row["sync_error"]) == ("error", invoice["sync_error"])
    panel = owner.get("/qbo/status").json
    [error] = panel["errors"]
    assert error["object_type"] == "invoice" and error["object_id"] == invoice_id
    assert error["number"] == invoice["number"] and error["code"] == "2500" and error["attempts"] == 1
    assert "Item 999" in error["message"] and error["at"] and panel["pending"] == 0

    paid = owner.post(f"/invoices/{invoice_id}/payments", {"tenders": [{"method": "cash", "amount": "100.00"}]}).json
    assert synced.push().waiting == [("payment", paid["id"])]  # it links the parked invoice
    assert owner.get("/qbo/status").json["pending"] == 1
    waits = owner.post(f"/qbo/objects/payment/{paid['id']}/retry").json
    assert (waits["outcome"], waits["sync_status"]) == ("waiting", "pending")
    assert waits["message"].startswith("it waits: its invoice is not in QuickBooks yet")

    again = owner.post(f"/qbo/objects/invoice/{invoice_id}/retry")
    assert again.status == 200, again.body
    assert again.json["outcome"] == "parked" and again.json["attempts"] == 2 and again.json["sync_status"] == "error"
    assert owner.get("/qbo/status").json["errors"][0]["attempts"] == 2

    _use_item(synced.account.id, None)  # the cause is gone: our lines use the company's "Services" item
    fixed = owner.post(f"/qbo/objects/invoice/{invoice_id}/retry")
    assert fixed.status == 200, fixed.body
    in_qbo = synced.one("Invoice", DocNumber=invoice["number"])
    assert fixed.json == {"object_type": "invoice", "object_id": invoice_id, "number": invoice["number"],
                          "qbo_id": in_qbo["Id"], "sync_status": "synced", "sync_error": None,
                          "attempts": 0, "outcome": "pushed", "message": None}
    assert owner.get("/qbo/status").json["errors"] == []

    assert synced.push().pushed == [("payment", paid["id"])]
    shown = owner.get(f"/invoices/{invoice_id}").json
    payment = synced.one("Payment", PaymentRefNum=paid["number"])
    assert shown["payments"][0]["qbo_id"] == payment["Id"]  # invoice payments show their QBO ids
    assert shown["payments"][0]["sync_status"] == "synced" and shown["payments"][0]["sync_error"] is None
    assert owner.get(f"/payments/{paid['id']}").json["qbo_id"] == payment["Id"]
    assert synced.one("Invoice", Id=in_qbo["Id"])["Balance"] == Decimal("0.00")
    assert len(synced.books("Invoice")) == 1


def test_a_customer_created_or_renamed_while_syncing_is_pushed_and_a_name_taken_in_qbo_is_parked(synced):
    owner = synced.account.owner
    created = owner.post("/customers", {"name": "Corner Deli"})
    assert created.status == 201
    customer = created.json
    assert (customer["sync_status"], customer["qbo_id"], customer["sync_error"]) == ("pending", None, None)
    assert synced.push().pushed == [("customer", customer["id"])]
    in_qbo = synced.one("Customer", DisplayName="Corner Deli")
    shown = owner.get(f"/customers/{customer['id']}").json
    assert (shown["qbo_id"], shown["sync_status"]) == (in_qbo["Id"], "synced")

    renamed = owner.patch(f"/customers/{customer['id']}", {"name": "Corner Deli LLC"}).json
    assert renamed["sync_status"] == "pending"
    synced.push()
    assert synced.one("Customer", Id=in_qbo["Id"])["DisplayName"] == "Corner Deli LLC"

    theirs = synced.realm.customer("Main Street Market")  # the accountant's own customer of that name
    owner.patch(f"/customers/{customer['id']}", {"name": "Main Street Market"})
    assert synced.push().parked == [("customer", customer["id"])]
    shown = owner.get(f"/customers/{customer['id']}").json
    assert shown["sync_status"] == "error" and "Main Street Market" in shown["sync_error"]
    listed = owner.get("/customers?q=main").json["data"][0]
    assert (listed["sync_status"], listed["qbo_id"]) == ("error", in_qbo["Id"])
    [error] = owner.get("/qbo/status").json["errors"]
    assert (error["object_type"], error["number"], error["code"]) == ("customer", "Main Street Market", "6240")

    synced.realm.control("POST", f"objects/Customer/{theirs['Id']}", {"DisplayName": "Main Street Market (old)"})
    retried = owner.post(f"/qbo/objects/customer/{customer['id']}/retry").json
    assert (retried["outcome"], retried["sync_status"], retried["number"]) == ("pushed", "synced", "Main Street Market")
    assert synced.one("Customer", Id=in_qbo["Id"])["DisplayName"] == "Main Street Market"
    assert len(synced.books("Customer")) == 2


def test_a_credit_for_a_customer_that_never_synced_links_and_records_the_customer(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]  # created before the sync was on
    assert owner.get(f"/customers/{customer}").json["sync_status"] == "not_synced"
    owner.post("/credits", {"customer_id": customer, "amount": "5.00"})
    synced.push()
    in_qbo = synced.one("Customer", DisplayName="Customer 0")
    shown = owner.get(f"/customers/{customer}").json
    assert (shown["qbo_id"], shown["sync_status"]) == (in_qbo["Id"], "synced")


def test_the_credits_csv_shows_qb_id_sync_status_and_sync_error(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    pushed = owner.post("/credits", {"customer_id": customer, "amount": "10.00"}).json
    synced.push()
    _use_item(synced.account.id, "999")
    parked = owner.post("/credits", {"customer_id": customer, "amount": "7.00"}).json
    synced.push()
    exported = owner.get("/credits", headers={"Accept": "text/csv"})
    rows = {r["Number"]: r for r in csv.DictReader(io.StringIO(exported.body.decode()))}
    header = exported.body.decode().splitlines()[0]
    assert header.endswith('"Created At","QB ID","Sync Status","Sync Error"')
    memo = synced.one("CreditMemo", DocNumber=pushed["number"])
    assert (rows[pushed["number"]]["QB ID"], rows[pushed["number"]]["Sync Status"]) == (memo["Id"], "synced")
    assert rows[pushed["number"]]["Sync Error"] == ""
    assert rows[parked["number"]]["Sync Status"] == "error" and "Item 999" in rows[parked["number"]]["Sync Error"]


def test_retry_needs_manage_integration_a_known_type_and_an_object_of_the_account(synced, http):
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "3.00"}).json
    clerk_role = owner.post("/roles", {"name": "Clerk", "permissions": ["manage_sales", "view_credits"]}).json
    owner.put("/users/clerk-1", {"role_id": clerk_role["id"]})
    clerk = synced.account.user("clerk-1")
    refused = clerk.post(f"/qbo/objects/credit/{credit['id']}/retry")
    assert refused.status == 403 and refused.json["error"]["details"] == {"permission": "manage_integration"}
    assert clerk.get("/qbo/status").status == 200  # anyone of the account reads the panel

    unknown = owner.post(f"/qbo/objects/widget/{credit['id']}/retry")
    assert unknown.status == 404 and unknown.json["error"]["code"] == "unknown_object_type"
    missing = owner.post("/qbo/objects/credit/no-such-credit/retry")
    assert missing.status == 404 and set(missing.json["error"]) == {"code", "message", "details"}

    other = make_account(http)
    theirs = other.owner.post("/credits", {"customer_id": other.customers[0], "amount": "9.00"}).json
    assert owner.post(f"/qbo/objects/credit/{theirs['id']}/retry").status == 404
    not_syncing = other.owner.post(f"/qbo/objects/credit/{theirs['id']}/retry")
    assert not_syncing.status == 409 and not_syncing.json["error"]["code"] == "qbo_sync_off"
    assert other.owner.get(f"/credits/{theirs['id']}").json["sync_status"] == "not_synced"  # nothing marked


def test_parked_credits_are_listed_only_to_those_who_may_see_credits(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    _use_item(synced.account.id, "999")
    owner.post("/credits", {"customer_id": customer, "amount": "3.00"})
    _sale(owner, customer)
    synced.push()
    assert sorted(e["object_type"] for e in owner.get("/qbo/status").json["errors"]) == ["credit", "invoice"]
    role = owner.post("/roles", {"name": "Sales", "permissions": ["manage_sales"]}).json
    owner.put("/users/sales-1", {"role_id": role["id"]})
    seen = synced.account.user("sales-1").get("/qbo/status").json
    assert [e["object_type"] for e in seen["errors"]] == ["invoice"]


def test_a_retry_while_qbo_is_unreachable_leaves_the_object_pending_and_says_so(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    _use_item(synced.account.id, "999")
    order = _sale(owner, customer)
    synced.push()
    _use_item(synced.account.id, None)
    synced.realm.faults(fail_next=50, fail_status=503)
    reply = owner.post(f"/qbo/objects/invoice/{order['invoice_id']}/retry")
    assert reply.status == 200, reply.body
    assert reply.json["outcome"] == "deferred" and reply.json["sync_status"] == "pending"
    assert "pushed later" in reply.json["message"]
    panel = owner.get("/qbo/status").json
    assert panel["pending"] == 1 and panel["errors"] == []
    synced.realm.faults(fail_next=0)
    assert synced.push().pushed == [("invoice", order["invoice_id"])]


def test_a_retry_while_softly_disconnected_keeps_it_pending_for_the_reconnect(synced):
    owner, customer = synced.account.owner, synced.account.customers[0]
    _use_item(synced.account.id, "999")
    credit = owner.post("/credits", {"customer_id": customer, "amount": "4.00"}).json
    synced.push()
    assert synced.account.staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    assert owner.get("/qbo/status").json["sync_mode"] == "paused"
    reply = owner.post(f"/qbo/objects/credit/{credit['id']}/retry").json
    assert (reply["outcome"], reply["sync_status"]) == ("paused", "pending")
    assert synced.books("CreditMemo") == []


def test_the_panel_follows_every_page_of_the_pending_index(synced):
    from chalicelib.store.sync_state import sync_overview

    owner, customer = synced.account.owner, synced.account.customers[0]
    _use_item(synced.account.id, "999")
    parked = owner.post("/credits", {"customer_id": customer, "amount": "1.00"}).json
    synced.push()
    for amount in ("2.00", "3.00", "4.00"):
        owner.post("/credits", {"customer_id": customer, "amount": amount})
    overview = sync_overview(synced.account.id, page_size=1)
    assert overview.pending == 3 and [(p.kind, p.object_id, p.number) for p in overview.parked] == [
        ("credit", parked["id"], parked["number"])]


def test_the_panel_reads_the_pending_index_never_the_account(synced):
    from tests.test_accounts_uow import dynamodb_calls

    owner, customer = synced.account.owner, synced.account.customers[0]
    for amount in ("1.00", "2.00"):
        owner.post("/credits", {"customer_id": customer, "amount": amount})
    synced.push()
    owner.post("/credits", {"customer_id": customer, "amount": "3.00"})
    with dynamodb_calls() as calls:
        assert owner.get("/qbo/status").json["pending"] == 1
    # auth, the account, one page of gsi4, one page of the account's drift (DRIFT# items, usually none)
    assert dict(calls) == {"BatchGetItem": 1, "GetItem": 1, "Query": 2}
