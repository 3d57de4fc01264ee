"""Issue 11 proofs against the emulator: connect through consent, soft and hard disconnect, mass re-sync (parity,
crash and resume, stop on disconnect), and the legacy overpayment list, all through the API and python-quickbooks."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests

from tests.conftest import Account, make_account
from tests.qbo import consent
from tests.qbo.conftest import Realm, emulator_settings


@dataclass
class Lifecycle:
    account: Account
    realm: Realm
    http: object
    hints: list = field(default_factory=list)

    def consent(self, realm_id: str | None = None, *, start_as=None) -> dict:
        """POST /qbo/connect, then the browser's trip through the consent page: the callback's query."""
        return consent.consent(start_as or self.account.owner, self.realm, realm_id)

    def callback(self, query: dict):
        return consent.callback(self.http, query)

    def connect(self, realm_id: str | None = None):
        return consent.connect(self.account.owner, self.realm, realm_id)

    def new_company(self) -> dict:
        """Another company of the same OAuth client (the customer's other QBO account)."""
        return requests.post(f"{self.realm.emulator.url}/_control/companies",
                             json={"client_id": self.realm.info["client_id"]}, timeout=10).json()

    def books(self, realm_id: str | None = None) -> dict:
        url = f"{self.realm.emulator.url}/_control/companies/{realm_id or self.realm.realm_id}/books"
        return requests.get(url, timeout=10).json()["objects"]

    def push(self):
        from chalicelib.services.sync.push import push_pending

        return push_pending(self.account.id, client_factory=self.client)

    def client(self, account_id: str):
        from chalicelib.qbo.client import build_client

        return build_client(account_id, settings=emulator_settings(self.realm))

    def drain(self, job_id: str, **options) -> dict:
        from chalicelib.services.sync.jobs import run_job

        for _ in range(200):
            job = run_job(job_id, client_factory=self.client, sleep=lambda s: None, **options)
            if job.status != "running":
                break
        return self.account.staff.get(f"/qbo/resyncs/{job_id}").json if job.kind == "resync" else {
            "status": job.status, "done": int(job.done), "total": int(job.total)}

    def state(self):
        from chalicelib.store import accounts as accounts_store

        account = accounts_store.get_account(self.account.id)
        return account.qbo_state, account.qbo_realm_id

    def tokens(self):
        from chalicelib.store.qbo_connections import DynamoTokenStore

        return DynamoTokenStore().get(self.account.id)


@pytest.fixture
def life(http, realm, monkeypatch) -> Lifecycle:
    from chalicelib.services.sync import jobs

    consent.point_at(realm, monkeypatch)
    hints: list = []
    monkeypatch.setattr(jobs, "send_hint", lambda job: hints.append(job.id))
    account = make_account(http)
    assert account.staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    realm.limits(enabled=False)
    return Lifecycle(account, realm, http, hints)


def _scan_account(account_id: str) -> list[dict]:
    from chalicelib import config
    from chalicelib.store.tables import dynamodb_client

    items, start = [], None
    while True:
        kwargs = {"TableName": config.table_name()}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = dynamodb_client().scan(**kwargs)
        items += [i for i in page["Items"] if i["pk"]["S"] == f"A#{account_id}"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def _sale_paid(owner, customer_id: str, amount: str, paid: str) -> dict:
    order = owner.post("/sales-orders", {"customer_id": customer_id, "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": amount}], "charges": []}).json
    payment = owner.post(f"/invoices/{order['invoice_id']}/payments",
                         {"tenders": [{"method": "check", "amount": paid}], "credits": None})
    assert payment.status == 201, payment.body
    return payment.json


def _history(life: Lifecycle) -> dict:
    """A small mixed ledger: manual credits, a sale paid exactly, a sale overpaid (an overpayment credit)."""
    owner, customers = life.account.owner, life.account.customers
    credits = [owner.post("/credits", {"customer_id": customers[i % 2], "amount": f"{10 + i}.00"}).json
               for i in range(3)]
    exact = _sale_paid(owner, customers[0], "50.00", "50.00")
    over = _sale_paid(owner, customers[1], "80.00", "100.00")
    return {"credits": credits, "payments": [exact, over], "overpayment_credit": over["overpayment_credit_id"]}


# ----- connect -----------------------------------------------------------------------------------------------------

def test_connect_through_consent_stores_sealed_tokens_and_connects_the_account(life):
    assert life.state() == ("none", None)
    reply = life.connect()
    assert reply.json == {"connected": True, "account_id": life.account.id, "realm_id": life.realm.realm_id}
    assert life.state() == ("connected", life.realm.realm_id)
    tokens = life.tokens()
    assert tokens.realm_id == life.realm.realm_id and tokens.access_token and tokens.refresh_token
    raw = json.dumps(_scan_account(life.account.id))
    assert tokens.access_token not in raw and tokens.refresh_token not in raw  # a scan shows no token
    # and the stored tokens work: a credit reaches the company
    life.account.owner.post("/credits", {"customer_id": life.account.customers[0], "amount": "5.00"})
    assert life.push().pushed and len(life.books()["CreditMemo"]) == 1


def test_forged_expired_and_replayed_states_are_400_and_store_nothing(life):
    from chalicelib.qbo.consent import sign_state

    query = life.consent()
    forged = dict(query, state=query["state"][:-4] + ("AAAA" if not query["state"].endswith("AAAA") else "BBBB"))
    expired = dict(query, state=sign_state(life.account.id, "someone", "n-1", now=1_000_000_000))
    for bad in (forged, expired, dict(query, state="")):
        reply = life.callback(bad)
        assert reply.status == 400 and reply.json["error"]["code"] == "invalid_state", reply.body
    assert life.state() == ("none", None) and life.tokens() is None
    refused = life.callback(dict(life.consent(), code="code-never-issued"))  # a good state, a code Intuit refuses
    assert refused.status == 400 and refused.json["error"]["code"] == "code_refused", refused.body
    assert life.state() == ("none", None) and life.tokens() is None
    assert life.callback(query).status == 200
    replay = life.callback(query)
    assert replay.status == 400 and replay.json["error"]["code"] == "invalid_state"


def test_connect_needs_manage_integration_and_the_callback_no_token(life):
    clerk_role = life.account.owner.post("/roles", {"name": "clerk", "permissions": ["view_credits"]}).json
    life.account.owner.put("/users/clerk-1", {"role_id": clerk_role["id"]})
    assert life.account.user("clerk-1").post("/qbo/connect", {}).status == 403
    assert life.http.as_(None).post("/qbo/connect", {}).status == 401


# ----- soft disconnect ---------------------------------------------------------------------------------------------

def test_soft_disconnect_then_reconnect_same_realm_resumes_without_duplicates(life):
    owner = life.account.owner
    life.connect()
    credit = owner.post("/credits", {"customer_id": life.account.customers[0], "amount": "40.00"}).json
    life.push()
    memo_id = owner.get(f"/credits/{credit['id']}").json["qbo_id"]

    assert owner.post("/qbo/disconnect", {"mode": "soft"}).status == 403  # staff only
    held = life.tokens()
    reply = life.account.staff.post("/qbo/disconnect", {"mode": "soft"})
    assert reply.status == 200, reply.body
    assert reply.json["state"] == "soft_disconnected" and reply.json["tokens_revoked"] is True
    assert life.tokens() is None and life.state() == ("soft_disconnected", life.realm.realm_id)
    api = f"{life.realm.emulator.api_base}/company/{life.realm.realm_id}/query"
    dead = requests.get(api, params={"query": "SELECT * FROM Customer"}, timeout=10,
                        headers={"Authorization": f"Bearer {held.access_token}", "Accept": "application/json"})
    assert dead.status_code == 401  # revoked at Intuit, not just forgotten here

    owner.patch(f"/credits/{credit['id']}", {"amount": "30.00"})  # changed while disconnected: stays pending
    later = owner.post("/credits", {"customer_id": life.account.customers[1], "amount": "7.00"}).json
    assert owner.get(f"/credits/{credit['id']}").json["sync_status"] == "pending"
    assert life.push().pushed == []  # a queued push for a disconnected account is dropped, nothing applied

    other = life.new_company()
    refused = life.callback(life.consent(other["realm_id"]))
    assert refused.status == 409 and refused.json["error"]["code"] == "realm_mismatch"
    assert life.tokens() is None and life.state() == ("soft_disconnected", life.realm.realm_id)
    assert life.books(other["realm_id"]).get("CreditMemo", []) == []

    life.connect(life.realm.realm_id)
    life.push()
    memos = life.books()["CreditMemo"]
    assert sorted(m["Id"] for m in memos) == sorted([memo_id, owner.get(f"/credits/{later['id']}").json["qbo_id"]])
    assert next(m for m in memos if m["Id"] == memo_id)["TotalAmt"] == Decimal("30.00")


# ----- hard disconnect and mass re-sync ------------------------------------------------------------------------

def _synced_history(life: Lifecycle) -> dict:
    life.connect()
    history = _history(life)
    report = life.push()
    assert not report.parked and not report.waiting, report
    return history


def _hard_disconnect(life: Lifecycle) -> dict:
    reply = life.account.staff.post("/qbo/disconnect", {"mode": "hard"})
    assert reply.status == 200, reply.body
    job = reply.json["job"]
    assert life.hints == [job["id"]] and job["status"] == "running" and job["total"] > 0
    assert life.account.staff.post("/qbo/disconnect", {"mode": "hard"}).status == 409  # one at a time
    return life.drain(job["id"], budget=1)


def test_hard_disconnect_clears_every_qbo_id_with_progress(life, monkeypatch):
    from chalicelib.services.sync import forget

    _synced_history(life)
    monkeypatch.setattr(forget, "PAGE", 7)  # many small pages: progress moves step by step
    finished = _hard_disconnect(life)
    assert finished["status"] == "done" and finished["done"] == finished["total"] > 7
    shown = life.account.staff.get(f"/qbo/jobs/{life.hints[0]}").json
    assert (shown["kind"], shown["status"], shown["done"]) == ("hard_disconnect", "done", finished["done"])
    assert life.account.owner.get(f"/qbo/jobs/{life.hints[0]}").status == 403
    assert life.account.staff.get(f"/qbo/resyncs/{life.hints[0]}").status == 404  # not a re-sync
    resumed = life.account.staff.post(f"/qbo/jobs/{life.hints[0]}/resume", {})
    assert resumed.status == 409 and resumed.json["error"]["code"] == "job_not_running"
    assert life.state() == ("none", None) and life.tokens() is None
    leftovers = [i["sk"]["S"] for i in _scan_account(life.account.id)
                 if {"qbo_id", "qbo_sync_token", "sync_pk", "qbo_realm_id", "qbo_item_id"} & set(i)]
    assert leftovers == []
    for credit in life.account.owner.get("/credits").json["data"]:
        assert credit["qbo_id"] is None and credit["sync_status"] == "not_synced"
    # nothing re-syncs on its own after a new connection
    life.connect(life.new_company()["realm_id"])
    assert life.push().pushed == []


def _parity(life: Lifecycle, realm_id: str, history: dict) -> None:
    books = life.books(realm_id)
    owner = life.account.owner
    assert len(books["Customer"]) == 2
    assert len(books["Invoice"]) == 2 and len(books["Payment"]) == 2
    assert sorted(m["DocNumber"] for m in books["CreditMemo"]) == sorted(c["number"] for c in history["credits"])
    for credit in owner.get("/credits").json["data"]:
        assert credit["sync_status"] == "synced" and credit["qbo_id"], credit
    over = owner.get(f"/credits/{history['overpayment_credit']}").json
    payment = next(p for p in books["Payment"] if p["Id"] == over["qbo_id"])
    assert payment["UnappliedAmt"] == Decimal("20.00")
    assert all(i["Balance"] == Decimal("0.00") for i in books["Invoice"])


def test_reconnect_to_a_new_realm_then_mass_resync_gives_parity(life):
    history = _synced_history(life)
    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    staff = life.account.staff
    started = staff.post("/qbo/resyncs", {})
    assert started.status == 202, started.body
    assert started.json["status"] == "running" and started.json["total"] == 2 + 2 + 2 + 4
    assert staff.post("/qbo/resyncs", {}).status == 409
    assert life.account.owner.post("/qbo/resyncs", {}).status == 403
    done = life.drain(started.json["id"])
    assert done["status"] == "done" and done["done"] == done["total"] and done["failed"] == 0, done
    _parity(life, company["realm_id"], history)
    assert life.push().pushed == []  # nothing left pending
    assert staff.post("/qbo/resyncs", {}).status == 202  # the slot is free again


def test_a_resync_killed_between_send_and_record_resumes_exactly_once(life):
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync.jobs import run_job
    from chalicelib.store import jobs as job_store

    history = _synced_history(life)
    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    job_id = life.account.staff.post("/qbo/resyncs", {}).json["id"]
    while job_store.get(life.account.id, job_id).cursor.get("phase", 0) < 3:  # up to the credits' batch
        run_job(job_id, client_factory=life.client, sleep=lambda s: None, budget=1)
    requests.post(f"{life.realm.emulator.url}/_control/companies/{company['realm_id']}/faults",
                  json={"drop_after_commit_next": 1}, timeout=10)

    def fragile(account_id):  # the worker dies: the batch commits in QBO, its answer never arrives
        return build_client(account_id, settings=emulator_settings(life.realm, max_attempts=1))

    with pytest.raises(Exception):
        run_job(job_id, client_factory=fragile, sleep=lambda s: None)
    stuck = job_store.get(life.account.id, job_id)
    assert stuck.status == "running" and stuck.inflight["kind"] == "credit"
    hinted = len(life.hints)
    assert life.account.staff.post(f"/qbo/jobs/{job_id}/resume", {}).status == 202  # e.g. its message was DLQ'd
    assert life.hints[hinted:] == [job_id]
    assert len(life.books(company["realm_id"])["CreditMemo"]) == 3  # created, but not recorded here
    # a credit made meanwhile changes the next batch (so QBO's requestid cannot be what saves us)
    history["credits"].append(life.account.owner.post(
        "/credits", {"customer_id": life.account.customers[0], "amount": "1.00"}).json)
    done = life.drain(job_id)
    assert done["status"] == "done" and done["failed"] == 0, json.dumps(done)
    _parity(life, company["realm_id"], history)


def test_a_disconnect_during_a_resync_stops_it_cleanly(life):
    from chalicelib.services.sync.jobs import run_job

    _synced_history(life)
    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    job_id = life.account.staff.post("/qbo/resyncs", {}).json["id"]
    run_job(job_id, client_factory=life.client, sleep=lambda s: None, budget=1)  # customers only
    assert life.account.staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    stopped = life.account.staff.get(f"/qbo/resyncs/{job_id}").json
    assert stopped["status"] == "failed" and stopped["stopped"] == "disconnected"
    before = len(life.hints)
    run_job(job_id, client_factory=life.client, sleep=lambda s: None)  # a message still queued: dropped
    assert len(life.hints) == before
    assert life.books(company["realm_id"]).get("Invoice", []) == []


def test_resync_needs_a_connection(life):
    reply = life.account.staff.post("/qbo/resyncs", {})
    assert reply.status == 409 and reply.json["error"]["code"] == "not_connected"


# ----- legacy overpayment memos ------------------------------------------------------------------------------------

def _legacy_memo(life) -> tuple[dict, dict, dict]:
    """An overpayment of 20.00 synced the old way, before the cutoff: the company holds a CreditMemo for it (and the
    Payment only what the invoice took). Answers the credit, the memo and the Payment."""
    from chalicelib.services.sync.legacy import record_legacy_memo

    owner = life.account.owner
    old = _sale_paid(owner, life.account.customers[1], "80.00", "100.00")
    life.push()
    old_credit = owner.get(f"/credits/{old['overpayment_credit_id']}").json
    payment = next(p for p in life.books()["Payment"] if p["PaymentRefNum"] == old["number"])
    requests.post(f"{life.realm.emulator.url}/_control/companies/{life.realm.realm_id}/objects/Payment/{payment['Id']}",
                  json={"TotalAmt": "80.00"}, timeout=10)
    memo = life.realm.user_create("CreditMemo", {
        "CustomerRef": {"value": payment["CustomerRef"]["value"]}, "DocNumber": old_credit["number"],
        "Line": [{"Amount": "20.00", "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": "20.00"}}]})
    record_legacy_memo(life.account.id, old_credit["id"], memo["Id"], "2026-01-10T09:00:00Z")
    return old_credit, memo, payment


def _unapplied(life, payment_id: str) -> Decimal:
    return next(p for p in life.books()["Payment"] if p["Id"] == payment_id)["UnappliedAmt"]


def test_legacy_list_is_right_for_a_mixed_history_and_repair_moves_the_money(life):
    from chalicelib.domain.legacy import NotLegacy
    from chalicelib.services.sync.legacy import record_legacy_memo

    owner, staff = life.account.owner, life.account.staff
    life.connect()
    owner.patch(f"/customers/{life.account.customers[1]}", {"name": "=HYPERLINK(\"x\")"})
    old_credit, memo, payment = _legacy_memo(life)  # overpaid by 20.00 before the cutoff
    new = _sale_paid(owner, life.account.customers[0], "60.00", "75.00")  # overpaid after it
    manual = owner.post("/credits", {"customer_id": life.account.customers[0], "amount": "9.00"}).json
    life.push()
    record_legacy_memo(life.account.id, old_credit["id"], memo["Id"], "2026-01-10T09:00:00Z")  # import twice: once
    with pytest.raises(NotLegacy):
        record_legacy_memo(life.account.id, new["overpayment_credit_id"], "999", "2026-03-01T00:00:00Z")
    with pytest.raises(NotLegacy):
        record_legacy_memo(life.account.id, manual["id"], "998", "2026-01-01T00:00:00Z")

    assert owner.get("/qbo/legacy-overpayment-credit-memos").status == 403
    listed = staff.get("/qbo/legacy-overpayment-credit-memos").json["data"]
    assert [(r["credit_number"], r["amount"], r["qbo_credit_memo_id"], r["qbo_books_differ"]) for r in listed] == [
        (old_credit["number"], "20.00", memo["Id"], True)]
    csv_reply = staff.get("/qbo/legacy-overpayment-credit-memos", headers={"Accept": "text/csv"})
    assert csv_reply.headers["Content-Type"].startswith("text/csv")
    assert '"\'=HYPERLINK(""x"")"' in csv_reply.body.decode() and '"yes"' in csv_reply.body.decode()

    repaired = staff.post(f"/qbo/legacy-overpayment-credit-memos/{old_credit['id']}/repair", {})
    assert repaired.status == 200, repaired.body
    books = life.books()
    assert all(m["Id"] != memo["Id"] for m in books.get("CreditMemo", []) if m.get("TotalAmt"))
    assert next(p for p in books["Payment"] if p["Id"] == payment["Id"])["UnappliedAmt"] == Decimal("20.00")
    assert staff.get("/qbo/legacy-overpayment-credit-memos").json["data"][0]["qbo_books_differ"] is False
    again = staff.post(f"/qbo/legacy-overpayment-credit-memos/{old_credit['id']}/repair", {})
    assert again.status == 200  # a second repair changes nothing
    assert next(p for p in life.books()["Payment"] if p["Id"] == payment["Id"])["UnappliedAmt"] == Decimal("20.00")


def test_two_repairs_of_one_legacy_memo_at_once_move_its_money_once_and_the_later_is_a_clean_409(life):
    from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync import legacy
    from chalicelib.store.legacy_memos import RepairRaced

    life.connect()
    old_credit, memo, payment = _legacy_memo(life)
    repair_path = f"/qbo/legacy-overpayment-credit-memos/{old_credit['id']}/repair"

    class FirstRepairRunsMeanwhile:
        """A client whose first Payment read lets another support agent's repair run to its end."""

        def __init__(self, real):
            self.real, self.raced = real, False

        def read(self, entity: str, qbo_id: str) -> dict:
            doc = self.real.read(entity, qbo_id)
            if entity == "Payment" and not self.raced:
                self.raced = True
                assert life.account.staff.post(repair_path, {}).status == 200
            return doc

        def __getattr__(self, name: str):
            return getattr(self.real, name)

    agent = Principal("staff-2", life.account.id, ALL_PERMISSIONS, staff=True, credits_enabled=True)
    with pytest.raises(RepairRaced):
        legacy.repair(agent, old_credit["id"], client_factory=lambda a: FirstRepairRunsMeanwhile(build_client(a)))
    assert _unapplied(life, payment["Id"]) == Decimal("20.00")  # raised once, not to 40.00
    assert all(m["Id"] != memo["Id"] for m in life.books().get("CreditMemo", []) if m.get("TotalAmt"))
    again = life.account.staff.post(repair_path, {})
    assert again.status == 200 and _unapplied(life, payment["Id"]) == Decimal("20.00")


def test_two_disconnects_at_once_one_wins_the_other_is_a_clean_409(life):
    import threading

    life.connect()
    replies: list = []
    threads = [threading.Thread(target=lambda: replies.append(life.account.staff.post("/qbo/disconnect",
                                                                                      {"mode": "soft"})))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in replies) == [200, 409], [r.body for r in replies]
    assert [r.json["error"]["code"] for r in replies if r.status == 409] == ["not_connected"]
    assert life.state() == ("soft_disconnected", life.realm.realm_id) and life.tokens() is None


def test_lifecycle_requests_replayed_with_the_same_idempotency_key_take_effect_once(life):
    life.connect()
    key = {"Idempotency-Key": "hard-1"}
    first = life.account.staff.post("/qbo/disconnect", {"mode": "hard"}, headers=key)
    second = life.account.staff.post("/qbo/disconnect", {"mode": "hard"}, headers=key)
    assert first.status == second.status == 200 and first.json == second.json
    assert life.hints == [first.json["job"]["id"]]


def test_the_callback_is_documented_without_a_bearer_token(life):
    document = life.http.as_(None).get("/openapi.json").json
    assert document["paths"]["/qbo/callback"]["get"]["security"] == []
    assert document["paths"]["/qbo/disconnect"]["post"]["security"] == [{"bearer": []}]


def test_a_clearing_job_the_queue_refuses_is_a_503_naming_it_and_resumes(life, monkeypatch):
    from chalicelib.services.sync import jobs

    life.connect()

    def refuse(job):
        raise RuntimeError("SQS refused the message")

    monkeypatch.setattr(jobs, "send_hint", refuse)
    reply = life.account.staff.post("/qbo/disconnect", {"mode": "hard"})
    assert reply.status == 503 and reply.json["error"]["code"] == "sync_queue_unavailable", reply.body
    job_id = reply.json["error"]["details"]["job_id"]
    assert life.state() == ("none", None) and life.tokens() is None  # the disconnect itself is whole
    monkeypatch.setattr(jobs, "send_hint", lambda job: life.hints.append(job.id))
    again = life.account.staff.post("/qbo/disconnect", {"mode": "hard"})
    assert again.status == 409 and again.json["error"]["details"]["job_id"] == job_id  # one clearing job
    resumed = life.account.staff.post(f"/qbo/jobs/{job_id}/resume", {})
    assert resumed.status == 202 and life.hints == [job_id]


def test_mass_resync_of_used_credits_and_a_removed_adjustment_credit_gives_parity(life):
    """A re-sync recreates what the ledger holds now: a credit that paid an invoice later reduced (its adjustment
    credit canceled) lands as a memo of what that credit still stands for, with its use linked, and parity is 0."""
    life.connect()
    owner, customer = life.account.owner, life.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = owner.post("/sales-orders", {"customer_id": customer, "charges": [], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "40.00"}]}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [], "credits": [{"credit_id": credit["id"]}]})
    assert paid.status == 201, paid.body
    reduced = owner.patch(f"/invoices/{order['invoice_id']}", {"lines": [
        {"description": "fewer", "quantity": "1", "unit_price": "30.00"}]}).json
    [adjustment] = reduced["adjustment_credit_ids"]
    assert owner.post(f"/credits/{adjustment}/cancel", {"mode": "balance_only"}).status == 200
    for _ in range(4):
        report = life.push()
        assert not report.parked, report
        if not report.waiting:
            break
    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    done = life.drain(life.account.staff.post("/qbo/resyncs", {}).json["id"])
    assert done["status"] == "done" and done["failed"] == 0, json.dumps(done)
    for _ in range(4):  # what a re-sync leaves to the regular push (the uses' linking Payments)
        if not life.push().pushed:
            break
    books = life.books(company["realm_id"])
    [memo] = [m for m in books["CreditMemo"] if m["DocNumber"] == credit["number"]]
    shown = owner.get(f"/credits/{credit['id']}").json
    assert Decimal(str(memo["RemainingCredit"])) == Decimal(shown["remaining"]) == Decimal("10.00"), memo
    [invoice] = books["Invoice"]
    assert Decimal(str(invoice["Balance"])) == Decimal("0.00")
    parity = owner.get("/qbo/parity")
    assert parity.status == 200 and parity.json["differences"] == [], parity.body
