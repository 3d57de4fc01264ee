"""DynamoDB calls per API operation, counted with botocore event hooks against DynamoDB Local.

Every request pays for authentication (account + user, plus the role for a custom role; Admin is built in).
"""
from __future__ import annotations

import json

from support import CallCounter, local_table


def main() -> None:
    with local_table():
        from chalice.test import Client

        from app import app
        from devstack.seed import seed

        demo = seed()
        owner = {"Authorization": f"Bearer {demo.tokens['owner']}", "Content-Type": "application/json"}
        counter = CallCounter()
        with Client(app) as client:
            body = json.dumps({"customer_id": demo.customer_ids[0], "amount": "10.00"})
            client.http.post("/credits", headers=owner, body=body)  # warm connections
            with counter.measure() as calls:
                client.http.post("/credits", headers=owner, body=body)
            print(f"create credit: {counter.describe(calls)}")
            with counter.measure() as calls:
                client.http.post("/credits", headers={**owner, "Idempotency-Key": "bench-1"}, body=body)
            print(f"create credit with Idempotency-Key: {counter.describe(calls)}")
            with counter.measure() as calls:
                client.http.post("/credits", headers={**owner, "Idempotency-Key": "bench-1"}, body=body)
            print(f"replay of that key: {counter.describe(calls)}")
            for _ in range(60):
                client.http.post("/credits", headers=owner, body=body)
            with counter.measure() as calls:
                page = json.loads(client.http.get("/credits?limit=25", headers=owner).body)
            print(f"list credits, page of {len(page['data'])}: {counter.describe(calls)}")
            with counter.measure() as calls:
                client.http.get("/credits?limit=25&q=nothing-matches", headers=owner)
            print(f"list credits, search with no match over 62 credits: {counter.describe(calls)}")
            with counter.measure() as calls:
                client.http.get(f"/customers/{demo.customer_ids[0]}/credit-summary", headers=owner)
            print(f"credit summary: {counter.describe(calls)}")


if __name__ == "__main__":
    main()
