"""Sums over a customer's credits and invoices, read through the by-customer index."""
from __future__ import annotations

from typing import Iterator

from .. import config
from .models import customer_gsi_pk
from .tables import dynamodb_client


def _items(account_id: str, customer_id: str, prefix: str, attributes: str, names: dict[str, str]) -> Iterator[dict]:
    paginator = dynamodb_client().get_paginator("query")
    pages = paginator.paginate(
        TableName=config.table_name(), IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": customer_gsi_pk(account_id, customer_id)}, ":prefix": {"S": prefix}},
        ProjectionExpression=attributes, ExpressionAttributeNames=names)
    for page in pages:
        yield from page["Items"]


def available_credit(account_id: str, customer_id: str) -> int:
    """Sum of what active credits still have to spend."""
    return sum(int(i["amount"]["N"]) - int(i["used"]["N"])
               for i in _items(account_id, customer_id, "CREDIT#", "amount, used, #s", {"#s": "status"}) if i["status"]["S"] == "active")


def outstanding_balance(account_id: str, customer_id: str) -> int:
    """Sum of what open invoices still owe."""
    return sum(int(i["total"]["N"]) - int(i["paid"]["N"])
               for i in _items(account_id, customer_id, "INV#", "#s, #t, paid", {"#s": "status", "#t": "total"}) if i["status"]["S"] != "deleted")
