"""QBO connections in the single table, behind the client layer's TokenStore protocol.

pk = "A#<account_id>", sk = "QBO#CONNECTION". Every write is conditional on the stored version (or on there being
none yet), so two workers refreshing at once cannot both win and the newest refresh token is never lost.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pynamodb.exceptions import PutError

from ..qbo.tokens import QboConnection, TokenConflictError
from .models import QboConnectionItem, account_pk
from .tables import bind

SK_CONNECTION = "QBO#CONNECTION"


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _connection(account_id: str, item: QboConnectionItem) -> QboConnection:
    return QboConnection(account_id, item.realm_id, item.access_token, item.refresh_token,
                         _parse(item.access_expires_at), int(item.version))


class DynamoTokenStore:
    """The TokenStore of deployed code: the configured table and endpoint, the shared PynamoDB connection."""

    def get(self, account_id: str) -> QboConnection | None:
        """Strongly consistent read of the connection."""
        item = self._item(account_id)
        return None if item is None else _connection(account_id, item)

    def connect(self, account_id: str, realm_id: str, access_token: str, refresh_token: str,
                access_expires_at: datetime) -> QboConnection:
        """Store a new (or replacement) connection after the OAuth consent flow."""
        item = self._item(account_id) or QboConnectionItem(account_pk(account_id), SK_CONNECTION)
        item.realm_id = realm_id
        return self._save(account_id, item, access_token, refresh_token, access_expires_at)

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Replace the tokens only if nobody rotated them since `current` was read."""
        item = QboConnectionItem(account_pk(current.account_id), SK_CONNECTION, realm_id=current.realm_id,
                                 version=current.version)
        return self._save(current.account_id, item, access_token, refresh_token, access_expires_at)

    @staticmethod
    def _item(account_id: str) -> QboConnectionItem | None:
        bind()
        try:
            return QboConnectionItem.get(account_pk(account_id), SK_CONNECTION, consistent_read=True)
        except QboConnectionItem.DoesNotExist:
            return None

    @staticmethod
    def _save(account_id: str, item: QboConnectionItem, access_token: str, refresh_token: str,
              access_expires_at: datetime) -> QboConnection:
        """Write under the version condition (VersionAttribute: attribute_not_exists, or the version read)."""
        item.access_token, item.refresh_token = access_token, refresh_token
        item.access_expires_at = _iso(access_expires_at)
        bind()
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise TokenConflictError("QBO connection changed concurrently") from error
            raise
        return _connection(account_id, item)
