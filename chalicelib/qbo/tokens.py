"""QBO connection tokens in the single DynamoDB table, rotated only by a conditional write on `version`."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Protocol

SK_CONNECTION = "QBO#CONNECTION"


@dataclass(frozen=True)
class QboConnection:
    """One account's link to a QBO company."""

    account_id: str
    realm_id: str
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    version: int


class TokenConflictError(Exception):
    """Someone else wrote the connection first (their tokens are newer)."""


class TokenStore(Protocol):
    """What the client layer needs from token storage."""

    def get(self, account_id: str) -> QboConnection | None: ...

    def connect(self, account_id: str, realm_id: str, access_token: str, refresh_token: str,
                access_expires_at: datetime) -> QboConnection: ...

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection: ...


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class DynamoTokenStore:
    """pk="A#<account_id>", sk="QBO#CONNECTION" in table $CREDITS_TABLE (endpoint $DYNAMODB_ENDPOINT)."""

    def __init__(self, table_name: str | None = None, client: Any = None) -> None:
        self.table_name = table_name or os.environ["CREDITS_TABLE"]
        self._client = client

    @property
    def client(self) -> Any:
        """boto3 low-level DynamoDB client, created on first use."""
        if self._client is None:
            import boto3
            self._client = boto3.client("dynamodb", endpoint_url=os.environ.get("DYNAMODB_ENDPOINT") or None,
                                        region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
        return self._client

    @staticmethod
    def _key(account_id: str) -> dict:
        return {"pk": {"S": f"A#{account_id}"}, "sk": {"S": SK_CONNECTION}}

    def get(self, account_id: str) -> QboConnection | None:
        """Strongly consistent read of the connection."""
        item = self.client.get_item(TableName=self.table_name, Key=self._key(account_id),
                                    ConsistentRead=True).get("Item")
        if not item:
            return None
        return QboConnection(account_id, item["realm_id"]["S"], item["access_token"]["S"],
                             item["refresh_token"]["S"], _parse(item["access_expires_at"]["S"]),
                             int(item["version"]["N"]))

    def connect(self, account_id: str, realm_id: str, access_token: str, refresh_token: str,
                access_expires_at: datetime) -> QboConnection:
        """Store a new (or replacement) connection after the OAuth consent flow."""
        existing = self.get(account_id)
        version = existing.version + 1 if existing else 1
        item = {**self._key(account_id), "realm_id": {"S": realm_id}, "access_token": {"S": access_token},
                "refresh_token": {"S": refresh_token}, "access_expires_at": {"S": _iso(access_expires_at)},
                "version": {"N": str(version)}}
        kwargs: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        if existing:
            kwargs = {"ConditionExpression": "version = :old",
                      "ExpressionAttributeValues": {":old": {"N": str(existing.version)}}}
        self._write(lambda: self.client.put_item(TableName=self.table_name, Item=item, **kwargs))
        return QboConnection(account_id, realm_id, access_token, refresh_token, access_expires_at, version)

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Replace the tokens only if nobody rotated them since `current` was read."""
        self._write(lambda: self.client.update_item(
            TableName=self.table_name, Key=self._key(current.account_id),
            UpdateExpression="SET access_token = :a, refresh_token = :r, access_expires_at = :e, version = :new",
            ConditionExpression="version = :old",
            ExpressionAttributeValues={":a": {"S": access_token}, ":r": {"S": refresh_token},
                                       ":e": {"S": _iso(access_expires_at)},
                                       ":new": {"N": str(current.version + 1)}, ":old": {"N": str(current.version)}}))
        return replace(current, access_token=access_token, refresh_token=refresh_token,
                       access_expires_at=access_expires_at, version=current.version + 1)

    def _write(self, call: Any) -> None:
        try:
            call()
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise TokenConflictError("QBO connection changed concurrently") from exc


class InMemoryTokenStore:
    """Same contract in memory (bench, unit tests of callers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, QboConnection] = {}

    def get(self, account_id: str) -> QboConnection | None:
        """Current connection or None."""
        with self._lock:
            return self._items.get(account_id)

    def connect(self, account_id: str, realm_id: str, access_token: str, refresh_token: str,
                access_expires_at: datetime) -> QboConnection:
        """Store a new connection."""
        with self._lock:
            old = self._items.get(account_id)
            conn = QboConnection(account_id, realm_id, access_token, refresh_token, access_expires_at,
                                 old.version + 1 if old else 1)
            self._items[account_id] = conn
            return conn

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Compare-and-swap on version."""
        with self._lock:
            stored = self._items.get(current.account_id)
            if stored is None or stored.version != current.version:
                raise TokenConflictError("QBO connection changed concurrently")
            conn = replace(current, access_token=access_token, refresh_token=refresh_token,
                           access_expires_at=access_expires_at, version=current.version + 1)
            self._items[current.account_id] = conn
            return conn
