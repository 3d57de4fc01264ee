"""What the as-of and aging reads need: a customer's credit history lines, invoices with payments, open credits."""
from __future__ import annotations

from typing import Iterator

from .. import config
from ..domain.credits import Credit
from ..domain.history import HistoryLine
from ..domain.invoices import Invoice
from ..domain.payments import Payment
from .credits import to_credit
from .ledger import Ledger
from .models import CreditItem, account_pk, customer_gsi_pk, customer_history_gsi_pk
from .tables import bind, dynamodb_client


def _query(**request) -> Iterator[dict]:
    bind()
    pages = dynamodb_client().get_paginator("query").paginate(TableName=config.table_name(), **request)
    for page in pages:
        yield from page["Items"]


def history_until(account_id: str, customer_id: str, at: str) -> list[HistoryLine]:
    """The customer's credit history lines up to `at`, oldest first (gsi3: lines written since it exists)."""
    items = _query(IndexName="gsi3", KeyConditionExpression="gsi3pk = :pk AND gsi3sk < :upper",
                   ExpressionAttributeValues={":pk": {"S": customer_history_gsi_pk(account_id, customer_id)},
                                              ":upper": {"S": f"{at}$"}})  # "$" sorts right after "#"
    lines = []
    for raw in items:
        credit_id = raw["sk"]["S"].split("#")[1]
        details = raw.get("details", {}).get("S")
        lines.append(HistoryLine(credit_id, raw["kind"]["S"], raw["at"]["S"], int(raw.get("amount", {}).get("N", 0)),
                                 _json(details)))
    return lines


def _json(text: str | None) -> dict:
    import json

    return json.loads(text) if text else {}


def invoices_with_payments(account_id: str, customer_id: str) -> list[tuple[Invoice, list[Payment]]]:
    """Every invoice of the customer (by-customer index) and its payments (BatchGetItem by the invoice's list)."""
    book = Ledger.reading(account_id)
    items = _query(IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk AND begins_with(gsi1sk, :p)",
                   ExpressionAttributeValues={":pk": {"S": customer_gsi_pk(account_id, customer_id)},
                                              ":p": {"S": "INV#"}})
    invoices = [book.invoices.adopt(book.invoices.model.from_raw_data(raw)) for raw in items]
    book.load(*(book.payments.key(p) for i in invoices for p in i.payment_ids))
    return [(i, [book.payments.get(p) for p in i.payment_ids]) for i in invoices]


def open_credits(account_id: str, customer_id: str | None) -> list[Credit]:
    """Credits with something left: the sparse open-credits index for one customer, else the account's credit
    range filtered to those carrying an open key (a report reads each credit once)."""
    if customer_id:
        items = _query(IndexName="gsi2", KeyConditionExpression="open_pk = :pk",
                       ExpressionAttributeValues={":pk": {"S": customer_gsi_pk(account_id, customer_id)}})
    else:
        items = _query(KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
                       FilterExpression="attribute_exists(open_pk)",
                       ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}, ":p": {"S": "CREDIT#"}})
    return [to_credit(CreditItem.from_raw_data(raw)) for raw in items]
