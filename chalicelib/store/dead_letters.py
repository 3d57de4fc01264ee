"""Sync messages of an account that reached the dead-letter queue, kept on the account item (`qbo_dead_letters`, a
map by hint) so the status panel shows them without another read; the next success of the same hint removes its
entry."""
from __future__ import annotations

from .. import config
from .models import AccountItem, account_pk
from .tables import dynamodb_client

ACCOUNT_SK = "ACCOUNT"


def _key(account_id: str) -> dict:
    return {"pk": {"S": account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}}


def record(account_id: str, hint_id: str, *, at: str, receives: int, message: str) -> None:
    """Note that the message of `hint_id` ("push:<account>", "job:<id>", ...) went to the dead-letter queue."""
    client = dynamodb_client()
    entry = {"M": {"at": {"S": at}, "receives": {"N": str(receives)}, "message": {"S": message[:500]}}}
    try:
        client.update_item(TableName=config.table_name(), Key=_key(account_id),
                           UpdateExpression="SET qbo_dead_letters = if_not_exists(qbo_dead_letters, :none)",
                           ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":none": {"M": {}}})
        client.update_item(TableName=config.table_name(), Key=_key(account_id),
                           UpdateExpression="SET qbo_dead_letters.#hint = :entry ADD version :one",
                           ExpressionAttributeNames={"#hint": hint_id},
                           ExpressionAttributeValues={":entry": entry, ":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass  # the account is gone: nothing to show it to


def clear(account: AccountItem, hint_id: str) -> None:
    """The hint worked again (redriven, or a later message of it): its dead letter leaves the panel. Costs nothing
    when the account item, read already, shows none."""
    if hint_id not in _entries(account):
        return
    client = dynamodb_client()
    try:
        client.update_item(TableName=config.table_name(), Key=_key(account.pk.removeprefix("A#")),
                           UpdateExpression="REMOVE qbo_dead_letters.#hint ADD version :one",
                           ConditionExpression="attribute_exists(qbo_dead_letters.#hint)",
                           ExpressionAttributeNames={"#hint": hint_id}, ExpressionAttributeValues={":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass


def entries(account: AccountItem) -> list[dict]:
    """The account's dead letters, oldest first: {hint, at, receives, message}."""
    found = [{"hint": hint, **entry, "receives": int(entry.get("receives", 0))}
             for hint, entry in _entries(account).items()]
    return sorted(found, key=lambda e: e.get("at", ""))


def _entries(account: AccountItem) -> dict:
    return account.qbo_dead_letters.as_dict() if account.qbo_dead_letters is not None else {}
