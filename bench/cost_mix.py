"""The ledger operations bench/cost.py prices: a wholesale distributor's day, per 100 API requests.

Why this mix (../shared/spec/credits-feature-guide.txt): the module lives inside a B2B ERP whose daily work is sales
orders, their invoices and the payments that settle them; credits are the exception (returns, overpayments,
reductions of paid invoices, a manual goodwill credit), edited, canceled or voided now and then. The guide says the
Sales Order form always shows the customer's credits and outstanding balance (one credit summary per order), credits
are applied in the Receive Payment dialog (the console previews each payment as the clerk types: about one preview
per payment), and the Credits table is searched, opened and exported. Reads are therefore the larger part (63 of
100); writes carry the sync work. Every write sends an Idempotency-Key, as the web console does.
"""
from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

# operation → requests per 100 (each one API request)
MIX: dict[str, int] = {
    # writes (37)
    "sales_order": 12, "pay_in_full": 7, "pay_partly": 2, "pay_fifo_credits": 3, "overpay": 1, "manual_credit": 4,
    "return_create": 1, "return_complete": 1, "invoice_edit": 2, "credit_edit": 1, "credit_cancel": 1,
    "payment_void": 1, "customer_create": 1,
    # reads (63)
    "credit_summary": 12, "invoice_detail": 14, "payment_preview": 4, "invoice_list": 8, "credit_list": 6,
    "credit_detail": 3, "credit_history": 2, "customer_search": 5, "payment_list": 3, "status_panel": 3,
    "credit_csv": 1, "credit_aging": 1, "sales_order_detail": 1,
}
WRITES = frozenset({"sales_order", "pay_in_full", "pay_partly", "pay_fifo_credits", "overpay", "manual_credit",
                    "return_create", "return_complete", "invoice_edit", "credit_edit", "credit_cancel", "payment_void",
                    "customer_create"})
assert sum(MIX.values()) == 100 and sum(MIX[name] for name in WRITES) == 37


def plan(requests: int, seed: int = 7) -> list[str]:
    """`requests` operations: whole blocks of the mix, each block shuffled (a return is created before completed)."""
    rng, ops = random.Random(seed), []
    while len(ops) < requests:
        block = [name for name, weight in MIX.items() for _ in range(weight)]
        rng.shuffle(block)
        ops.extend(block)
    return ops[:requests]


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def money(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


@dataclass
class Clerk:
    """A clerk of one account driving the API; `call(method, path, body, headers)` answers (status, json)."""

    call: Callable[..., tuple[int, Any]]
    rng: random.Random = field(default_factory=lambda: random.Random(11))
    customers: list[str] = field(default_factory=list)
    open_invoices: dict[str, tuple[str, int]] = field(default_factory=dict)  # invoice → (customer, balance cents)
    paid_invoices: list[str] = field(default_factory=list)
    orders: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def run(self, operation: str) -> None:
        getattr(self, operation)()

    def _write(self, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(method, path, body, {"Idempotency-Key": uuid.uuid4().hex})
        key = f"{method} {status}" if status < 300 else f"{method} {path.split('/')[1]} {status} " \
            f"{((answer or {}).get('error') or {}).get('code')}"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        return answer if status < 300 else None

    def _read(self, path: str, headers: dict | None = None) -> Any:
        status, answer = self.call("GET", path, None, headers or {})
        self.statuses[f"GET {status}"] = self.statuses.get(f"GET {status}", 0) + 1
        return answer

    def _customer(self) -> str:
        return self.rng.choice(self.customers)

    def _invoice(self) -> str:
        return self.rng.choice(sorted(self.open_invoices) or self.paid_invoices)

    def _any_invoice(self) -> str:
        return self.rng.choice(sorted(self.open_invoices) + self.paid_invoices)

    # --- writes ------------------------------------------------------------------------------------------------------
    def sales_order(self) -> None:
        lines = [{"description": f"case of item {self.rng.randint(1, 300)}", "quantity": str(self.rng.randint(1, 12)),
                  "unit_price": f"{self.rng.randint(8, 90)}.{self.rng.randint(0, 99):02d}"}
                 for _ in range(self.rng.randint(1, 4))]
        charges = [{"description": "freight", "amount": "15.00"}] if self.rng.random() < 0.3 else []
        order = self._write("POST", "/sales-orders", {"customer_id": self._customer(), "lines": lines,
                                                      "charges": charges})
        if order:
            self.orders.append(order["id"])
            self.open_invoices[order["invoice_id"]] = (order["customer_id"], cents(order["invoice"]["balance"]))

    def _pay(self, tender: int | None, credits: Any = None) -> None:
        invoice_id = self._invoice()
        _, balance = self.open_invoices.get(invoice_id, ("", 0))
        amount = balance if tender is None else tender
        body = {"tenders": [{"method": self.rng.choice(["check", "transfer", "cash"]), "amount": money(amount)}]
                if amount > 0 else [], "credits": credits}
        payment = self._write("POST", f"/invoices/{invoice_id}/payments", body)
        if not payment:
            return
        self.payments.append(payment["id"])
        if payment.get("overpayment_credit_id"):
            self.credits.append(payment["overpayment_credit_id"])
        left = cents(payment["invoice"]["balance"])
        if left == 0:
            if self.open_invoices.pop(invoice_id, None):
                self.paid_invoices.append(invoice_id)
        elif invoice_id in self.open_invoices:
            self.open_invoices[invoice_id] = (self.open_invoices[invoice_id][0], left)

    def pay_in_full(self) -> None:
        self._pay(None)

    def pay_partly(self) -> None:
        invoice_id = self._invoice()
        self._pay(max(1, self.open_invoices.get(invoice_id, ("", 200))[1] // 2))

    def pay_fifo_credits(self) -> None:
        self._pay(0, "fifo")

    def overpay(self) -> None:
        invoice_id = self._invoice()
        self._pay(self.open_invoices.get(invoice_id, ("", 0))[1] + 2_000)

    def manual_credit(self) -> None:
        credit = self._write("POST", "/credits", {"customer_id": self._customer(),
                                                  "amount": f"{self.rng.randint(5, 60)}.00",
                                                  "internal_note": "damaged case", "external_note": "sorry!"})
        if credit:
            self.credits.append(credit["id"])

    def return_create(self) -> None:
        created = self._write("POST", "/returns", {"customer_id": self._customer(), "lines": [
            {"product_id": f"P{self.rng.randint(1, 50)}", "package_id": f"PK{self.rng.randint(1, 9)}",
             "batch_id": "B1", "quantity": str(self.rng.randint(1, 3)), "unit_price": "18.00"}]})
        if created:
            self.returns.append(created["id"])

    def return_complete(self) -> None:
        if not self.returns:
            return self.return_create()
        done = self._write("POST", f"/returns/{self.returns.pop(0)}/complete")
        if done and done.get("credit_id"):
            self.credits.append(done["credit_id"])

    def invoice_edit(self) -> None:
        """Half the time a paid invoice loses a line (its paid excess becomes an adjustment credit)."""
        invoice_id = self.rng.choice(self.paid_invoices) if self.paid_invoices and self.rng.random() < 0.5 \
            else self._invoice()
        edited = self._write("PATCH", f"/invoices/{invoice_id}", {"lines": [
            {"description": "recounted", "quantity": "1", "unit_price": f"{self.rng.randint(5, 20)}.00"}]})
        if edited and invoice_id in self.open_invoices:
            self.open_invoices[invoice_id] = (edited["customer_id"], cents(edited["balance"]))
        if edited:
            self.credits.extend(edited.get("adjustment_credit_ids") or [])

    def credit_edit(self) -> None:
        if self.credits:
            self._write("PATCH", f"/credits/{self.rng.choice(self.credits)}", {"internal_note": "checked by AR"})

    def credit_cancel(self) -> None:
        if self.credits:
            self._write("POST", f"/credits/{self.credits.pop(self.rng.randrange(len(self.credits)))}/cancel",
                        {"mode": "balance_only"})

    def payment_void(self) -> None:
        if self.payments:
            self._write("POST", f"/payments/{self.payments.pop(self.rng.randrange(len(self.payments)))}/void")

    def customer_create(self) -> None:
        customer = self._write("POST", "/customers", {"name": f"Store {uuid.uuid4().hex[:8]}"})
        if customer:
            self.customers.append(customer["id"])

    # --- reads --------------------------------------------------------------------------------------------------------
    def credit_summary(self) -> None:
        self._read(f"/customers/{self._customer()}/credit-summary")

    def invoice_detail(self) -> None:
        self._read(f"/invoices/{self._any_invoice()}")

    def payment_preview(self) -> None:
        invoice_id = self._invoice()
        self.call("POST", f"/invoices/{invoice_id}/payments/preview", {"tenders": [], "credits": "fifo"}, {})

    def invoice_list(self) -> None:
        self._read(f"/invoices?customer_id={self._customer()}")

    def credit_list(self) -> None:
        self._read(f"/credits?customer_id={self._customer()}&status=active")

    def credit_detail(self) -> None:
        if self.credits:
            self._read(f"/credits/{self.rng.choice(self.credits)}")

    def credit_history(self) -> None:
        if self.credits:
            self._read(f"/credits/{self.rng.choice(self.credits)}/transactions")

    def customer_search(self) -> None:
        self._read(f"/customers?q={self.rng.choice('ABCDEFGHIJKLMNOPQRS')}")

    def payment_list(self) -> None:
        self._read(f"/payments?invoice_id={self._any_invoice()}")

    def status_panel(self) -> None:
        self._read("/qbo/status")

    def credit_csv(self) -> None:
        self._read("/credits", {"Accept": "text/csv"})

    def credit_aging(self) -> None:
        self._read("/reports/credit-aging")

    def sales_order_detail(self) -> None:
        if self.orders:
            self._read(f"/sales-orders/{self.rng.choice(self.orders)}")


def answer_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
