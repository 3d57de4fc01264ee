"""Receive-payment cost and throughput against DynamoDB Local: the service versus hand-written boto3.

Why: paying an invoice with credits must stay cheap as the number of credits grows, and must keep
up under contention (several cashiers paying one customer's invoices from the same few credits).
The issue's goals: the use case costs a constant of at most 3 DynamoDB requests (its reads and one
TransactWriteItems) whatever the number of credits, plus one UpdateItem per number it takes, and under contention the service reaches at
least half the throughput of the same transactions written by hand (service / raw >= 0.5).

What it prints:
  1. DynamoDB requests per POST /invoices/{id}/payments (chalice.test.Client) for 1, 5 and 20
     credits, chosen explicitly and by "fifo", split into authentication and the use case's own calls.
  2. 8 threads calling services.payments.receive_payment directly (no HTTP, no auth) on 24 invoices
     of one customer, paid "fifo" from 4 shared credits plus a cash tender: time, payments/s,
     TransactWriteItems attempts versus successes, Contention errors.
  3. The same transactions (same items, same conditions) written with boto3 and a plain
     read / conditional-write / retry loop, on a fresh copy of the same data; then the ratio.
  4. Independent writes: 8 threads, each paying the invoices of its own customer (8 customers of one
     account, each with its own credit), so the payments share no object; the service against the same
     raw boto3 loop. Goal: conflict rate < 5 % and service / raw >= 0.5 (issue 7, section 2).

Numbers only, no assertions. Run from the repo root: .venv/bin/python bench/ledger.py
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from support import CallCounter, local_table  # also puts the repo root on sys.path

from chalicelib.store.counters import FIRST_NUMBER
from chalicelib.store.ids import new_id, utc_now
from chalicelib.store.models import account_pk, customer_gsi_pk

CREDIT_COUNTS = (1, 5, 20)
THREADS = 8
SHARED_CREDITS = 4
INVOICES = 24
CREDIT_AMOUNT = "100.00"   # each shared credit
INVOICE_TOTAL = "10.00"    # each contended invoice
CASH = "2.00"              # tender with every contended payment: credits pay the other 8.00
MAX_ATTEMPTS = 12          # as run_in_transaction
ROUNDS = 5                 # contended runs per side


# ---------------------------------------------------------------- counting DynamoDB traffic

class Tally:
    """Thread-safe count of DynamoDB calls and of TransactWriteItems outcomes, on the service's clients."""

    def __init__(self):
        from chalicelib.store.tables import connection, dynamodb_client

        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.tx_outcomes: Counter[str] = Counter()
        self.tx_sizes: Counter[int] = Counter()
        for client in {id(c): c for c in (connection().client, dynamodb_client())}.values():  # may be one
            events = client.meta.events
            events.register("before-call.dynamodb.*", self._call)
            events.register("before-parameter-build.dynamodb.TransactWriteItems", self._tx_params)
            events.register("after-call.dynamodb.TransactWriteItems", self._tx_outcome)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.tx_outcomes.clear()
            self.tx_sizes.clear()

    def _call(self, model, **_):
        with self._lock:
            self.calls[model.name] += 1

    def _tx_params(self, params, context, **_):
        items = params.get("TransactItems", [])
        # what kind of item each position is (CREDIT, INV, COUNTER, ...), to say which ones conflicted
        context["bench_kinds"] = [next(iter(op.values()))["Item"]["sk"]["S"].split("#")[0] for op in items]
        with self._lock:
            self.tx_sizes[len(items)] += 1

    def _tx_outcome(self, parsed, context, **_):
        error = parsed.get("Error", {}).get("Code")
        reasons = parsed.get("CancellationReasons", []) or []
        failed = [kind if r.get("Code") == "ConditionalCheckFailed" else f"{kind}({r.get('Code')})"
                  for kind, r in zip(context.get("bench_kinds", []), reasons) if r.get("Code") not in ("None", None)]
        if error is None:
            outcome = "ok"
        elif error == "TransactionCanceledException":
            outcome = "+".join(failed) or "cancelled, no reason"
        else:
            outcome = error
        with self._lock:
            self.tx_outcomes[outcome] += 1


def describe(calls: Counter) -> str:
    return CallCounter.describe(+calls) if +calls else "0"


# ---------------------------------------------------------------- HTTP helpers (section 1 and setup)

class Api:
    """JSON over chalice.test.Client as the account owner."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body) -> tuple[int, dict]:
        reply = self.client.http.post(path, headers=self.headers, body=json.dumps(body))
        return reply.status_code, json.loads(reply.body)

    def get(self, path: str) -> tuple[int, dict]:
        reply = self.client.http.get(path, headers=self.headers)
        return reply.status_code, json.loads(reply.body)

    def credit(self, customer_id: str, amount: str) -> str:
        return self.post("/credits", {"customer_id": customer_id, "amount": amount})[1]["id"]

    def invoice(self, customer_id: str, total: str) -> str:
        order = self.post("/sales-orders", {"customer_id": customer_id,
                                            "lines": [{"description": "goods", "quantity": 1, "unit_price": total}]})
        return order[1]["invoice_id"]


def calls_of(tally: Tally, action) -> tuple[Counter, object]:
    """The DynamoDB calls made while running action(), and its result."""
    tally.reset()
    result = action()
    return Counter(tally.calls), result


# ---------------------------------------------------------------- 1. requests per payment

def auth_cost(api: Api, tally: Tally) -> Counter:
    """Authentication alone: a payment POST whose body is rejected right after auth (before any use case)."""
    calls, (status, _) = calls_of(tally, lambda: api.post("/invoices/none/payments", []))
    settings, _ = calls_of(tally, lambda: api.get("/settings"))
    print(f"  auth only (POST with a rejected body, {status}): {describe(calls)}")
    print(f"  GET /settings for comparison (auth + its own read): {describe(settings)}")
    return calls


def payment_cost(api: Api, tally: Tally, customer_id: str, count: int, mode: str) -> tuple[Counter, int, int]:
    """Pay a fresh invoice with `count` fresh 1.00 credits (explicit list or fifo); calls, status, tx items."""
    credit_ids = [api.credit(customer_id, "1.00") for _ in range(count)]
    invoice_id = api.invoice(customer_id, f"{count}.00")
    choice = [{"credit_id": c} for c in credit_ids] if mode == "list" else "fifo"
    calls, (status, body) = calls_of(
        tally, lambda: api.post(f"/invoices/{invoice_id}/payments", {"tenders": [], "credits": choice}))
    applied = len(body.get("credit_uses", [])) if status == 201 else f"error {body.get('error', {}).get('code')}"
    if applied != count:
        print(f"  ! {mode} with {count} credits: status {status}, credits applied {applied}")
    return calls, status, max(tally.tx_sizes, default=0)


def section_requests_per_payment(api: Api, tally: Tally, customer_id: str) -> None:
    print("1. DynamoDB requests per receive-payment (HTTP, chalice.test.Client)")
    auth = auth_cost(api, tally)
    payment_cost(api, tally, customer_id, 1, "list")  # warm-up
    print(f"  {'credits':>7} {'choice':>6} {'status':>6} {'total':>5} {'auth':>4} {'use case':>8} "
          f"{'tx items':>8}  use-case calls by operation")
    for count in CREDIT_COUNTS:
        for mode in ("list", "fifo"):
            calls, status, tx_items = payment_cost(api, tally, customer_id, count, mode)
            own = calls - auth
            print(f"  {count:>7} {mode:>6} {status:>6} {sum(calls.values()):>5} {sum(auth.values()):>4} "
                  f"{sum(own.values()):>8} {tx_items:>8}  {describe(own)}")
    print("  goal: use case <= 3 requests (reads + one TransactWriteItems), constant in the number of credits,\n"
          "  plus one UpdateItem per number taken (the payment's; store/counters.py, outside the transaction)")


# ---------------------------------------------------------------- contended data (sections 2 and 3)

@dataclass
class Scenario:
    account_id: str
    credit_ids: list[str]
    invoice_ids: list[str]


def contended_scenario(client) -> Scenario:
    """A fresh account: one customer, SHARED_CREDITS credits, INVOICES open invoices."""
    from devstack.seed import seed

    demo = seed()
    api, customer_id = Api(client, demo.tokens["owner"]), demo.customer_ids[0]
    credit_ids = [api.credit(customer_id, CREDIT_AMOUNT) for _ in range(SHARED_CREDITS)]
    invoice_ids = [api.invoice(customer_id, INVOICE_TOTAL) for _ in range(INVOICES)]
    return Scenario(demo.account_id, credit_ids, invoice_ids)


def independent_scenario(client) -> Scenario:
    """A fresh account: THREADS customers with one credit each and INVOICES // THREADS invoices each.

    Invoices are interleaved by customer, so run_threads gives worker i exactly the invoices of customer i.
    """
    from devstack.seed import seed

    demo = seed()
    api = Api(client, demo.tokens["owner"])
    customers = [api.post("/customers", {"name": f"Bench customer {i}"})[1]["id"] for i in range(THREADS)]
    credit_ids = [api.credit(c, CREDIT_AMOUNT) for c in customers]
    invoice_ids = [api.invoice(customers[i % THREADS], INVOICE_TOTAL) for i in range(INVOICES)]
    return Scenario(demo.account_id, credit_ids, invoice_ids)


@dataclass
class Run:
    """One contended run on fresh data: its wall time and what the payers and DynamoDB saw."""

    seconds: float
    outcomes: Counter
    calls: Counter
    tx_outcomes: Counter
    tx_sizes: Counter
    credits_used: int = 0

    @property
    def paid(self) -> int:
        return self.outcomes["paid"]


def run_threads(invoice_ids: list[str], pay_one) -> tuple[float, Counter]:
    """THREADS workers, each paying its share of the invoices one after another; pay_one returns an outcome."""
    shares = [invoice_ids[i::THREADS] for i in range(THREADS)]
    outcomes: Counter[str] = Counter()
    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        for share_outcomes in pool.map(lambda share: [pay_one(i) for i in share], shares):
            outcomes.update(share_outcomes)
    return time.perf_counter() - start, outcomes


def contended_run(client, tally: Tally, make_payer, make_scenario=contended_scenario) -> Run:
    """Fresh data, then all its invoices paid by THREADS threads with make_payer(scenario)."""
    scenario = make_scenario(client)
    pay_one = make_payer(scenario)
    tally.reset()
    seconds, outcomes = run_threads(scenario.invoice_ids, pay_one)
    run = Run(seconds, outcomes, Counter(tally.calls), Counter(tally.tx_outcomes), Counter(tally.tx_sizes))
    run.credits_used = credits_used(scenario.account_id, scenario.credit_ids)
    return run


def credits_used(account_id: str, credit_ids: list[str]) -> int:
    """Cents used across the credits, read consistently after a run (a sanity check of the run)."""
    from chalicelib.store.tables import dynamodb_client

    used = 0
    for credit_id in credit_ids:
        item = dynamodb_client().get_item(TableName=_table(), ConsistentRead=True,
                                          Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": f"CREDIT#{credit_id}"}})
        used += int(item["Item"]["used"]["N"])
    return used


def _table() -> str:
    from chalicelib import config

    return config.table_name()


def throughput(runs: list[Run]) -> float:
    """Payments per second over all rounds."""
    return sum(r.paid for r in runs) / sum(r.seconds for r in runs)


def conflict_rate(runs: list[Run]) -> float:
    """Cancelled TransactWriteItems over all attempts."""
    tx = sum((r.tx_outcomes for r in runs), Counter())
    return (sum(tx.values()) - tx["ok"]) / max(sum(tx.values()), 1)


def report_runs(name: str, runs: list[Run]) -> None:
    """Print the rounds of one side, summed."""
    paid, seconds = sum(r.paid for r in runs), sum(r.seconds for r in runs)
    tx = sum((r.tx_outcomes for r in runs), Counter())
    calls = sum((r.calls for r in runs), Counter())
    sizes = sum((r.tx_sizes for r in runs), Counter())
    other = sum((r.outcomes for r in runs), Counter()) - Counter(paid=paid)
    attempts, ok = sum(tx.values()), tx["ok"]
    consistent = sum(r.credits_used == r.paid * (_cents(INVOICE_TOTAL) - _cents(CASH)) for r in runs)
    print(f"  {name}: {paid}/{INVOICES * len(runs)} paid in {seconds:.2f} s = {throughput(runs):.1f} payments/s"
          f"  (per round: {' '.join(f'{r.paid / r.seconds:.1f}' for r in runs)})")
    contention = other.pop("contention", 0)
    print(f"    Contention errors: {contention}; other failures: {dict(+other) or 'none'}")
    print(f"    TransactWriteItems: {attempts} attempts, {ok} succeeded, {attempts - ok} cancelled"
          f" -> conflict rate {(attempts - ok) / max(attempts, 1):.0%}, {attempts / max(paid, 1):.2f} attempts/payment")
    print(f"    cancelled by a failed condition on: "
          f"{', '.join(f'{k} x{n}' for k, n in (tx - Counter(ok=ok)).most_common()) or 'none'}")
    print(f"    items per TransactWriteItems: {', '.join(f'{n} items x{k}' for n, k in sorted(sizes.items()))}")
    print(f"    all calls: {describe(calls)}; per paid payment {sum(calls.values()) / max(paid, 1):.1f}")
    print(f"    credits used = paid payments x {_money(_cents(INVOICE_TOTAL) - _cents(CASH))}"
          f" in {consistent}/{len(runs)} rounds")


def _cents(amount: str) -> int:
    return round(float(amount) * 100)


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


# ---------------------------------------------------------------- 2. the service under contention

def service_payer(scenario: Scenario):
    """pay_one for run_threads: services.payments.receive_payment, fifo plus a cash tender."""
    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.payments import Tender, TenderMethod
    from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
    from chalicelib.services.payments import receive_payment
    from chalicelib.store.uow import Contention
    from devstack.seed import OWNER

    principal = Principal(OWNER, scenario.account_id, ALL_PERMISSIONS, credits_enabled=True)
    tenders = [Tender(TenderMethod.CASH, _cents(CASH))]

    def pay_one(invoice_id: str) -> str:
        try:
            receive_payment(principal, invoice_id, tenders=tenders, credits="fifo")
            return "paid"
        except Contention:
            return "contention"
        except DomainError as error:
            return f"error {error.code}"

    return pay_one


# ---------------------------------------------------------------- 3. the same transactions by hand

class RawPayer:
    """receive-payment written directly against boto3: the lower bound the service is compared with.

    Reads like the service's fifo path (one consistent BatchGetItem of the invoice, one Query of the
    customer's open credits on gsi2), takes a payment number like the service (UpdateItem ADD on the
    account's payment counter, once per payment, outside the transaction), then one TransactWriteItems with
    the same items and conditions: each credit used (version), its history line (new), the invoice
    (version), the payment (new). A cancelled transaction is re-read and retried, with the service's backoff.
    """

    def __init__(self, scenario: Scenario):
        from chalicelib.store.tables import dynamodb_client

        self.client, self.table = dynamodb_client(), _table()
        self.account_id, self.pk = scenario.account_id, account_pk(scenario.account_id)
        self.cash = _cents(CASH)

    def __call__(self, invoice_id: str) -> str:
        from botocore.exceptions import ClientError

        number = None
        for attempt in range(MAX_ATTEMPTS):
            invoice, credits = self.read(invoice_id)
            number = number or self.take_number()
            try:
                self.client.transact_write_items(TransactItems=self.transaction(invoice, number, credits))
                return "paid"
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    return f"error {error.response['Error']['Code']}"
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
        return "contention"

    def read(self, invoice_id: str) -> tuple[dict, list[dict]]:
        keys = [{"pk": {"S": self.pk}, "sk": {"S": f"INV#{invoice_id}"}}]
        got = self.client.batch_get_item(RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}})
        invoice = got["Responses"][self.table][0]
        credits = self.client.query(
            TableName=self.table, IndexName="gsi2", KeyConditionExpression="open_pk = :pk",
            ExpressionAttributeValues={":pk": {"S": customer_gsi_pk(self.account_id, invoice["customer_id"]["S"])}})
        return invoice, credits["Items"]

    def take_number(self) -> int:
        answer = self.client.update_item(
            TableName=self.table, Key={"pk": {"S": self.pk}, "sk": {"S": "COUNTER#payment"}},
            UpdateExpression="ADD #value :one", ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["value"]["N"])

    def transaction(self, invoice: dict, number: int, credits: list[dict]) -> list[dict]:
        now, payment_id = utc_now(), new_id()
        invoice_id = invoice["id"]["S"]
        due = int(invoice["total"]["N"]) - int(invoice["paid"]["N"])
        room, uses, items = max(0, due - self.cash), [], []
        for credit in credits:  # the open-credits index sorts by creation time: oldest first
            if room == 0:
                break
            amount = min(int(credit["amount"]["N"]) - int(credit["used"]["N"]), room)
            use = {"id": new_id(), "payment_id": payment_id, "invoice_id": invoice_id, "amount": amount, "at": now,
                   "voided_at": None}
            items += [self.credit_put(credit, use, now), self.history_put(credit, use, now)]
            uses.append({"id": use["id"], "credit_id": credit["id"]["S"], "amount": amount, "voided_at": None})
            room -= amount
        applied = sum(u["amount"] for u in uses) + min(self.cash, due)
        items += [self.invoice_put(invoice, applied, payment_id, now),
                  self.payment_put(invoice, payment_id, number, uses, min(self.cash, due), now)]
        return items

    def credit_put(self, credit: dict, use: dict, now: str) -> dict:
        item = dict(credit)
        used = int(credit["used"]["N"]) + use["amount"]
        item["used"] = {"N": str(used)}
        if used >= int(credit["amount"]["N"]):  # spent: leaves the sparse open-credits index
            item.pop("open_pk", None), item.pop("open_sk", None)
        item["uses"] = {"S": json.dumps(json.loads(credit.get("uses", {}).get("S", "[]")) + [use])}
        item["updated_at"] = {"S": now}
        return self._versioned(item, credit)

    def history_put(self, credit: dict, use: dict, now: str) -> dict:
        details = {"payment_id": use["payment_id"], "invoice_id": use["invoice_id"], "use_id": use["id"]}
        item = {"pk": {"S": self.pk}, "sk": {"S": f"CREDITEV#{credit['id']['S']}#{new_id()}"},
                "kind": {"S": "applied"}, "at": {"S": now}, "amount": {"N": str(use["amount"])},
                "details": {"S": json.dumps(details)}}
        return self._new(item)

    def invoice_put(self, invoice: dict, applied: int, payment_id: str, now: str) -> dict:
        item = dict(invoice)
        paid = int(invoice["paid"]["N"]) + applied
        item["paid"] = {"N": str(paid)}
        item["status"] = {"S": "fully_paid" if paid >= int(invoice["total"]["N"]) else "partially_paid"}
        item["payment_ids"] = {"S": json.dumps(json.loads(invoice.get("payment_ids", {}).get("S", "[]"))
                                               + [payment_id])}
        item["updated_at"] = {"S": now}
        return self._versioned(item, invoice)

    def payment_put(self, invoice: dict, payment_id: str, number: int, uses: list[dict], tender_applied: int,
                    now: str) -> dict:
        item = {"pk": {"S": self.pk}, "sk": {"S": f"PAY#{payment_id}"}, "id": {"S": payment_id},
                "number": {"S": f"PAY-{FIRST_NUMBER + number}"}, "invoice_id": invoice["id"],
                "customer_id": invoice["customer_id"], "tender_applied": {"N": str(tender_applied)},
                "tenders": {"S": json.dumps([{"method": "cash", "amount": self.cash}])},
                "credit_uses": {"S": json.dumps(uses)}, "status": {"S": "active"}, "created_at": {"S": now},
                "updated_at": {"S": now}, "sync_status": {"S": "not_synced"}, "version": {"N": "1"}}
        return self._new(item)

    def _versioned(self, item: dict, old: dict) -> dict:
        version = int(old["version"]["N"])
        item["version"] = {"N": str(version + 1)}
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": str(version)}}}}

    def _new(self, item: dict) -> dict:
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}


# ---------------------------------------------------------------- 2 and 3 side by side

def section_contention(client, tally: Tally) -> None:
    """ROUNDS runs per side, alternating service and raw on fresh data (single 1-2 s runs are noisy)."""
    print(f"\n2. Service under contention: {THREADS} threads call services.payments.receive_payment directly "
          f"(no HTTP, no auth);\n   {INVOICES} invoices of {INVOICE_TOTAL} for one customer, each paid fifo from "
          f"{SHARED_CREDITS} credits of {CREDIT_AMOUNT} plus {CASH} cash; {ROUNDS} rounds on fresh data, "
          f"alternating with section 3")
    service, raw = [], []
    for _ in range(ROUNDS):
        service.append(contended_run(client, tally, service_payer))
        raw.append(contended_run(client, tally, RawPayer))
    report_runs("service", service)
    print("\n3. Raw boto3 baseline: the same reads and transactions (same items and conditions), same threads,"
          "\n   its own read / TransactWriteItems / retry loop with the service's backoff")
    report_runs("raw", raw)
    ratios = sorted(s.paid / s.seconds / (r.paid / r.seconds) for s, r in zip(service, raw))
    print(f"\nservice_throughput / raw_throughput = {throughput(service):.1f} / {throughput(raw):.1f} = "
          f"{throughput(service) / throughput(raw):.2f}  (goal >= 0.5; per round pair: "
          f"{' '.join(f'{x:.2f}' for x in ratios)})")


# ---------------------------------------------------------------- main

def section_independent(client, tally: Tally) -> None:
    """ROUNDS runs per side of payments that share no object, alternating service and raw on fresh data."""
    print(f"\n4. Independent writes: {THREADS} threads, thread i pays the {INVOICES // THREADS} invoices of "
          f"customer i (one account,\n   {THREADS} customers, each with one credit of {CREDIT_AMOUNT}); each "
          f"payment fifo plus {CASH} cash; service vs the raw loop of section 3; {ROUNDS} rounds")
    service, raw = [], []
    for _ in range(ROUNDS):
        service.append(contended_run(client, tally, service_payer, independent_scenario))
        raw.append(contended_run(client, tally, RawPayer, independent_scenario))
    report_runs("service", service)
    report_runs("raw", raw)
    ratio = throughput(service) / throughput(raw)
    rate = conflict_rate(service)
    print(f"\nindependent: conflict rate {rate:.1%} (goal < 5%: {'met' if rate < 0.05 else 'NOT met'}); "
          f"service / raw = {throughput(service):.1f} / {throughput(raw):.1f} = {ratio:.2f} "
          f"(goal >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")


def main() -> None:
    with local_table():
        from chalice.test import Client

        from app import app
        from devstack.seed import seed

        demo = seed()
        tally = Tally()
        with Client(app) as client:
            section_requests_per_payment(Api(client, demo.tokens["owner"]), tally, demo.customer_ids[0])
            section_contention(client, tally)
            section_independent(client, tally)


if __name__ == "__main__":
    main()
