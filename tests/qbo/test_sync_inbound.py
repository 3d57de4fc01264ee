"""Inbound sync (issue 10) driven as an accountant through the emulator's control API: the emulator's signed
webhooks reach POST /qbo/webhook, the route enqueues pull hints (SQS FIFO, moto), the worker reads CDC and the
ledger shows what QBO shows, each document imported once; our own pushes come back as echoes, never as imports."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.qbo.consent import point_at
from tests.qbo.inbound_stack import VERIFIER, InboundStack, Receiver, connect, fifo_queue, memo_body


def _sign(body: bytes, key: str = VERIFIER) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def sqs(monkeypatch):
    from moto import mock_aws

    with mock_aws(config={"core": {"passthrough": {"services": ["dynamodb"]}}}):
        from chalicelib.workers import queue

        url = fifo_queue(queue.sqs_client(), "sync-inbound-test")
        monkeypatch.setenv("SYNC_QUEUE_URL", url)
        yield url


@pytest.fixture
def inbound(http, realm, sqs, monkeypatch) -> InboundStack:
    monkeypatch.setenv("QBO_WEBHOOK_VERIFIER", VERIFIER)
    point_at(realm, monkeypatch)
    account, store = connect(http, realm)
    receiver = Receiver()
    stack = InboundStack(account, realm, store, http, receiver, sqs)
    stack.webhooks(url=receiver.url, verifier=VERIFIER)
    stack.pull()  # the first read after connecting: a full read of an empty company sets the watermark
    stack.drain()  # connecting queued a push hint (pending work goes at once): the worker's, not these tests'
    yield stack
    receiver.stop()


def _queued(sqs_url: str) -> int:
    from chalicelib.workers import queue

    attrs = queue.sqs_client().get_queue_attributes(QueueUrl=sqs_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def _item(stack: InboundStack) -> str:
    return next(i["Id"] for i in stack.books("Item") if i["Name"] == "Services")


def _legacy(*realms: str) -> bytes:
    return json.dumps({"eventNotifications": [
        {"realmId": r, "dataChangeEvent": {"entities": [{"name": "CreditMemo", "id": "1", "operation": "Create",
                                                         "lastUpdated": "2026-01-01T00:00:00Z"}]}}
        for r in realms]}).encode()


# 1. the webhook endpoint ---------------------------------------------------------------------------------------

def test_bad_or_missing_signature_is_401_and_nothing_is_enqueued(inbound):
    body = _legacy(inbound.realm.realm_id)
    for headers in ({}, {"intuit-signature": _sign(body, "not-the-verifier")}, {"intuit-signature": "%%%"},
                    {"intuit-signature": _sign(body + b" ")}):
        reply = inbound.http.post("/qbo/webhook", raw=body.decode(), headers=headers)
        assert reply.status == 401 and reply.json["error"]["code"] == "unauthenticated"
    assert _queued(inbound.queue_url) == 0
    good = inbound.http.post("/qbo/webhook", raw=body.decode(), headers={"intuit-signature": _sign(body)})
    assert good.status == 200 and good.json["queued"] == [inbound.realm.realm_id]
    assert _queued(inbound.queue_url) == 1


def test_one_delivery_naming_several_companies_queues_known_realms_and_drops_unknown(inbound):
    body = _legacy(inbound.realm.realm_id, "999000111")
    reply = inbound.http.post("/qbo/webhook", raw=body.decode(), headers={"intuit-signature": _sign(body)})
    assert reply.status == 200
    assert reply.json == {"queued": [inbound.realm.realm_id], "dropped": ["999000111"]}
    events = json.dumps([{"specversion": "1.0", "id": str(n), "source": "intuit", "type": "qbo.creditmemo.created.v1",
                          "time": "2026-01-01T00:00:00Z", "intuitentityid": "1", "intuitaccountid": realm, "data": {}}
                         for n, realm in enumerate(["424242", inbound.realm.realm_id])]).encode()
    reply = inbound.http.post("/qbo/webhook", raw=events.decode(), headers={"intuit-signature": _sign(events)})
    assert reply.json == {"queued": [inbound.realm.realm_id], "dropped": ["424242"]}


def test_the_webhook_route_is_public_in_the_openapi_document(inbound):
    doc = inbound.http.get("/openapi.json").json
    assert doc["paths"]["/qbo/webhook"]["post"]["security"] == []


# 3. imports, each exactly once ----------------------------------------------------------------------------------

def test_credit_memo_made_in_qbo_becomes_a_qbo_credit_of_an_imported_customer(inbound):
    customer = inbound.realm.customer("Harbor Grocers")
    memo = inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "35.00", note="goodwill",
                                                              item_id=_item(inbound)))
    inbound.deliver(2)  # the customer's and the memo's webhooks
    inbound.drain()
    [credit] = inbound.credits(source="qbo")
    assert (credit["amount"], credit["used"], credit["remaining"]) == ("35.00", "0.00", "35.00")
    assert credit["qbo_id"] == memo["Id"] and credit["sync_status"] == "synced" and credit["internal_note"] == "goodwill"
    mine = inbound.account.owner.get(f"/customers?q=Harbor").json["data"]
    assert [c["name"] for c in mine] == ["Harbor Grocers"] and mine[0]["id"] == credit["customer_id"]
    assert inbound.pull().outcomes.get("imported", 0) == 0  # read again: nothing new
    assert len(inbound.credits(source="qbo")) == 1


def test_a_qbo_customer_with_our_customers_name_is_linked_not_duplicated(inbound):
    ours = inbound.account.customers[0]  # "Customer 0"
    customer = inbound.realm.customer("Customer 0")
    inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "10.00", item_id=_item(inbound)))
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    assert credit["customer_id"] == ours


def test_what_qbo_already_applied_of_a_memo_counts_as_used(inbound):
    customer = inbound.realm.customer()
    item = _item(inbound)
    invoice = inbound.realm.user_create("Invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": "50.00",
        "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": "50.00"}}]})
    memo = inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "40.00", item_id=item))
    inbound.realm.user_create("Payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": "0", "Line": [
        {"Amount": "15.00", "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]},
        {"Amount": "15.00", "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]})
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    assert (credit["amount"], credit["used"], credit["remaining"]) == ("40.00", "15.00", "25.00")


def test_payment_with_an_unapplied_amount_made_in_qbo_becomes_a_qbo_credit(inbound):
    customer = inbound.realm.customer()
    payment = inbound.realm.user_create("Payment", {"CustomerRef": {"value": customer["Id"]}, "TotalAmt": "60.00",
                                                    "Line": []})
    assert payment["UnappliedAmt"] == Decimal("60.00")
    inbound.deliver(2)
    inbound.drain()
    [credit] = inbound.credits(source="qbo")
    assert credit["amount"] == "60.00" and credit["remaining"] == "60.00" and credit["qbo_id"] == payment["Id"]
    inbound.accountant("POST", f"objects/Payment/{payment['Id']}/void")
    inbound.pull()
    assert inbound.account.owner.get(f"/credits/{credit['id']}").json["status"] == "voided"


# 4. changes and deletes from QBO --------------------------------------------------------------------------------

def test_an_imported_credit_follows_qbo_edits_and_a_delete_voids_it(inbound):
    customer = inbound.realm.customer()
    memo = inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "30.00", item_id=_item(inbound)))
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    changed = memo_body(customer["Id"], "22.50", note="recounted", item_id=_item(inbound))
    inbound.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {**changed, "CustomerMemo": {"value": "thanks"}})
    inbound.deliver(1)
    inbound.drain()
    shown = inbound.account.owner.get(f"/credits/{credit['id']}").json
    assert (shown["amount"], shown["remaining"], shown["internal_note"], shown["external_note"]) == (
        "22.50", "22.50", "recounted", "thanks")
    inbound.accountant("DELETE", f"objects/CreditMemo/{memo['Id']}")
    inbound.deliver(1)
    inbound.drain()
    shown = inbound.account.owner.get(f"/credits/{credit['id']}").json
    assert shown["status"] == "voided" and shown["remaining"] == "0.00"


def test_a_qbo_delete_of_an_imported_credit_we_already_used_is_refused_and_shown(inbound):
    customer = inbound.realm.customer("Used Deli")
    memo = inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "30.00", item_id=_item(inbound)))
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    owner = inbound.account.owner
    order = owner.post("/sales-orders", {"customer_id": credit["customer_id"], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "20.00"}], "charges": []}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [], "credits": [{"credit_id": credit["id"], "amount": "20.00"}]})
    assert paid.status == 201, paid.body
    inbound.accountant("DELETE", f"objects/CreditMemo/{memo['Id']}")
    report = inbound.pull()
    assert report.outcomes["refused"] == 1
    shown = owner.get(f"/credits/{credit['id']}").json
    assert shown["status"] == "active" and shown["used"] == "20.00" and shown["sync_status"] == "error"
    from chalicelib.store.sync_state import pending_objects

    parked = [(p.kind, p.object_id) for p in pending_objects(inbound.account.id) if p.parked]
    assert parked == [("credit", credit["id"])]  # on the status panel's error list


def test_an_accountants_change_to_our_memo_is_drift_with_both_values_and_is_not_applied(inbound):
    from chalicelib.store.inbound import drifts

    owner = inbound.account.owner
    credit = owner.post("/credits", {"customer_id": inbound.account.customers[0], "amount": "25.00"}).json
    inbound.push()
    memo = next(m for m in inbound.books("CreditMemo") if m["DocNumber"] == credit["number"])
    inbound.pull()
    assert drifts(inbound.account.id) == []  # our own push came back: an echo
    inbound.accountant("POST", f"objects/CreditMemo/{memo['Id']}",
                       {"Line": memo_body(memo["CustomerRef"]["value"], "19.00", item_id=_item(inbound))["Line"]})
    inbound.deliver(1)
    inbound.drain()
    [drift] = drifts(inbound.account.id)
    assert (drift.kind, drift.object_id, drift.qbo_id) == ("credit", credit["id"], memo["Id"])
    assert drift.ours == {"exists": True, "total": 2500} and drift.theirs == {"exists": True, "total": 1900}
    assert owner.get(f"/credits/{credit['id']}").json["amount"] == "25.00"  # never silently overwritten
    assert inbound.credits(source="qbo") == []


# 5. echo suppression --------------------------------------------------------------------------------------------

def test_our_pushes_come_back_through_webhooks_as_echoes_never_imports_or_drift(inbound):
    from chalicelib.store.inbound import drifts

    owner, customer = inbound.account.owner, inbound.account.customers[1]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "12.00"}).json
    order = owner.post("/sales-orders", {"customer_id": customer, "lines": [
        {"description": "Box", "quantity": "1", "unit_price": "80.00"}], "charges": []}).json
    owner.post(f"/invoices/{order['invoice_id']}/payments", {"tenders": [{"method": "check", "amount": "100.00"}],
                                                             "credits": None})
    inbound.push()  # customer, credit memo, invoice, payment with 20.00 unapplied: each fires a webhook
    inbound.deliver(4)
    reports = inbound.drain()
    assert reports and all(r.outcomes.get("imported", 0) == 0 for r in reports)
    assert inbound.credits(source="qbo") == [] and drifts(inbound.account.id) == []
    assert len(inbound.credits()) == 2  # our manual credit and the overpayment credit, nothing else


def test_a_webhook_that_beats_our_push_bookkeeping_is_an_echo(inbound):
    """Our memo exists in QBO (marker in it) but the push has not recorded its id yet: not imported, not drift."""
    from chalicelib.store.inbound import drifts

    owner = inbound.account.owner
    credit = owner.post("/credits", {"customer_id": inbound.account.customers[0], "amount": "9.00"}).json
    customer = inbound.realm.customer("Customer 0")
    inbound.realm.user_create("CreditMemo", {**memo_body(customer["Id"], "9.00", item_id=_item(inbound)),
                                             "DocNumber": credit["number"], "PrivateNote": f"[cc:credit:{credit['id']}]"})
    report = inbound.pull()
    assert report.outcomes["echo"] == 1
    assert inbound.credits(source="qbo") == [] and drifts(inbound.account.id) == []


# 2. the change reader -------------------------------------------------------------------------------------------

def test_with_webhooks_off_the_cdc_sweep_alone_converges(inbound):
    inbound.webhooks(url=None)
    customer = inbound.realm.customer()
    memos = [inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], f"{n}.00", item_id=_item(inbound)))
             for n in (5, 6, 7)]
    assert inbound.receiver.deliveries == [] and _queued(inbound.queue_url) == 0
    from chalicelib.services.sync.pull import send_sweep_hints

    assert inbound.realm.realm_id in send_sweep_hints()  # the scheduled sweep: a pull hint per connected realm
    [report] = inbound.drain()
    assert report.mode == "cdc" and report.cdc_reads == 1 and report.outcomes["imported"] == 3
    assert sorted(c["qbo_id"] for c in inbound.credits(source="qbo")) == sorted(m["Id"] for m in memos)


def test_duplicated_delayed_and_reordered_webhooks_import_each_object_once(inbound):
    inbound.webhooks(duplicate=True, format="cloudevents")
    customer = inbound.realm.customer()
    memos = [inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], f"1{n}.00", item_id=_item(inbound)))
             for n in range(4)]
    deliveries = inbound.wait_deliveries(10)  # 5 changes, each delivered twice
    random.Random(7).shuffle(deliveries)
    late = deliveries[:3]
    for delivery in deliveries[3:]:
        assert inbound.post_webhook(delivery).status == 200
    inbound.drain()
    for delivery in late + late:  # delayed, and delivered again after the changes were read
        assert inbound.post_webhook(delivery).status == 200
    inbound.drain()
    inbound.pull()
    imported = inbound.credits(source="qbo")
    assert sorted(c["qbo_id"] for c in imported) == sorted(m["Id"] for m in memos)


def test_a_watermark_past_the_cdc_limit_starts_a_full_resync_of_the_realm(inbound):
    customer = inbound.realm.customer()
    memo = inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "8.00", item_id=_item(inbound)))
    later = datetime.now(timezone.utc) + timedelta(days=31)
    report = inbound.pull(now=later)
    assert report.mode == "full" and report.cdc_reads == 0
    assert [c["qbo_id"] for c in inbound.credits(source="qbo")] == [memo["Id"]]


def test_the_watermark_and_last_pull_are_kept_on_the_account(inbound):
    from chalicelib.store.accounts import get_account

    report = inbound.pull()
    account = get_account(inbound.account.id)
    assert account.qbo_cdc_watermark == report.watermark and account.qbo_last_pull_at >= report.watermark


def test_a_pull_for_a_realm_nobody_owns_is_dropped(inbound):
    from chalicelib.services.sync.pull import pull_changes

    report = pull_changes("77777777", client=inbound.client())
    assert report.account_id is None and report.mode == "none"


# 8. mixed randomized run with faults ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2])
def test_mixed_run_of_clerk_and_accountant_with_faults_ends_in_parity_without_duplicates(inbound, seed):
    from chalicelib.qbo.errors import QboError
    from chalicelib.services.sync.push import PushDeferred

    rng = random.Random(seed)
    owner, item = inbound.account.owner, _item(inbound)
    qbo_customers = [inbound.realm.customer(f"QBO client {seed}-{n}") for n in range(2)]
    memos: list[dict] = []
    for step in range(14):
        action = rng.choice(["memo", "memo", "edit", "delete", "credit", "payment", "fault"])
        if action == "memo":
            memos.append(inbound.realm.user_create(
                "CreditMemo", memo_body(rng.choice(qbo_customers)["Id"], f"{rng.randint(1, 90)}.00", item_id=item)))
        elif action == "edit" and memos:
            memo = rng.choice(memos)
            inbound.accountant("POST", f"objects/CreditMemo/{memo['Id']}",
                               {"Line": memo_body(memo["CustomerRef"]["value"], f"{rng.randint(1, 90)}.00",
                                                  item_id=item)["Line"]})
        elif action == "delete" and memos:
            memo = memos.pop(rng.randrange(len(memos)))
            inbound.accountant("DELETE", f"objects/CreditMemo/{memo['Id']}")
        elif action == "credit":
            owner.post("/credits", {"customer_id": rng.choice(inbound.account.customers), "amount": "7.00"})
        elif action == "payment":
            customer = rng.choice(qbo_customers)
            inbound.realm.user_create("Payment", {"CustomerRef": {"value": customer["Id"]},
                                                  "TotalAmt": f"{rng.randint(1, 40)}.00", "Line": []})
        else:
            inbound.realm.faults(fail_next=1, fail_status=503)
        try:
            if rng.random() < 0.5:
                inbound.push()
            for delivery in inbound.wait_deliveries(0):
                if rng.random() < 0.8:  # some webhooks are lost
                    inbound.post_webhook(delivery)
                    if rng.random() < 0.3:
                        inbound.post_webhook(delivery)  # and some come twice
            inbound.drain()
        except (PushDeferred, QboError):
            pass  # an outage: the queue (here: the next round) tries again
    inbound.realm.faults(fail_next=0)
    inbound.push()
    inbound.pull()  # the sweep
    _assert_parity(inbound)


def _assert_parity(stack: InboundStack) -> None:
    """No QBO document imported twice, and the parity checker finds no difference: every credit source in QBO (ours
    and the accountant's) holds what the credits here keep there, and nothing exists on one side only."""
    from chalicelib.services.sync.parity_check import check, difference_view

    by_qbo = {}
    for credit in stack.credits():
        if credit["source"] == "qbo" and credit["status"] == "active":
            assert credit["qbo_id"] not in by_qbo, f"imported twice: {credit['qbo_id']}"
            by_qbo[credit["qbo_id"]] = credit
    report = check(stack.account.id, stack.client())
    assert [difference_view(d) for d in report.differences] == []


def test_our_last_push_read_back_while_a_newer_change_waits_here_is_an_echo_not_drift(inbound):
    """The memo QBO holds is the version we pushed (same SyncToken), older than our pending edit: no drift."""
    from chalicelib.store.inbound import drifts

    owner = inbound.account.owner
    credit = owner.post("/credits", {"customer_id": inbound.account.customers[0], "amount": "25.00"}).json
    inbound.push()
    assert owner.patch(f"/credits/{credit['id']}", {"amount": "30.00"}).status == 200  # pending, not pushed yet
    report = inbound.pull()
    assert report.outcomes["echo"] >= 1 and drifts(inbound.account.id) == []



def test_a_pull_that_reads_back_only_our_own_documents_costs_a_few_batch_reads_not_a_transaction_each(inbound):
    """The change read's overlap brings our echoes back on every pull: recognised by their recorded QBO id and
    SyncToken in two batch reads, whatever their number, and still judged when the accountant changed one."""
    from chalicelib.store.inbound import drifts
    from tests.test_accounts_uow import dynamodb_calls

    owner, customer = inbound.account.owner, inbound.account.customers[0]
    credits = [owner.post("/credits", {"customer_id": customer, "amount": f"{n}.00"}).json for n in (10, 11, 12, 13)]
    order = owner.post("/sales-orders", {"customer_id": customer, "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "60.00"}], "charges": []}).json
    assert owner.post(f"/invoices/{order['invoice_id']}/payments", {
        "tenders": [{"method": "check", "amount": "20.00"}], "credits": "fifo"}).status == 201
    inbound.push()
    first = inbound.pull()  # judges each document once (and maps the ones first seen)
    assert first.outcomes.get("drift", 0) == 0 and first.outcomes.get("imported", 0) == 0
    with dynamodb_calls() as calls:
        again = inbound.pull()
    read_back = sum(again.outcomes.values())
    assert read_back >= 8 and again.outcomes["echo"] == read_back - again.outcomes.get("ignored", 0)
    assert calls["TransactWriteItems"] == 0 and sum(calls.values()) <= 8, dict(calls)  # 40 when judged one by one
    memo_id = owner.get(f"/credits/{credits[3]['id']}").json["qbo_id"]  # 13.00, of which FIFO used 7.00
    inbound.accountant("POST", f"objects/CreditMemo/{memo_id}", {"Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": 9, "SalesItemLineDetail": {"ItemRef": {"value": _item(inbound)},
                                                                                 "Qty": 1, "UnitPrice": 9}}]})
    judged = inbound.pull()
    assert judged.outcomes["drift"] == 1 and [d.object_id for d in drifts(inbound.account.id)] == [credits[3]["id"]]

# 3. the accountant's payments and credit applications on our invoices ----------------------------------------

def _synced_invoice(stack: InboundStack, amount: str = "100.00") -> tuple[dict, dict]:
    owner = stack.account.owner
    order = owner.post("/sales-orders", {"customer_id": stack.account.customers[0], "lines": [
        {"description": "Pallet", "quantity": "1", "unit_price": amount}], "charges": []}).json
    stack.push()
    ours = owner.get(f"/invoices/{order['invoice_id']}").json
    theirs = next(i for i in stack.books("Invoice") if i["DocNumber"] == ours["number"])
    return ours, theirs


def test_a_payment_the_accountant_records_in_qbo_on_our_invoice_is_recorded_here_and_not_pushed_back(inbound):
    ours, theirs = _synced_invoice(inbound)
    payment = inbound.realm.user_create("Payment", {
        "CustomerRef": theirs["CustomerRef"], "TotalAmt": "70.00", "PaymentRefNum": "QB-77",
        "Line": [{"Amount": "70.00", "LinkedTxn": [{"TxnId": theirs["Id"], "TxnType": "Invoice"}]}]})
    inbound.deliver(2)  # the payment's and the invoice's webhooks
    inbound.drain()
    invoice = inbound.account.owner.get(f"/invoices/{ours['id']}").json
    assert (invoice["paid"], invoice["balance"]) == ("70.00", "30.00")
    [recorded] = invoice["payments"]
    assert recorded["tenders"] == [{"method": "transfer", "amount": "70.00"}] and recorded["qbo_id"] == payment["Id"]
    assert inbound.push().pushed == []  # already in QBO: nothing goes back out
    assert len(inbound.books("Payment")) == 1
    inbound.pull()  # read again: still one payment here
    assert len(inbound.account.owner.get(f"/invoices/{ours['id']}").json["payments"]) == 1
    inbound.accountant("POST", f"objects/Payment/{payment['Id']}/void")
    inbound.pull()
    invoice = inbound.account.owner.get(f"/invoices/{ours['id']}").json
    assert invoice["balance"] == "100.00" and invoice["payments"][0]["status"] == "voided"


def test_an_imported_memo_the_accountant_applies_to_our_invoice_becomes_a_use_counted_once(inbound):
    ours, theirs = _synced_invoice(inbound, "50.00")
    memo = inbound.realm.user_create("CreditMemo", memo_body(theirs["CustomerRef"]["value"], "30.00",
                                                              item_id=_item(inbound)))
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    inbound.realm.user_create("Payment", {"CustomerRef": theirs["CustomerRef"], "TotalAmt": "0", "Line": [
        {"Amount": "20.00", "LinkedTxn": [{"TxnId": theirs["Id"], "TxnType": "Invoice"}]},
        {"Amount": "20.00", "LinkedTxn": [{"TxnId": memo["Id"], "TxnType": "CreditMemo"}]}]})
    inbound.pull()
    inbound.pull()
    shown = inbound.account.owner.get(f"/credits/{credit['id']}").json
    assert (shown["used"], shown["remaining"]) == ("20.00", "10.00")  # QBO's RemainingCredit, not counted twice
    invoice = inbound.account.owner.get(f"/invoices/{ours['id']}").json
    assert invoice["balance"] == "30.00" and invoice["payments"][0]["credit_uses"][0]["credit_id"] == credit["id"]
    book_memo = next(m for m in inbound.books("CreditMemo") if m["Id"] == memo["Id"])
    assert Decimal(str(book_memo["RemainingCredit"])) == Decimal("10.00")


def test_a_burst_of_webhooks_shares_its_cdc_reads(inbound):
    customer = inbound.realm.customer()
    for n in range(12):
        inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], f"{n + 1}.00", item_id=_item(inbound)))
    inbound.deliver(13)
    time.sleep(0.3)  # the worker picks the hints up a moment later, as a queue consumer does
    reports = inbound.drain()
    assert len(reports) == 13 and len(inbound.credits(source="qbo")) == 12
    assert sum(r.cdc_reads for r in reports) == 1 and sum(r.mode == "skipped" for r in reports) == 12


def test_an_accountant_deleting_our_memo_is_drift_but_our_own_delete_is_an_echo(inbound):
    from chalicelib.store.inbound import drifts

    owner = inbound.account.owner
    kept = owner.post("/credits", {"customer_id": inbound.account.customers[0], "amount": "14.00"}).json
    dropped = owner.post("/credits", {"customer_id": inbound.account.customers[0], "amount": "6.00"}).json
    inbound.push()
    inbound.pull()  # our creates come back (echoes)
    assert owner.delete(f"/credits/{dropped['id']}").status == 200
    inbound.push()  # we delete our memo ourselves
    memo = next(m for m in inbound.books("CreditMemo") if m["DocNumber"] == kept["number"])
    inbound.accountant("DELETE", f"objects/CreditMemo/{memo['Id']}")  # the accountant deletes ours
    inbound.pull()
    [drift] = drifts(inbound.account.id)
    assert (drift.object_id, drift.ours, drift.theirs) == (kept["id"], {"exists": True, "total": 1400},
                                                           {"exists": False})
    assert owner.get(f"/credits/{kept['id']}").json["status"] == "active"


def test_our_own_use_of_an_imported_memo_pushed_to_qbo_is_not_counted_again_when_read_back(inbound):
    customer = inbound.realm.customer("Echo Grocers")
    inbound.realm.user_create("CreditMemo", memo_body(customer["Id"], "30.00", item_id=_item(inbound)))
    inbound.pull()
    [credit] = inbound.credits(source="qbo")
    owner = inbound.account.owner
    order = owner.post("/sales-orders", {"customer_id": credit["customer_id"], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "20.00"}], "charges": []}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [], "credits": [{"credit_id": credit["id"], "amount": "12.00"}]})
    assert paid.status == 201, paid.body
    inbound.push()  # our use becomes a linking Payment: QBO's memo now shows 12.00 applied
    memo = [m for m in inbound.realm.books()["objects"]["CreditMemo"] if m["Id"] == credit["qbo_id"]][0]
    assert memo["RemainingCredit"] == Decimal("18.00")
    inbound.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"PrivateNote": "checked"})  # read back again
    inbound.pull()
    shown = owner.get(f"/credits/{credit['id']}").json
    assert (shown["used"], shown["remaining"], shown["internal_note"]) == ("12.00", "18.00", "checked")
