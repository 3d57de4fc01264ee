"""One credit applied 3,000 times: the last payment must cost no more than the first (issue 9, section 0).

Why: a credit's uses used to live in a JSON list inside the credit item, so every payment rewrote the whole history
and a credit used a few thousand times hit DynamoDB's 400 KB item limit. Uses are items of their own now.

What it prints, for payments number 1, 10, 100, 1,000 and 3,000 of the same credit (each a POST /invoices/{id}/payments
through chalice.test.Client paying a fresh invoice with that credit):
  - DynamoDB requests of the call;
  - the items the TransactWriteItems wrote, their sizes, and the write units they cost (a transactional write costs
    2 WCU per started KB of each item);
  - the size of the credit item afterwards.
Numbers only. Run from the repo root: .venv/bin/python bench/credit_uses.py [payments]
"""
from __future__ import annotations

import json
import sys
import uuid

from support import CallCounter, local_table  # also puts the repo root on sys.path

PAYMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
REPORT_AT = {1, 10, 100, 1000, PAYMENTS}


def item_size(item: dict) -> int:
    """DynamoDB's item size: attribute names plus values (a close estimate for S, N, BOOL, NULL, M and L)."""
    def value_size(value: dict) -> int:
        (kind, inner), = value.items()
        if kind in ("S", "N"):
            return len(str(inner).encode())
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) for k, v in inner.items())
        if kind == "L":
            return 3 + sum(value_size(v) for v in inner)
        return len(json.dumps(inner))
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


class WriteSpy:
    """Keeps the items of every TransactWriteItems request (Puts and Updates carry the whole item here)."""

    def __init__(self):
        from chalicelib.store.tables import connection

        self.items: list[dict] = []
        connection().client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", self._keep)

    def _keep(self, params, **_):
        self.items = [entry["Put"]["Item"] for entry in params["TransactItems"] if "Put" in entry]


def main() -> None:
    with local_table():
        from chalice.test import Client

        from app import app
        from chalicelib.login_tokens import issue_token
        from chalicelib.store.tables import dynamodb_client
        from chalicelib import config

        client = Client(app)
        staff = {"Authorization": f"Bearer {issue_token('staff', staff=True)}", "Content-Type": "application/json"}

        def call(method, path, body=None, headers=None):
            reply = getattr(client.http, method)(path, headers=headers, body=json.dumps(body) if body else None)
            assert reply.status_code < 300, (path, reply.body)
            return json.loads(reply.body)

        owner_id = f"owner-{uuid.uuid4().hex[:6]}"
        account = call("post", "/accounts", {"name": "Bench", "owner_user_id": owner_id}, staff)["id"]
        staff_in = {**staff, "Authorization": f"Bearer {issue_token('staff', account, staff=True)}"}
        owner = {**staff, "Authorization": f"Bearer {issue_token(owner_id, account)}"}
        call("patch", "/settings", {"credits_enabled": True}, staff_in)
        customer = call("post", "/customers", {"name": "Big Buyer"}, owner)["id"]
        credit = call("post", "/credits", {"customer_id": customer, "amount": "100000000.00"}, owner)

        counter, spy = CallCounter(), WriteSpy()
        print(f"{'payment':>8} {'requests':>9} {'items written':>14} {'bytes written':>14} {'WCU':>5} "
              f"{'largest item':>13} {'credit item':>12}")
        for n in range(1, PAYMENTS + 1):
            invoice = call("post", "/sales-orders", {"customer_id": customer, "charges": [], "lines": [
                {"description": "case", "quantity": "1", "unit_price": "1.00"}]}, owner)["invoice_id"]
            with counter.measure() as calls:
                call("post", f"/invoices/{invoice}/payments",
                     {"tenders": [], "credits": [{"credit_id": credit["id"], "amount": "1.00"}]}, owner)
            if n in REPORT_AT:
                sizes = [item_size(item) for item in spy.items]
                wcu = sum(2 * -(-size // 1024) for size in sizes)
                stored = dynamodb_client().get_item(TableName=config.table_name(), Key={
                    "pk": {"S": f"A#{account}"}, "sk": {"S": f"CREDIT#{credit['id']}"}})["Item"]
                print(f"{n:>8} {sum(calls.values()):>9} {len(sizes):>14} {sum(sizes):>14} {wcu:>5} "
                      f"{max(sizes):>13} {item_size(stored):>12}")


if __name__ == "__main__":
    main()
