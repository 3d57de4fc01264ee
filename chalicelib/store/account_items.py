"""Paging through one account's items by key prefix (lifecycle jobs touch thousands of them), and the hard
disconnect's batched forgetting of every QBO link they carry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from .. import config
from ..domain.sync_kinds import KINDS
from .models import CreditItem, CreditUseItem, CustomerItem, InvoiceItem, PaymentItem, account_pk
from .sync_state import read_state, write_state
from .tables import bind, connection, dynamodb_client

PREFIX_BY_KIND = {kind.name: kind.item_prefix for kind in KINDS}
KIND_BY_PREFIX = {prefix: kind for kind, prefix in PREFIX_BY_KIND.items()}
MODEL_BY_PREFIX = {"CUST": CustomerItem, "INV": InvoiceItem, "PAY": PaymentItem, "CREDIT": CreditItem,
                   "USE": CreditUseItem}
# Items that exist only because of a QBO company: removed by a hard disconnect (import maps, CDC watermarks).
FORGET_PREFIXES = ("QBMAP#", "DRIFT#", "QBO#WATERMARK", "QBO#CDC", "QBO#LEGACY#", "QBO#PARITY")
MAX_TRANSACTION = 100


@dataclass
class Page:
    items: list[Any]
    after: str | None  # the last sk read: pass it back for the next page; None at the end


def count(account_id: str, prefix: str = "") -> int:
    """How many items of the account start with `prefix` (COUNT queries: no item leaves DynamoDB)."""
    total, start = 0, None
    while True:
        kwargs: dict[str, Any] = dict(TableName=config.table_name(), Select="COUNT",
                                      KeyConditionExpression="pk = :pk" + (" AND begins_with(sk, :p)" if prefix else ""),
                                      ExpressionAttributeValues={":pk": {"S": account_pk(account_id)},
                                                                 **({":p": {"S": prefix}} if prefix else {})})
        if start:
            kwargs["ExclusiveStartKey"] = start
        answer = dynamodb_client().query(**kwargs)
        total += answer["Count"]
        start = answer.get("LastEvaluatedKey")
        if not start:
            return total


def page_of_kind(account_id: str, kind: str, after: str | None, limit: int) -> Page:
    """Up to `limit` items of one kind in key order, strongly consistent, after the sk `after`."""
    bind()
    prefix = PREFIX_BY_KIND[kind] + "#"
    model = MODEL_BY_PREFIX[PREFIX_BY_KIND[kind]]
    kwargs: dict[str, Any] = {"limit": limit, "consistent_read": True}
    if after:
        kwargs["last_evaluated_key"] = {"pk": {"S": account_pk(account_id)}, "sk": {"S": after}}
    result = model.query(account_pk(account_id), model.sk.startswith(prefix), **kwargs)
    items = list(result)
    more = result.last_evaluated_key is not None and len(items) == limit
    return Page(items, items[-1].sk if items and more else None)


def raw_page(account_id: str, after: str | None, limit: int) -> Page:
    """Any items of the account in key order (raw attribute maps), for the hard disconnect's sweep."""
    kwargs: dict[str, Any] = dict(TableName=config.table_name(), KeyConditionExpression="pk = :pk",
                                  ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}},
                                  ConsistentRead=True, Limit=limit)
    if after:
        kwargs["ExclusiveStartKey"] = {"pk": {"S": account_pk(account_id)}, "sk": {"S": after}}
    answer = dynamodb_client().query(**kwargs)
    items = answer["Items"]
    return Page(items, items[-1]["sk"]["S"] if items and answer.get("LastEvaluatedKey") else None)


def _kind_of(sk: str) -> str:
    return sk.split("#", 1)[0]


def needs_forgetting(raw: dict) -> bool:
    """Whether the item still carries anything of the old QBO company."""
    sk = raw["sk"]["S"]
    if sk.startswith(FORGET_PREFIXES):
        return True
    if _kind_of(sk) not in MODEL_BY_PREFIX:
        return False
    if "qbo_id" in raw or "qbo_sync_token" in raw or "sync_pk" in raw or "sync_error" in raw:
        return True
    return "sync_version" in raw and raw.get("synced_version", {}).get("N") != raw["sync_version"]["N"]


def forget_all(account_id: str, raws: list[dict]) -> int:
    """Clear QBO ids, mappings and sync state of these items in transactions of up to 100 (each conditional on the
    item's version, so a concurrent edit is never overwritten: the caller re-reads the page and calls again).
    Answers how many items were changed."""
    bind()
    chosen = [raw for raw in raws if needs_forgetting(raw)]
    for start in range(0, len(chosen), MAX_TRANSACTION):
        with TransactWrite(connection=connection()) as tx:
            for raw in chosen[start:start + MAX_TRANSACTION]:
                _forget_one(tx, account_id, raw)
    return len(chosen)


def _forget_one(tx: TransactWrite, account_id: str, raw: dict) -> None:
    sk = raw["sk"]["S"]
    if sk.startswith(FORGET_PREFIXES):
        tx.delete(CustomerItem(raw["pk"]["S"], sk))  # a key-only handle: deletes whatever item has this key
        return
    item = MODEL_BY_PREFIX[_kind_of(sk)].from_raw_data(raw)
    state = read_state(item)
    state.forget()
    write_state(state, item, account_id=account_id, kind=KIND_BY_PREFIX[_kind_of(sk)], entity_id=sk.split("#", 1)[1])
    tx.save(item)  # the VersionAttribute makes this conditional on the version read



def invoices_paid_by_credits(account_id: str) -> int:
    """How many invoices active credit uses pay (one paged, projected Query of the account's uses): in one-way sync
    that part of each stays open in QBO until two-way sync pushes the uses."""
    invoices: set[str] = set()
    request: dict[str, Any] = dict(
        TableName=config.table_name(), KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
        FilterExpression="attribute_not_exists(voided_at) AND (attribute_not_exists(from_qbo) OR from_qbo = :no)",
        ProjectionExpression="invoice_id",
        ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}, ":p": {"S": "USE#"}, ":no": {"BOOL": False}})
    while True:
        answer = dynamodb_client().query(**request)
        invoices.update(item["invoice_id"]["S"] for item in answer["Items"])
        if "LastEvaluatedKey" not in answer:
            return len(invoices)
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def qbo_id_of(account_id: str, kind: str, object_id: str | None) -> str | None:
    """One object's QBO id (a projected read of its item), None when it has none or does not exist."""
    if not object_id:
        return None
    bind()
    prefix = PREFIX_BY_KIND[kind]
    model = MODEL_BY_PREFIX[prefix]
    try:
        return model.get(account_pk(account_id), f"{prefix}#{object_id}", attributes_to_get=["qbo_id"]).qbo_id
    except model.DoesNotExist:
        return None
