"""Accounts, their settings, roles, users, customers and per-account counters."""
from __future__ import annotations

from dataclasses import dataclass

from .. import config
from ..domain.errors import NotFound
from ..domain.permissions import ADMIN_ROLE_ID, ALL_PERMISSIONS, Permission
from ..domain.settings import AccountSettings
from ..domain.sync import ConnectionState, SyncState
from .models import AccountItem, CustomerItem, RoleItem, UserItem, account_pk
from .repository import ItemRepository
from .sync_state import read_state
from .synced import SyncedRepository
from .tables import bind, dynamodb_client

ACCOUNT_SK = "ACCOUNT"


@dataclass(frozen=True)
class Membership:
    """What the auth layer needs about a caller, loaded in as few calls as possible."""

    account: AccountItem
    role_id: str | None
    permissions: frozenset[Permission]


def settings_of(account: AccountItem) -> AccountSettings:
    return AccountSettings(credits_enabled=bool(account.credits_enabled), qbo_credit_sync=bool(account.qbo_credit_sync),
                           credit_balance_warning_threshold=_int_or_none(account.credit_balance_warning_threshold))


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def connection_of(account: AccountItem) -> ConnectionState:
    """Whether and how the account is connected to QBO, as its item records it."""
    return ConnectionState(account.qbo_state or ConnectionState.NONE.value)


def open_account(uow, account_id: str, *, name: str, owner_user_id: str, owner_role_id: str, now: str) -> AccountItem:
    """A new account and its owner, written at commit only if neither exists yet."""
    pk = account_pk(account_id)
    account = AccountItem(pk, ACCOUNT_SK, name=name, owner_user_id=owner_user_id, created_at=now)
    uow.put_new(account)
    uow.put_new(UserItem(pk, f"USER#{owner_user_id}", role_id=owner_role_id, updated_at=now))
    return account


def get_account(account_id: str) -> AccountItem:
    bind()
    try:
        return AccountItem.get(account_pk(account_id), ACCOUNT_SK)
    except AccountItem.DoesNotExist:
        raise NotFound("no such account") from None


def load_membership(account_id: str, user_id: str) -> Membership | None:
    """The account and the user's permissions: one BatchGetItem, plus one read for a custom role."""
    bind()
    pk = account_pk(account_id)
    keys = [{"pk": {"S": pk}, "sk": {"S": sk}} for sk in (ACCOUNT_SK, f"USER#{user_id}")]
    request = {config.table_name(): {"Keys": keys, "ConsistentRead": True}}
    items: dict[str, dict] = {}
    while request:
        answer = dynamodb_client().batch_get_item(RequestItems=request)
        items.update({raw["sk"]["S"]: raw for raw in answer["Responses"].get(config.table_name(), [])})
        request = answer.get("UnprocessedKeys") or {}
    if ACCOUNT_SK not in items:
        return None
    account = AccountItem.from_raw_data(items[ACCOUNT_SK])
    user_raw = items.get(f"USER#{user_id}")
    if user_raw is None:
        return Membership(account, None, frozenset())
    role_id = UserItem.from_raw_data(user_raw).role_id
    return Membership(account, role_id, role_permissions(account_id, role_id))


def role_permissions(account_id: str, role_id: str) -> frozenset[Permission]:
    if role_id == ADMIN_ROLE_ID:
        return ALL_PERMISSIONS
    try:
        role = RoleItem.get(account_pk(account_id), f"ROLE#{role_id}")
    except RoleItem.DoesNotExist:
        return frozenset()
    return frozenset(Permission(p) for p in (role.permissions or ()))


def get_customer(account_id: str, customer_id: str) -> CustomerItem:
    bind()
    try:
        return CustomerItem.get(account_pk(account_id), f"CUST#{customer_id}")
    except CustomerItem.DoesNotExist:
        raise NotFound("no such customer", details={"customer_id": customer_id}) from None


class Roles(ItemRepository):
    model, prefix, noun = RoleItem, "ROLE", "role"


class Users(ItemRepository):
    model, prefix, noun = UserItem, "USER", "user"


class Customers(SyncedRepository[CustomerItem]):
    """Customers are their own item; a new one or a new name is pending for QBO when the account syncs.

    The item carries its SyncState as `sync` while this unit of work holds it (written back at commit).
    """

    model, prefix, noun = CustomerItem, "CUST", "customer"

    def from_item(self, item: CustomerItem) -> CustomerItem:
        item.sync = read_state(item)
        return item

    def to_item(self, entity: CustomerItem, item: CustomerItem) -> None:
        self.write_sync(entity, item)

    def id_of(self, entity: CustomerItem) -> str:
        return entity.sk.split("#", 1)[1]

    def new_item(self, entity: CustomerItem) -> CustomerItem:
        self.to_item(entity, entity)
        return entity

    def new(self, customer_id: str, **attributes) -> CustomerItem:
        """A new customer (attributes include its `id`), written at commit only if it does not exist yet."""
        item = self.model(account_pk(self.uow.account_id), self.sk(customer_id), **attributes)
        item.sync = SyncState()
        return self.add(item)

    def qbo_view(self, entity: CustomerItem) -> str:
        """A QBO Customer shows our name (its DisplayName)."""
        return entity.name


def remember_qbo_item(account_id: str, item_id: str) -> None:
    """Keep the QBO Item found for our lines (only if none is set: a configured item wins)."""
    client = dynamodb_client()
    try:
        client.update_item(TableName=config.table_name(),
                           Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}},
                           UpdateExpression="SET qbo_item_id = :item ADD version :one",
                           ConditionExpression="attribute_exists(pk) AND attribute_not_exists(qbo_item_id)",
                           ExpressionAttributeValues={":item": {"S": item_id}, ":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass


def record_push(account_id: str, at: str) -> None:
    """Stamp when a push run last brought something into QBO (status panel); never moves back.

    Written at most once per push run, not per object: one account item written on every push would be a hot key.
    """
    client = dynamodb_client()
    try:
        client.update_item(TableName=config.table_name(),
                           Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}},
                           UpdateExpression="SET qbo_last_push_at = :at ADD version :one",
                           ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(qbo_last_push_at) "
                                               "OR qbo_last_push_at < :at)",
                           ExpressionAttributeValues={":at": {"S": at}, ":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass


def link_customer(account_id: str, customer_id: str, qbo_id: str) -> None:
    """Record the QBO Customer of one of ours; a customer linked already keeps its link.

    The version moves too: a use case that read the customer before keeps no stale copy of its QBO id.
    """
    client = dynamodb_client()
    try:
        client.update_item(TableName=config.table_name(),
                           Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": f"CUST#{customer_id}"}},
                           UpdateExpression="SET qbo_id = :id ADD version :one",
                           ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(qbo_id) "
                                               "OR qbo_id = :id)",
                           ExpressionAttributeValues={":id": {"S": qbo_id}, ":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass


def record_pull(account_id: str, *, watermark: str, pulled_at: str) -> None:
    """Move the account's CDC watermark forward (never back) and stamp when the last change read finished."""
    client = dynamodb_client()
    try:
        client.update_item(TableName=config.table_name(),
                           Key={"pk": {"S": account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}},
                           UpdateExpression="SET qbo_cdc_watermark = :mark, qbo_last_pull_at = :at ADD version :one",
                           ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(qbo_cdc_watermark) "
                                               "OR qbo_cdc_watermark <= :mark)",
                           ExpressionAttributeValues={":mark": {"S": watermark}, ":at": {"S": pulled_at},
                                                      ":one": {"N": "1"}})
    except client.exceptions.ConditionalCheckFailedException:
        pass
