"""One-off: give items written before the read indexes existed the keys those indexes read.

Customers (gsi3 by lowercased name), payments (gsi1 by customer, gsi3 by invoice), returns (gsi1 by customer) and
credit history lines (gsi3 by customer, for as-of balances). Reads the account's partition once and sets only
missing keys (`attribute_not_exists`), so running it twice, or alongside live writes, changes nothing twice.

    python -m chalicelib.store.backfill <account_id> [...]
"""
from __future__ import annotations

import sys
from collections import Counter

from .. import config
from .models import (
    account_pk,
    customer_gsi_pk,
    customer_history_gsi_pk,
    customer_name_gsi_pk,
    invoice_payments_gsi_pk,
)
from .reads import customer_name_key
from .tables import bind, dynamodb_client


def _keys_for(account_id: str, raw: dict, customer_of_credit: dict[str, str]) -> dict[str, str]:
    """The index keys an item of the partition should carry (empty: none, or not derivable)."""
    sk = raw["sk"]["S"]
    kind, _, rest = sk.partition("#")
    if kind == "CUST":
        return {"gsi3pk": customer_name_gsi_pk(account_id), "gsi3sk": customer_name_key(raw["name"]["S"], rest)}
    if kind == "PAY":
        return {"gsi1pk": customer_gsi_pk(account_id, raw["customer_id"]["S"]), "gsi1sk": sk,
                "gsi3pk": invoice_payments_gsi_pk(account_id, raw["invoice_id"]["S"]), "gsi3sk": sk}
    if kind == "RET":
        return {"gsi1pk": customer_gsi_pk(account_id, raw["customer_id"]["S"]), "gsi1sk": sk}
    if kind == "CREDITEV":
        credit_id, _, event_id = rest.partition("#")
        customer_id = customer_of_credit.get(credit_id)
        if customer_id is None:
            return {}
        return {"gsi3pk": customer_history_gsi_pk(account_id, customer_id),
                "gsi3sk": f"{raw['at']['S']}#{credit_id}#{event_id}"}
    return {}


def backfill_account(account_id: str) -> Counter:
    """Set the missing read-index keys of one account's items; returns how many items of each kind were updated."""
    bind()
    client, table = dynamodb_client(), config.table_name()
    pages = client.get_paginator("query").paginate(
        TableName=table, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}})
    items = [raw for page in pages for raw in page["Items"]]
    customer_of_credit = {raw["sk"]["S"].split("#", 1)[1]: raw["customer_id"]["S"]
                          for raw in items if raw["sk"]["S"].startswith("CREDIT#")}
    updated: Counter = Counter()
    for raw in items:
        wanted = {name: value for name, value in _keys_for(account_id, raw, customer_of_credit).items()
                  if name not in raw}
        if not wanted:
            continue
        names = {f"#k{n}": name for n, name in enumerate(wanted)}
        values = {f":v{n}": {"S": value} for n, value in enumerate(wanted.values())}
        client.update_item(
            TableName=table, Key={"pk": raw["pk"], "sk": raw["sk"]},
            UpdateExpression="SET " + ", ".join(f"#k{n} = :v{n}" for n in range(len(wanted))),
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(#k0)",
            ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        updated[raw["sk"]["S"].split("#", 1)[0]] += 1
    return updated


def main(argv: list[str]) -> None:
    for account_id in argv:
        print(account_id, dict(backfill_account(account_id)))


if __name__ == "__main__":
    main(sys.argv[1:])
