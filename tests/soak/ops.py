"""The soak's operations: a plan is a list of (kind, seed) drawn from one seed; each is run against the world.

A plan is fixed before anything runs, so any prefix of it is a plan too (that is how a failure is shrunk). Each
operation draws its own choices (which credit, what amount) from its own seed and the world as it is then, so an
operation whose target does not exist yet simply does nothing.
"""
from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib.qbo.mapping import find_marker
from tests.qbo.inbound_stack import memo_body
from tests.soak.lifecycle import LifecycleOps
from tests.soak.world import World

# (kind, weight). Four families: the clerk through the API, staff and the owner with the QuickBooks connection, the
# accountant in QBO, and faults (plus the Lambdas' own steps, which deliver whatever is armed).
MIX: dict[str, float] = {
    # API
    "credit": 6, "credit_edit": 3, "credit_cancel": 2, "credit_delete": 2, "order": 5, "pay": 7, "void": 2,
    "invoice_edit": 2, "order_delete": 1, "return_": 2, "customer": 1,
    # the connection (tests/soak/lifecycle.py): disconnects, reconnects through consent, re-syncs, the two-way switch
    "disconnect_soft": 0.4, "disconnect_hard": 0.2, "reconnect": 3, "resync": 0.5, "credit_sync_on": 0.4,
    "credit_sync_off": 0.3,
    # the accountant
    "acct_note": 1, "acct_amount": 1, "acct_customer": 1, "acct_memo": 2, "acct_payment": 1, "acct_delete_ours": 1,
    "acct_edit_theirs": 1, "acct_lower_and_use": 1.5,
    # faults
    "qbo_5xx": 1, "qbo_429": 1, "qbo_drop": 1, "token_expiry": 0.5, "ddb_throttle": 1.5, "relay_lost": 1,
    "worker_crash": 1, "sqs_chaos": 1, "webhook_chaos": 1,
    # the Lambdas
    "sync": 7, "sweep": 1,
}


SKIP = set(os.environ.get("SOAK_SKIP", "").split())


@dataclass(frozen=True)
class Op:
    kind: str
    seed: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.seed}"


def plan(seed: int, size: int) -> list[Op]:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    return [Op(rng.choices(kinds, weights)[0], rng.randrange(1 << 30)) for _ in range(size)]


class UnexpectedReply(AssertionError):
    """The API answered 5xx with no injected fault to blame, or a reply the soak cannot read."""


@dataclass
class Clerk(LifecycleOps):
    """What the soak made through the API, so each operation picks a plausible target."""

    world: World
    credits: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)  # sales order → invoice
    payments: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    touched: set[tuple[str, str]] = field(default_factory=set)  # our QBO documents the accountant changed (money)
    unread: set[tuple[str, str]] = field(default_factory=set)  # those changed while (or before) QBO was not read
    replies: dict[str, int] = field(default_factory=dict)  # status counts, for the summary

    def __post_init__(self) -> None:
        self.customers = list(self.world.account.customers)

    # --- running one operation --------------------------------------------------------------------------------------
    def run(self, op: Op) -> None:
        if op.kind in SKIP:
            return  # the same plan without these kinds (SOAK_SKIP="kind ..." to diagnose)
        rng = random.Random(op.seed)
        getattr(self, f"do_{op.kind}")(rng)

    def call(self, method: str, path: str, body: Any = None, *, as_: Any = None) -> Any:
        """One API request (as the owner, or `as_`) with an Idempotency-Key; a 5xx caused by an injected throttle is
        retried with the same key (the client's retry), any other 5xx fails the soak."""
        key = uuid.uuid4().hex
        for _ in range(20):
            self.world.faults.ddb_fired = 0
            reply = (as_ or self.world.account.owner).call(method, path, body, headers={"Idempotency-Key": key})
            said = str(reply.status)
            if 400 <= reply.status < 500:
                said += ":" + str((reply.json.get("error") or {}).get("code") if reply.body else "")
            self.replies[said] = self.replies.get(said, 0) + 1
            if reply.status < 500:
                return reply
            if not self.world._excused():
                raise UnexpectedReply(f"{method} {path} {body}: {reply.status} {reply.body[:500]!r}")
        raise UnexpectedReply(f"{method} {path}: still failing after 20 retries")

    def read(self, path: str) -> Any:
        with self.world.reading():
            reply = self.world.account.owner.get(path)
        assert reply.status == 200, (path, reply.status, reply.body)
        return reply.json

    @staticmethod
    def amount(rng: random.Random, low: int = 1, high: int = 80) -> str:
        return f"{rng.randint(low, high)}.{rng.randint(0, 99):02d}"

    # --- the clerk, through the API ----------------------------------------------------------------------------------
    def do_customer(self, rng):
        reply = self.call("POST", "/customers", {"name": f"Soak customer {rng.randrange(10**6)}"})
        if reply.status == 201:
            self.customers.append(reply.json["id"])

    def do_credit(self, rng):
        reply = self.call("POST", "/credits", {"customer_id": rng.choice(self.customers), "amount": self.amount(rng),
                                              "internal_note": f"n{rng.randint(0, 9)}",
                                              "external_note": rng.choice(["", "thanks"])})
        if reply.status == 201:
            self.credits.append(reply.json["id"])

    def do_credit_edit(self, rng):
        if self.credits:
            body = rng.choice([{"amount": self.amount(rng)}, {"internal_note": f"e{rng.randint(0, 9)}"},
                               {"amount": self.amount(rng), "external_note": f"x{rng.randint(0, 9)}"}])
            self.call("PATCH", f"/credits/{rng.choice(self.credits)}", body)

    def do_credit_cancel(self, rng):
        if self.credits:
            self.call("POST", f"/credits/{rng.choice(self.credits)}/cancel",
                      {"mode": rng.choice(["balance_only", "revert"])})

    def do_credit_delete(self, rng):
        if self.credits:
            self.call("DELETE", f"/credits/{rng.choice(self.credits)}")

    def do_order(self, rng):
        lines = [{"description": f"case {n}", "quantity": str(rng.randint(1, 4)), "unit_price": self.amount(rng, 5, 40)}
                 for n in range(rng.randint(1, 2))]
        charges = [{"description": "freight", "amount": self.amount(rng, 1, 9)}] if rng.random() < 0.3 else []
        reply = self.call("POST", "/sales-orders", {"customer_id": rng.choice(self.customers), "lines": lines,
                                                    "charges": charges})
        if reply.status == 201:
            self.orders[reply.json["id"]] = reply.json["invoice_id"]
            self.invoices.append(reply.json["invoice_id"])

    def do_pay(self, rng):
        if not self.invoices:
            return
        invoice = self.read(f"/invoices/{rng.choice(self.invoices)}")
        style = rng.choice(["cash", "over", "fifo", "fifo_cash", "chosen", "chosen_cash"])
        body: dict[str, Any] = {"tenders": [], "credits": None}
        if style in ("cash", "over", "fifo_cash", "chosen_cash"):
            high = 200 if style == "over" else 60
            body["tenders"] = [{"method": rng.choice(["cash", "check", "transfer"]), "amount": self.amount(rng, 1, high)}
                               for _ in range(rng.randint(1, 2))]
        if style.startswith("fifo"):
            body["credits"] = "fifo"
        elif style.startswith("chosen"):
            active = [c for c in self.read(f"/credits?customer_id={invoice['customer_id']}&status=active&limit=100")
                      ["data"] if Decimal(c["remaining"]) > 0]
            picked = rng.sample(active, k=min(len(active), rng.randint(1, 2)))
            body["credits"] = [{"credit_id": c["id"], "amount": str(min(Decimal(c["remaining"]),
                                                                         Decimal(self.amount(rng, 1, 30))))}
                               for c in picked]
            if not body["credits"]:
                return
        reply = self.call("POST", f"/invoices/{invoice['id']}/payments", body)
        if reply.status == 201:
            self.payments.append(reply.json["id"])
            if reply.json.get("overpayment_credit_id"):
                self.credits.append(reply.json["overpayment_credit_id"])

    def pay_with(self, rng: random.Random, credit: dict) -> None:
        """A new sale to the credit's customer, paid with that credit (FIFO, or naming it), sometimes with cash."""
        order = self.call("POST", "/sales-orders", {"customer_id": credit["customer_id"], "charges": [], "lines": [
            {"description": "case", "quantity": "1", "unit_price": self.amount(rng, 5, 60)}]})
        if order.status != 201:
            return
        self.orders[order.json["id"]] = order.json["invoice_id"]
        self.invoices.append(order.json["invoice_id"])
        spend = min(Decimal(credit["remaining"]), Decimal(self.amount(rng, 1, 40)))
        body: dict[str, Any] = {"tenders": [], "credits": rng.choice(
            ["fifo", [{"credit_id": credit["id"], "amount": str(spend)}]])}
        if rng.random() < 0.4:
            body["tenders"] = [{"method": "check", "amount": self.amount(rng, 1, 30)}]
        reply = self.call("POST", f"/invoices/{order.json['invoice_id']}/payments", body)
        if reply.status == 201:
            self.payments.append(reply.json["id"])
            if reply.json.get("overpayment_credit_id"):
                self.credits.append(reply.json["overpayment_credit_id"])

    def do_void(self, rng):
        if self.payments:
            self.call("POST", f"/payments/{rng.choice(self.payments)}/void")

    def do_invoice_edit(self, rng):
        """Lines changed: often fewer (a paid invoice reduced below paid issues an adjustment credit), sometimes more."""
        if not self.invoices:
            return
        invoice_id = rng.choice(self.invoices)
        high = 30 if rng.random() < 0.7 else 120
        reply = self.call("PATCH", f"/invoices/{invoice_id}", {"lines": [
            {"description": "recounted", "quantity": "1", "unit_price": self.amount(rng, 1, high)}]})
        if reply.status == 200:
            invoice = self.read(f"/invoices/{invoice_id}")
            self._learn_credits(invoice["customer_id"])

    def do_order_delete(self, rng):
        if self.orders:
            order = rng.choice(sorted(self.orders))
            self.call("DELETE", f"/sales-orders/{order}")

    def do_return_(self, rng):
        created = self.call("POST", "/returns", {"customer_id": rng.choice(self.customers), "lines": [
            {"product_id": f"P{rng.randint(1, 9)}", "package_id": f"PK{rng.randint(1, 3)}", "batch_id": "B1",
             "quantity": str(rng.randint(1, 3)), "unit_price": self.amount(rng, 1, 30)}]})
        if created.status != 201:
            return
        done = self.call("POST", f"/returns/{created.json['id']}/complete")
        if done.status == 200 and done.json.get("credit_id"):
            self.credits.append(done.json["credit_id"])

    def _learn_credits(self, customer_id: str) -> None:
        """Credits the service issued on its own (invoice adjustments, QBO imports) become targets too."""
        for credit in self.read(f"/credits?customer_id={customer_id}&limit=100")["data"]:
            if credit["id"] not in self.credits:
                self.credits.append(credit["id"])

    # --- the accountant, in QBO (python-quickbooks would send the same; the control API skips the SyncToken) -------
    def _ours(self, rng, entity: str) -> dict | None:
        with self.world.reading():
            docs = [d for d in self.world.books()[entity]
                    if find_marker(d) and not d.get("_voided")]
        return rng.choice(docs) if docs else None

    def _theirs(self, rng, entity: str) -> dict | None:
        docs = [d for d in self.world.books()[entity] if find_marker(d) is None]
        return rng.choice(docs) if docs else None

    def _item(self) -> str:
        return next(i["Id"] for i in self.world.realm.books()["objects"]["Item"] if i["Name"] == "Services")

    def do_acct_note(self, rng):
        memo = self._ours(rng, "CreditMemo")
        if memo:
            self.world.accountant("POST", f"objects/CreditMemo/{memo['Id']}",
                                  {"CustomerMemo": {"value": f"accountant {rng.randint(0, 99)}"}})

    def do_acct_amount(self, rng):
        memo = self._ours(rng, "CreditMemo")
        if memo:
            line = memo_body(memo["CustomerRef"]["value"], self.amount(rng, 5, 90), item_id=self._item())["Line"]
            if self.world.accountant("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": line}):
                self.touch(find_marker(memo))

    def do_acct_customer(self, rng):
        self.world.accountant("POST", "objects/Customer", {"DisplayName": f"QBO walk-in {rng.randrange(10**6)}"})

    def do_acct_memo(self, rng):
        customers = self.world.books()["Customer"]
        if customers:
            customer = rng.choice(customers)
            self.world.accountant("POST", "objects/CreditMemo",
                                  memo_body(customer["Id"], self.amount(rng, 5, 60), item_id=self._item(),
                                            note=rng.choice(["", "goodwill"])))

    def do_acct_payment(self, rng):
        customers = self.world.books()["Customer"]
        if customers:
            customer = rng.choice(customers)
            self.world.accountant("POST", "objects/Payment", {"CustomerRef": {"value": customer["Id"]},
                                                              "TotalAmt": self.amount(rng, 5, 50), "Line": []})

    def do_acct_delete_ours(self, rng):
        entity = rng.choice(["CreditMemo", "Payment"])
        doc = self._ours(rng, entity)
        if doc is None:
            return
        done = (self.world.accountant("DELETE", f"objects/CreditMemo/{doc['Id']}") if entity == "CreditMemo"
                else self.world.accountant("POST", f"objects/Payment/{doc['Id']}/void"))
        if done:
            self.touch(find_marker(doc))

    def do_acct_edit_theirs(self, rng):
        entity = rng.choice(["CreditMemo", "Payment"])
        doc = self._theirs(rng, entity)
        if doc is None or doc.get("_voided"):
            return
        action = rng.choice(["edit", "edit", "remove"])
        if action == "edit" and entity == "CreditMemo":
            line = memo_body(doc["CustomerRef"]["value"], self.amount(rng, 5, 90), item_id=self._item())["Line"]
            self.world.accountant("POST", f"objects/CreditMemo/{doc['Id']}", {"Line": line})
        elif action == "edit":
            self.world.accountant("POST", f"objects/Payment/{doc['Id']}", {"TotalAmt": self.amount(rng, 5, 50)})
        elif entity == "CreditMemo":
            self.world.accountant("DELETE", f"objects/CreditMemo/{doc['Id']}")
        else:
            self.world.accountant("POST", f"objects/Payment/{doc['Id']}/void")

    # --- faults --------------------------------------------------------------------------------------------------------
    def do_qbo_5xx(self, rng):
        self.world.realm.faults(fail_next=rng.randint(1, 6), fail_status=rng.choice([500, 502, 503]))

    def do_qbo_429(self, rng):
        self.world.realm.faults(throttle_next=rng.randint(1, 6), throttle_xml=rng.random() < 0.3)

    def do_qbo_drop(self, rng):
        self.world.realm.faults(drop_after_commit_next=rng.randint(1, 2))

    def do_token_expiry(self, rng):
        """QBO's clock passes the access token's hour: the next call is a 401 and the client refreshes."""
        self.world.realm.advance(3601)

    def do_ddb_throttle(self, rng):
        self.world.faults.ddb_throttle += rng.randint(1, 3)

    def do_relay_lost(self, rng):
        self.world.faults.drop_relay += 1

    def do_worker_crash(self, rng):
        self.world.faults.crash_after_write += 1

    def do_sqs_chaos(self, rng):
        self.world.faults.sqs_chaos += 1
        from chalicelib.workers.queue import PUSH, PULL, Hint, send

        # a stale hint sent again later (an SQS redelivery past the dedup window): harmless by design
        kind = rng.choice([PUSH, PULL])
        key = self.world.account.id if kind == PUSH else self.world.realm.realm_id
        send([Hint(kind, key, f"stale#{rng.randrange(10**9)}")])

    def do_webhook_chaos(self, rng):
        self.world.faults.webhook_chaos += 1

    # --- the Lambdas ----------------------------------------------------------------------------------------------------
    def do_sync(self, rng):
        self.world.step()

    def do_sweep(self, rng):
        self.world.sweep(ahead=rng.choice([0, 200, 7200]))
