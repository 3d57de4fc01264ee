"""A domain object's SyncState on its item, and the sparse pending-sync index (gsi4) that lists what to push."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import Iterator

from .. import config
from ..domain.sync import SyncState, retry_delay
from .ids import parse_utc, utc_now
from .models import CreditItem, PendingSync, SyncedItem, account_pk
from .tables import bind, dynamodb_client


def pending_pk(account_id: str) -> str:
    return f"{account_pk(account_id)}#SYNC"


def read_state(item: SyncedItem) -> SyncState:
    return SyncState(qbo_id=item.qbo_id, sync_token=item.qbo_sync_token, version=int(item.sync_version or 0),
                     synced_version=int(item.synced_version or 0), error_code=item.sync_error_code,
                     error=item.sync_error, attempts=int(item.sync_attempts or 0),
                     retrying=bool(item.sync_retrying), shown=bool(item.sync_shown), drift=item.sync_drift,
                     pending_since=parse_sync_sk(item.sync_sk)[0] if item.sync_sk else None)


def write_state(state: SyncState, item: SyncedItem, *, account_id: str, kind: str, entity_id: str) -> None:
    """Copy the state onto the item; it stays in the pending index while it waits for a push or has failed.

    Its place in the index is the time it first became pending, so the oldest change is pushed first.
    `sync_failed_at` moves when a failure is recorded (another error, or one more try).
    """
    item.qbo_id, item.qbo_sync_token = state.qbo_id, state.sync_token
    item.sync_version, item.synced_version = state.version, state.synced_version
    if state.error and (item.sync_error != state.error or int(item.sync_attempts or 0) != state.attempts):
        item.sync_failed_at = utc_now()  # parked (again) now: the automatic retry waits retry_delay from here
    elif not state.error:
        item.sync_failed_at = None
    item.sync_error_code, item.sync_error, item.sync_attempts = state.error_code, state.error, state.attempts
    item.sync_retrying, item.sync_shown = state.retrying or None, state.shown or None
    item.sync_drift = state.drift
    item.sync_status = state.status.value
    if state.pending or state.error:
        item.sync_pk = pending_pk(account_id)
        item.sync_sk = item.sync_sk or f"{utc_now()}#{kind}#{entity_id}"
    else:
        item.sync_pk = item.sync_sk = None


def parse_sync_sk(sync_sk: str) -> tuple[str, str, str]:
    """(pending since, kind, object id) of a pending-index key; an id may itself hold a "#" (a use: credit#use)."""
    since, kind, object_id = sync_sk.split("#", 2)
    return since, kind, object_id


@dataclass(frozen=True)
class ParkedObject:
    """An object whose push failed, as the status panel lists it (its human number: a customer's name): refused
    (parked until a retry), or still retried on its own (`retrying`) and failing long enough to be shown."""

    kind: str
    object_id: str
    number: str | None
    code: str | None
    message: str
    at: str | None  # the last attempt
    attempts: int
    retrying: bool = False
    next_retry_at: str | None = None  # when the sweeper tries it again on its own (None: not on its own)


@dataclass(frozen=True)
class SyncOverview:
    """What the account's pending index holds: how many objects wait for a push (failures being retried too), and
    those with an error to show (refused ones, and retried ones shown after 3 tries or 5 minutes)."""

    pending: int
    parked: list[ParkedObject]


# what the panel shows of a failed object; `number` (credits, invoices, payments) or `name` (customers) names it
PANEL_ATTRIBUTES = ("sync_sk", "sync_error", "sync_error_code", "sync_failed_at", "sync_attempts", "sync_retrying",
                    "sync_shown", "number", "name")


def next_retry_at(failed_at: str | None, attempts: int, *, retrying: bool) -> str | None:
    """When the sweeper tries a failed object again on its own (domain.sync.retry_delay from its last failure)."""
    if not failed_at:
        return None
    at = parse_utc(failed_at) + timedelta(seconds=retry_delay(attempts, transient=retrying))
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sync_overview(account_id: str, page_size: int | None = None, kinds: frozenset[str] | None = None) -> SyncOverview:
    """One Query of the account's partition of the sparse gsi4, paged (by DynamoDB's 1 MB unless `page_size`) and
    projected: synced and never-synced objects are not in that index, so the account's size costs nothing. With
    `kinds`, only objects of those kinds count (what the account's mode pushes)."""
    names = {f"#a{n}": attribute for n, attribute in enumerate(PANEL_ATTRIBUTES)}
    request = {"TableName": config.table_name(), "IndexName": PendingSync.Meta.index_name,
               "KeyConditionExpression": "sync_pk = :pk",
               "ExpressionAttributeValues": {":pk": {"S": pending_pk(account_id)}},
               "ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    if page_size:
        request["Limit"] = page_size
    pending, parked = 0, []
    while True:
        answer = dynamodb_client().query(**request)
        for raw in answer["Items"]:
            text = {key: value["S"] for key, value in raw.items() if "S" in value}
            if kinds is not None and parse_sync_sk(text["sync_sk"])[1] not in kinds:
                continue
            retrying = raw.get("sync_retrying", {}).get("BOOL", False)
            if "sync_error" not in text or retrying:
                pending += 1  # waits for a push: a failure still retried on its own does too
            if "sync_error" not in text or (retrying and not raw.get("sync_shown", {}).get("BOOL", False)):
                continue
            _, kind, object_id = parse_sync_sk(text["sync_sk"])
            attempts = int(raw.get("sync_attempts", {}).get("N", "0"))
            parked.append(ParkedObject(kind, object_id, text.get("number") or text.get("name"),
                                       text.get("sync_error_code"), text["sync_error"], text.get("sync_failed_at"),
                                       attempts, retrying,
                                       next_retry_at(text.get("sync_failed_at"), attempts, retrying=retrying)))
        if "LastEvaluatedKey" not in answer:
            return SyncOverview(pending, parked)
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


@dataclass(frozen=True)
class PendingObject:
    kind: str
    object_id: str
    parked: bool  # failed permanently: waits for a retry, not pushed again on its own
    retrying: bool = False  # failed for now: tried again by the next runs


def iter_pending(account_id: str, page_size: int = 100) -> Iterator[PendingObject]:
    """What the account still has to push (and what is parked with an error), oldest change first, read a page at
    a time as the caller goes on (a push run stops after its slice)."""
    bind()
    items = CreditItem.pending_sync.query(pending_pk(account_id), page_size=page_size,
                                          attributes_to_get=["sync_sk", "sync_error", "sync_retrying"])
    for item in items:
        _, kind, object_id = parse_sync_sk(item.sync_sk)
        failed = bool(item.sync_error)
        yield PendingObject(kind, object_id, failed and not item.sync_retrying, failed and bool(item.sync_retrying))


def pending_objects(account_id: str, limit: int = 500) -> list[PendingObject]:
    """The first `limit` entries of the account's pending index (parked ones too), oldest change first."""
    return list(islice(iter_pending(account_id, page_size=min(limit, 1000)), limit))


@dataclass(frozen=True)
class WaitingObject:
    """One entry of the pending index as the sweeper sees it (every account's, not one account's)."""

    account_id: str
    kind: str
    object_id: str
    pending_since: str  # when it first became pending (ISO, UTC)
    version: int
    parked: bool
    attempts: int
    failed_at: str | None
    retrying: bool = False  # failed, and retried on its own


def account_of_pending_pk(sync_pk: str) -> str:
    """`A#<account>#SYNC` back to the account id."""
    return sync_pk[len(account_pk("")):-len("#SYNC")]


def all_waiting(page_size: int = 500) -> Iterator[WaitingObject]:
    """Every object of every account waiting for a push or parked: a Scan of the sparse gsi4 reads only those."""
    bind()
    for item in CreditItem.pending_sync.scan(page_size=page_size, attributes_to_get=[
            "sync_pk", "sync_sk", "sync_version", "sync_error", "sync_attempts", "sync_failed_at", "sync_retrying"]):
        pending_since, kind, object_id = parse_sync_sk(item.sync_sk)
        retrying = bool(item.sync_error) and bool(item.sync_retrying)
        yield WaitingObject(account_of_pending_pk(item.sync_pk), kind, object_id, pending_since,
                            int(item.sync_version or 0), bool(item.sync_error) and not retrying,
                            int(item.sync_attempts or 0), item.sync_failed_at, retrying)


PUSH_LEASE_SK = "SYNC#PUSHLEASE"


def take_push_lease(account_id: str, holder: str, now: int, seconds: int) -> bool:
    """Hold the account's push for `seconds` (epoch `now`); False while another run holds it.

    A batch create is deduplicated by QBO per request, not per object, so two runs creating the same new objects in
    different batches would both create them: one push run per account at a time. A crashed run's lease lapses on
    its own (and its item expires through the table's TTL).
    """
    client = dynamodb_client()
    try:
        client.update_item(
            TableName=config.table_name(), Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": PUSH_LEASE_SK}},
            UpdateExpression="SET holder = :h, lease_until = :until, expiration = :until",
            ConditionExpression="attribute_not_exists(holder) OR lease_until < :now OR holder = :h",
            ExpressionAttributeValues={":h": {"S": holder}, ":until": {"N": str(now + seconds)},
                                       ":now": {"N": str(now)}})
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def release_push_lease(account_id: str, holder: str) -> None:
    """Give the account's push back (only if this run still holds it)."""
    client = dynamodb_client()
    try:
        client.delete_item(TableName=config.table_name(),
                           Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": PUSH_LEASE_SK}},
                           ConditionExpression="holder = :h", ExpressionAttributeValues={":h": {"S": holder}})
    except client.exceptions.ConditionalCheckFailedException:
        pass
