"""A seeded random workload of ledger operations, pushed to the emulator through faults, ends in parity (DESIGN §5).

Parity, as GET /qbo/parity checks it: no QBO document of ours exists twice; every QBO credit source (a CreditMemo's
RemainingCredit, a Payment's UnappliedAmt) holds what our credits keep there, to the cent; every synced invoice's
Balance is our balance; every payment's amount and number, every customer's available credit are equal.
"""
from __future__ import annotations

import os
import random
from collections import Counter

import pytest

from chalicelib.qbo.mapping import find_marker

OPERATIONS = int(os.environ.get("SYNC_WORKLOAD_OPS", "300"))
# Reducing a paid invoice is left out: voiding a link that a reduction cut does not yet give the adjustment credit's
# share back (README, sync section: known gap), so QBO and the ledger would disagree by design until that is fixed.
MOVES = ("credit", "credit", "order", "order", "pay", "pay", "pay", "void", "edit", "cancel", "delete", "return_")


class Workload:
    """Random ledger moves through the API, remembering what exists so each move is a plausible one."""

    def __init__(self, synced, rng: random.Random):
        self.synced, self.rng, self.owner = synced, rng, synced.account.owner
        self.credits: list[str] = []
        self.invoices: list[str] = []
        self.payments: list[str] = []
        self.orders: list[str] = []

    def customer(self) -> str:
        return self.rng.choice(self.synced.account.customers)

    def amount(self, low: int = 1, high: int = 80) -> str:
        return f"{self.rng.randint(low, high)}.{self.rng.randint(0, 99):02d}"

    def step(self) -> None:
        move = self.rng.choice(MOVES)
        getattr(self, move)()

    def credit(self):
        reply = self.owner.post("/credits", {"customer_id": self.customer(), "amount": self.amount(),
                                             "internal_note": f"n{self.rng.randint(0, 9)}"})
        self.credits.append(reply.json["id"])

    def order(self):
        reply = self.owner.post("/sales-orders", {"customer_id": self.customer(), "charges": [], "lines": [
            {"description": "case", "quantity": str(self.rng.randint(1, 4)), "unit_price": self.amount(5, 40)}]})
        self.orders.append(reply.json["id"])
        self.invoices.append(reply.json["invoice_id"])

    def pay(self):
        if not self.invoices:
            return
        invoice = self.rng.choice(self.invoices)
        body = {"tenders": [], "credits": None}
        style = self.rng.choice(["cash", "over", "fifo", "mixed"])
        if style in ("cash", "over", "mixed"):
            body["tenders"] = [{"method": "check", "amount": self.amount(1, 60 if style != "over" else 200)}]
        if style in ("fifo", "mixed"):
            body["credits"] = "fifo"
        reply = self.owner.post(f"/invoices/{invoice}/payments", body)
        if reply.status == 201:
            self.payments.append(reply.json["id"])

    def void(self):
        if self.payments:
            self.owner.post(f"/payments/{self.rng.choice(self.payments)}/void")

    def edit(self):
        if self.credits:
            self.owner.patch(f"/credits/{self.rng.choice(self.credits)}",
                             {"amount": self.amount(), "external_note": f"e{self.rng.randint(0, 9)}"})

    def cancel(self):
        if self.credits:
            self.owner.post(f"/credits/{self.rng.choice(self.credits)}/cancel",
                            {"mode": self.rng.choice(["balance_only", "revert"])})

    def delete(self):
        if self.credits:
            self.owner.delete(f"/credits/{self.rng.choice(self.credits)}")

    def reduce(self):
        if self.invoices:
            self.owner.patch(f"/invoices/{self.rng.choice(self.invoices)}", {"lines": [
                {"description": "fewer", "quantity": "1", "unit_price": self.amount(1, 30)}]})

    def return_(self):
        created = self.owner.post("/returns", {"customer_id": self.customer(), "lines": [
            {"product_id": f"P{self.rng.randint(1, 9)}", "package_id": "PK1", "batch_id": "B1",
             "quantity": "1", "unit_price": self.amount(1, 30)}]}).json
        credit = self.owner.post(f"/returns/{created['id']}/complete").json["credit_id"]
        self.credits.append(credit)


def _fault(realm, rng: random.Random) -> None:
    kind = rng.choice(["none", "none", "5xx", "throttle", "drop"])
    if kind == "5xx":
        realm.faults(fail_next=rng.randint(1, 8), fail_status=rng.choice([500, 503]))
    elif kind == "throttle":
        realm.faults(throttle_next=rng.randint(1, 8))
    elif kind == "drop":
        realm.faults(drop_after_commit_next=1)


def _drain(synced, **settings) -> None:
    from chalicelib.qbo.errors import QboError
    from chalicelib.services.sync.push import PushDeferred

    try:
        synced.push(**settings)
    except (PushDeferred, QboError):
        pass  # the queue would hand the hint back: the next round pushes again


@pytest.mark.parametrize("seed", [7, 11])
def test_a_random_workload_through_faults_ends_in_parity(synced, seed):
    rng = random.Random(seed)
    work = Workload(synced, rng)
    for n in range(OPERATIONS):
        work.step()
        if n % 15 == 14:
            _fault(synced.realm, rng)
            _drain(synced, max_attempts=rng.choice([1, 2, 6]))  # a worker that gives up early after a lost answer
    synced.realm.faults(fail_next=0, throttle_next=0, drop_after_commit_next=0)
    for _ in range(6):  # what the sweeper and the queue's redeliveries do in production
        _drain(synced)
    _assert_parity(synced)


def _assert_parity(synced) -> None:
    """No document of ours twice, nothing left pending, and the parity checker (GET /qbo/parity) finds no
    difference but those of objects QBO refused for good (parked: the status panel lists them)."""
    from chalicelib.store.sync_state import pending_objects

    books = synced.realm.books()["objects"]
    markers = Counter(find_marker(doc) for entity in ("Invoice", "CreditMemo", "Payment") for doc in books[entity])
    markers.pop(None, None)
    assert [m for m, n in markers.items() if n > 1] == [], "a document of ours exists twice"
    waiting = [p for p in pending_objects(synced.account.id)]
    parked = [p for p in waiting if p.parked]
    assert not [p for p in waiting if not p.parked], f"still pending: {waiting}: {_errors(synced.account.id)}"
    print(f"parked after the workload: {[(p.kind, p.object_id) for p in parked]}")
    report = synced.account.owner.get("/qbo/parity")
    assert report.status == 200, report.body
    differences = [d for d in report.json["differences"] if d["sync_status"] != "error"]
    if parked:  # what a parked object leaves unequal shows on its customer's total too
        customers = {d["customer_id"] for d in report.json["differences"] if d["sync_status"] == "error"}
        differences = [d for d in differences if not (d["kind"] == "customer_credit" and d["object_id"] in customers)]
    assert differences == [], differences


def _errors(account_id: str) -> list:
    from chalicelib.store.models import SyncedItem, account_pk  # noqa: F401
    from chalicelib.store.tables import dynamodb_client
    from chalicelib import config

    items = dynamodb_client().query(TableName=config.table_name(), KeyConditionExpression="pk = :pk",
                                    ExpressionAttributeValues={":pk": {"S": f"A#{account_id}"}})["Items"]
    return [(i["sk"]["S"], i.get("sync_error", {}).get("S")) for i in items if "sync_error" in i]
