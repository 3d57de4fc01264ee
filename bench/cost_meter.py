"""What bench/cost.py counts, per Lambda function: invocations and their measured duration, DynamoDB requests and
their read/write request units, SQS requests, and the bytes each invocation logs.

DynamoDB request units (on-demand bills RRU and WRU):
- reads (GetItem, BatchGetItem, Query, Scan, TransactGetItems): the ConsumedCapacity DynamoDB Local returns (PynamoDB
  asks for it on every call; the hook asks on the others). Checked against AWS's rules: 1 RRU per 4 KB strongly
  consistent, half eventually consistent, 2 per 4 KB in a transaction, Query/Scan summed over the items read.
- writes: *estimated from item sizes*, because DynamoDB Local's TransactWriteItems figure is not AWS's (one 100-byte
  Put in a transaction reports 4 WCU; AWS bills 2). Each written item is read (by a client the meter does not count)
  before and after the call: 1 WRU per started KB of the larger image, 2 in a transaction (a ConditionCheck too),
  plus, per GSI the item is in, 1 WRU per KB of the item (all indexes project ALL), 2 writes when its key moved.
  A write DynamoDB refuses (a failed condition) is billed too, at the item's size.
"""
from __future__ import annotations

import math
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
# key attributes of each GSI (deploy/resources.json; chalicelib/store/tables.py)
INDEXES = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("open_pk", "open_sk"), "gsi3": ("gsi3pk", "gsi3sk"),
           "gsi4": ("sync_pk", "sync_sk")}
LAMBDA_LOG_BYTES = 3 * 26 + 330  # START, END and REPORT: the lines Lambda writes itself per invocation
LOG_EVENT_OVERHEAD = 26  # CloudWatch Logs bills 26 bytes per log event on top of its text


def value_bytes(value: dict) -> float:
    """DynamoDB's size of one attribute value (AWS's item size rules; numbers: digits / 2 + 1)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return math.ceil(len(inner.strip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(value_bytes(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_bytes(v) + 1 for k, v in inner.items())
    if kind in ("SS", "BS"):
        return sum(len(v.encode() if isinstance(v, str) else v) for v in inner)
    if kind == "NS":
        return sum(value_bytes({"N": v}) for v in inner)
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_bytes(item: dict | None) -> float:
    return sum(len(name.encode()) + value_bytes(value) for name, value in (item or {}).items())


def write_units(before: dict | None, after: dict | None, *, transactional: bool) -> tuple[float, float]:
    """(table WRU, GSI WRU) of one item written from `before` to `after` (either may be None)."""
    kb = max(1, math.ceil(max(item_bytes(before), item_bytes(after)) / 1024))
    table = kb * (2 if transactional else 1)
    if before == after:  # a ConditionCheck, or a Put of the same image: no index changes
        return table, 0.0
    gsi = 0.0
    for hash_key, range_key in INDEXES.values():
        old = (before or {}).get(hash_key), (before or {}).get(range_key)
        new = (after or {}).get(hash_key), (after or {}).get(range_key)
        old_in, new_in = all(old), all(new)
        if new_in:
            gsi += max(1, math.ceil(item_bytes(after) / 1024))
        if old_in and (not new_in or old != new):
            gsi += max(1, math.ceil(item_bytes(before) / 1024))
    return table, gsi


@dataclass
class FunctionUse:
    """One function's share of what was counted."""

    invocations: int = 0
    durations: list[float] = field(default_factory=list)  # wall seconds of each invocation
    cpu: list[float] = field(default_factory=list)  # this thread's CPU seconds of each invocation
    log_bytes: int = 0
    dynamodb: Counter = field(default_factory=Counter)  # requests by API
    rru: float = 0.0
    wru: float = 0.0
    local_wcu: float = 0.0  # DynamoDB Local's own figure for the non-transactional writes (a cross-check)
    local_wcu_estimated: float = 0.0  # our estimate for the same writes
    sqs: Counter = field(default_factory=Counter)  # requests by API
    each: list[dict] = field(default_factory=list)  # per invocation: rru, wru, dynamodb (requests), wall, cpu


class _CountingSink:
    """Stands in for sys.stdout during an invocation: counts the bytes the function logs, keeps none."""

    def __init__(self) -> None:
        self.bytes = self.lines = 0

    def write(self, text: str) -> int:
        self.bytes += len(text.encode())
        self.lines += text.count("\n")
        return len(text)

    def flush(self) -> None:
        pass


class Meter:
    """Hooks on the service's DynamoDB and SQS clients; `invocation(name)` attributes what happens to a function."""

    def __init__(self) -> None:
        self.use: dict[str, FunctionUse] = defaultdict(FunctionUse)
        self.current = "setup"
        self.writes = 0  # DynamoDB write requests so far (the driver waits for stream records after one)
        self._written: list[tuple[str, dict, dict | None]] = []  # the write in flight: (table, key, image before)
        self._raw = None

    # --- wiring ---------------------------------------------------------------------------------------------------
    def attach(self) -> "Meter":
        from chalicelib.store.tables import connection
        from chalicelib.workers.queue import sqs_client

        dynamodb = connection().client
        dynamodb.meta.events.register("provide-client-params.dynamodb.*", self._ask_capacity)
        dynamodb.meta.events.register("before-parameter-build.dynamodb.*", self._before_dynamodb)
        dynamodb.meta.events.register("after-call.dynamodb.*", self._after_dynamodb)
        sqs_client().meta.events.register("after-call.sqs.*", self._after_sqs)
        self._raw = _uncounted_client()
        return self

    @contextmanager
    def invocation(self, name: str) -> Iterator[FunctionUse]:
        """One Lambda invocation of `name`: its wall time, its log bytes, and what it calls."""
        use, previous, stdout = self.use[name], self.current, sys.stdout
        sink = _CountingSink()
        self.current, sys.stdout = name, sink
        started, started_cpu = time.perf_counter(), time.thread_time()
        counted = use.rru, use.wru, sum(use.dynamodb.values())
        try:
            yield use
        finally:
            use.durations.append(time.perf_counter() - started)
            use.cpu.append(time.thread_time() - started_cpu)
            use.each.append({"rru": use.rru - counted[0], "wru": use.wru - counted[1],
                             "dynamodb": sum(use.dynamodb.values()) - counted[2], "wall": use.durations[-1],
                             "cpu": use.cpu[-1]})
            sys.stdout, self.current = stdout, previous
            use.invocations += 1
            use.log_bytes += sink.bytes + sink.lines * LOG_EVENT_OVERHEAD + LAMBDA_LOG_BYTES

    @contextmanager
    def attributed(self, name: str) -> Iterator[None]:
        """Calls made on a function's behalf outside its invocations (the event source mapping's SQS requests)."""
        previous, self.current = self.current, name
        try:
            yield
        finally:
            self.current = previous

    def reset(self) -> dict[str, FunctionUse]:
        """Start counting afresh; answers what was counted so far."""
        counted, self.use = self.use, defaultdict(FunctionUse)
        return counted

    # --- DynamoDB ---------------------------------------------------------------------------------------------------
    def _ask_capacity(self, params: dict, model: Any, **_: Any) -> None:
        if model.name in READS | WRITES and "ReturnConsumedCapacity" in model.input_shape.members:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _before_dynamodb(self, model: Any, params: dict, **_: Any) -> None:
        if model.name in WRITES:
            self.writes += 1
            self._written = [(table, key, self._image(table, key)) for table, key, _ in _written_keys(model.name, params)]

    def _after_dynamodb(self, model: Any, parsed: dict, context: Any = None, **_: Any) -> None:
        use = self.use[self.current]
        use.dynamodb[model.name] += 1
        if model.name in READS:
            use.rru += _capacity(parsed.get("ConsumedCapacity"))
            return
        if model.name not in WRITES:
            return
        failed = "Error" in parsed
        transactional = model.name == "TransactWriteItems"
        written, self._written, units = self._written, [], 0.0
        for table, key, before in written:
            after = before if failed else self._image(table, key)
            table_units, gsi_units = write_units(before, after, transactional=transactional)
            units += table_units + (0 if failed else gsi_units)
        use.wru += units
        if not transactional and not failed:
            use.local_wcu += _capacity(parsed.get("ConsumedCapacity"))
            use.local_wcu_estimated += units

    def _image(self, table: str, key: dict) -> dict | None:
        return self._raw.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    # --- SQS ------------------------------------------------------------------------------------------------------------
    def _after_sqs(self, model: Any, parsed: dict, **_: Any) -> None:
        if model.name == "ReceiveMessage" and not parsed.get("Messages"):
            return  # an empty poll: the event source mapping's idle polling is priced as a fixed cost
        self.use[self.current].sqs[model.name] += 1


def _capacity(consumed: Any) -> float:
    entries = consumed if isinstance(consumed, list) else [consumed] if consumed else []
    return float(sum(Decimal(str(e.get("CapacityUnits", 0))) for e in entries))


def _key_of(table: str, item: dict) -> dict:
    return {"pk": item["pk"], "sk": item["sk"]}


def _written_keys(operation: str, params: dict) -> list[tuple[str, dict, str]]:
    """(table, key, action) of every item a write request touches."""
    if operation == "PutItem":
        return [(params["TableName"], _key_of(params["TableName"], params["Item"]), "Put")]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(params["TableName"], params["Key"], operation)]
    if operation == "BatchWriteItem":
        return [(table, _key_of(table, r["PutRequest"]["Item"]) if "PutRequest" in r else r["DeleteRequest"]["Key"],
                 "Put" if "PutRequest" in r else "Delete")
                for table, requests in params["RequestItems"].items() for r in requests]
    keys = []
    for entry in params["TransactItems"]:
        (action, body), = entry.items()
        key = _key_of(body["TableName"], body["Item"]) if action == "Put" else body["Key"]
        keys.append((body["TableName"], key, action))
    return keys


def _uncounted_client():
    """A DynamoDB client of its own for the meter's reads (not the service's: they are not the service's cost)."""
    import botocore.session

    from chalicelib import config

    return botocore.session.get_session().create_client(
        "dynamodb", endpoint_url=config.dynamodb_endpoint(), region_name=config.aws_region(),
        aws_access_key_id="local", aws_secret_access_key="local")
