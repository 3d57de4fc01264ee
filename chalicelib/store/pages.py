"""One page of a list, read from a key range of the table or of an index: never a Scan, a bounded number of requests.

The cursor is the sort key to continue after; a forged one can only move inside the caller's own partition.
A status filter is a FilterExpression over that key range: a page then reads at most MAX_REQUESTS_PER_PAGE
requests of FILTERED_BATCH items and may come back short, with a cursor to go on from (like DynamoDB itself).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import config
from ..domain.errors import InvalidInput
from .tables import bind, dynamodb_client

MAX_REQUESTS_PER_PAGE = 4
FILTERED_BATCH = 100
TOP = "\U0010ffff"  # sorts after every other character in DynamoDB's UTF-8 byte order
KEYS = {None: ("pk", "sk"), "gsi1": ("gsi1pk", "gsi1sk"), "gsi3": ("gsi3pk", "gsi3sk")}


@dataclass(frozen=True)
class RawPage:
    items: list[dict]
    next_position: str | None
    requests: int


def query_page(*, pk: str, index: str | None, prefix: str, limit: int, after: str | None = None,
               equals: dict[str, str] | None = None, not_equals: dict[str, str] | None = None) -> RawPage:
    """Items whose sort key starts with prefix, in key order, after position `after`, filtered by attribute values."""
    bind()
    hash_name, range_name = KEYS[index]
    if after is not None and not after.startswith(prefix):
        raise InvalidInput("the cursor belongs to another list", details={"cursor": "does not match the filters"})
    names, values = {"#h": hash_name}, {":h": {"S": pk}}
    condition = "#h = :h"
    if after is not None:
        names["#r"], values[":low"], values[":high"] = range_name, {"S": after + "\x00"}, {"S": prefix + TOP}
        condition += " AND #r BETWEEN :low AND :high"
    elif prefix:
        names["#r"], values[":prefix"] = range_name, {"S": prefix}
        condition += " AND begins_with(#r, :prefix)"
    filters = []
    for n, (attribute, value) in enumerate((equals or {}).items()):
        names[f"#f{n}"], values[f":f{n}"] = attribute, {"S": value}
        filters.append(f"#f{n} = :f{n}")
    for n, (attribute, value) in enumerate((not_equals or {}).items()):
        names[f"#n{n}"], values[f":n{n}"] = attribute, {"S": value}
        filters.append(f"#n{n} <> :n{n}")
    request = {"TableName": config.table_name(), "KeyConditionExpression": condition,
               "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
               "Limit": FILTERED_BATCH if filters else limit + 1}
    if index:
        request["IndexName"] = index
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    found: list[dict] = []
    requests = 0
    while True:
        answer = dynamodb_client().query(**request)
        requests += 1
        for raw in answer["Items"]:
            if len(found) == limit:
                return RawPage(found, found[-1][range_name]["S"], requests)
            found.append(raw)
        last = answer.get("LastEvaluatedKey")
        if not last:
            return RawPage(found, None, requests)
        if requests >= MAX_REQUESTS_PER_PAGE:
            return RawPage(found, last[range_name]["S"], requests)
        request["ExclusiveStartKey"] = last
