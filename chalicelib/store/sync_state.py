"""A domain object's SyncState on its item, and the sparse pending-sync index (gsi4) that lists what to push."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .. import config
from ..domain.sync import SyncState
from .ids import utc_now
from .models import CreditItem, PendingSync, SyncedItem, account_pk
from .tables import bind, dynamodb_client


def pending_pk(account_id: str) -> str:
    return f"{account_pk(account_id)}#SYNC"


def read_state(item: SyncedItem) -> SyncState:
    return SyncState(qbo_id=item.qbo_id, sync_token=item.qbo_sync_token, version=int(item.sync_version or 0),
                     synced_version=int(item.synced_version or 0), error_code=item.sync_error_code,
                     error=item.sync_error, attempts=int(item.sync_attempts or 0))


def write_state(state: SyncState, item: SyncedItem, *, account_id: str, kind: str, entity_id: str) -> None:
    """Copy the state onto the item; it stays in the pending index while it waits for a push or is parked.

    Its place in the index is the time it first became pending, so the oldest change is pushed first.
    """
    item.qbo_id, item.qbo_sync_token = state.qbo_id, state.sync_token
    item.sync_version, item.synced_version = state.version, state.synced_version
    if state.error and (item.sync_error != state.error or int(item.sync_attempts or 0) != state.attempts):
        item.sync_failed_at = utc_now()  # parked (again) now: the automatic retry waits retry_delay from here
    elif not state.error:
        item.sync_failed_at = None
    item.sync_error_code, item.sync_error, item.sync_attempts = state.error_code, state.error, state.attempts
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
    """An object a push refused for good, as the status panel lists it (its human number: a customer's name)."""

    kind: str
    object_id: str
    number: str | None
    code: str | None
    message: str
    at: str | None
    attempts: int


@dataclass(frozen=True)
class SyncOverview:
    """What the account's pending index holds: how many objects wait for a push, and those parked with an error."""

    pending: int
    parked: list[ParkedObject]


# what the panel shows of a parked object; `number` (credits, invoices, payments) or `name` (customers) names it
PANEL_ATTRIBUTES = ("sync_sk", "sync_error", "sync_error_code", "sync_failed_at", "sync_attempts", "number", "name")


def sync_overview(account_id: str, page_size: int | None = None) -> SyncOverview:
    """One Query of the account's partition of the sparse gsi4, paged (by DynamoDB's 1 MB unless `page_size`) and
    projected: synced and never-synced objects are not in that index, so the account's size costs nothing."""
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
            if "sync_error" not in text:
                pending += 1
                continue
            _, kind, object_id = parse_sync_sk(text["sync_sk"])
            parked.append(ParkedObject(kind, object_id, text.get("number") or text.get("name"),
                                       text.get("sync_error_code"), text["sync_error"], text.get("sync_failed_at"),
                                       int(raw.get("sync_attempts", {}).get("N", "0"))))
        if "LastEvaluatedKey" not in answer:
            return SyncOverview(pending, parked)
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


@dataclass(frozen=True)
class PendingObject:
    kind: str
    object_id: str
    parked: bool  # failed permanently: waits for a retry, not pushed again on its own


def pending_objects(account_id: str, limit: int = 500) -> list[PendingObject]:
    """What the account still has to push (and what is parked with an error), oldest change first."""
    bind()
    items = CreditItem.pending_sync.query(pending_pk(account_id), limit=limit,
                                          attributes_to_get=["sync_sk", "sync_error"])
    found = []
    for item in items:
        _, kind, object_id = parse_sync_sk(item.sync_sk)
        found.append(PendingObject(kind, object_id, bool(item.sync_error)))
    return found


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


def account_of_pending_pk(sync_pk: str) -> str:
    """`A#<account>#SYNC` back to the account id."""
    return sync_pk[len(account_pk("")):-len("#SYNC")]


def all_waiting(page_size: int = 500) -> Iterator[WaitingObject]:
    """Every object of every account waiting for a push or parked: a Scan of the sparse gsi4 reads only those."""
    bind()
    for item in CreditItem.pending_sync.scan(page_size=page_size, attributes_to_get=[
            "sync_pk", "sync_sk", "sync_version", "sync_error", "sync_attempts", "sync_failed_at"]):
        pending_since, kind, object_id = parse_sync_sk(item.sync_sk)
        yield WaitingObject(account_of_pending_pk(item.sync_pk), kind, object_id, pending_since,
                            int(item.sync_version or 0), bool(item.sync_error), int(item.sync_attempts or 0),
                            item.sync_failed_at)
