"""QBO connections in the single table, behind the client layer's TokenStore protocol.

pk = "A#<account_id>", sk = "QBO#CONNECTION". Every write is conditional on the stored version (or on there being
none yet), so two workers refreshing at once cannot both win and the newest refresh token is never lost. The tokens
are sealed with an envelope key (store/sealing.py): a scan of the table shows no token.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.connection import Connection, LifecycleBusy
from ..domain.errors import Conflict
from ..domain.sync import ConnectionState
from ..qbo.tokens import QboConnection, TokenConflictError
from .ids import parse_utc
from .models import AccountItem, ActiveJobItem, QboConnectionItem, account_pk
from .sealing import Sealed, open_sealed, seal
from .tables import bind, connection

SK_CONNECTION = "QBO#CONNECTION"
HARD_DISCONNECT = "hard_disconnect"


class ConnectionChanged(Conflict):
    """The account's connection changed between the read and the write (two disconnects at once): a 409."""

    code = "connection_changed"


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(account_id: str) -> dict[str, str]:
    return {"purpose": "qbo-tokens", "account_id": account_id}


def _seal_tokens(item: QboConnectionItem, account_id: str, access_token: str, refresh_token: str) -> None:
    sealed = seal(json.dumps({"access": access_token, "refresh": refresh_token}).encode(), _context(account_id))
    item.sealed_tokens, item.data_key, item.key_source = sealed.ciphertext, sealed.wrapped_key, sealed.key_source
    item.access_token = item.refresh_token = None  # an item from before sealing loses its plain tokens here


def _connection(account_id: str, item: QboConnectionItem) -> QboConnection:
    if item.sealed_tokens:
        tokens = json.loads(open_sealed(Sealed(item.sealed_tokens, item.data_key, item.key_source),
                                        _context(account_id)))
        access, refresh = tokens["access"], tokens["refresh"]
    else:
        access, refresh = item.access_token, item.refresh_token
    return QboConnection(account_id, item.realm_id, access, refresh, parse_utc(item.access_expires_at), int(item.version))


class DynamoTokenStore:
    """The TokenStore of deployed code: the configured table and endpoint, the shared PynamoDB connection."""

    def get(self, account_id: str) -> QboConnection | None:
        """Strongly consistent read of the connection."""
        item = self._item(account_id)
        return None if item is None else _connection(account_id, item)

    def connect(self, account_id: str, realm_id: str, access_token: str, refresh_token: str,
                access_expires_at: datetime) -> QboConnection:
        """Store a new (or replacement) token item (the account's state is `establish`'s job)."""
        item = self._item(account_id) or QboConnectionItem(account_pk(account_id), SK_CONNECTION)
        item.realm_id = realm_id
        return self._save(account_id, item, access_token, refresh_token, access_expires_at)

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Replace the tokens only if nobody rotated them since `current` was read."""
        item = QboConnectionItem(account_pk(current.account_id), SK_CONNECTION, realm_id=current.realm_id,
                                 version=current.version)
        return self._save(current.account_id, item, access_token, refresh_token, access_expires_at)

    def drop(self, account_id: str) -> None:
        """Forget the tokens (after revoking them); dropping what is already gone is fine. A rotation racing the
        delete (its version condition fails) only makes us read and delete again."""
        for _ in range(5):
            item = self._item(account_id)
            if item is None:
                return
            try:
                item.delete()
                return
            except DeleteError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
        raise TokenConflictError("QBO connection kept changing while being dropped")

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
        _seal_tokens(item, account_id, access_token, refresh_token)
        item.access_expires_at = _iso(access_expires_at)
        bind()
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise TokenConflictError("QBO connection changed concurrently") from error
            raise
        return _connection(account_id, item)


def establish(account: AccountItem, target: Connection, access_token: str, refresh_token: str,
              access_expires_at: datetime) -> QboConnection:
    """Tokens and the account's connection state in one transaction, conditional on the account as read and on no
    hard disconnect running (auth computes sync intent from that state, so they must never disagree)."""
    account_id = account.pk.removeprefix("A#")
    bind()
    item = DynamoTokenStore._item(account_id) or QboConnectionItem(account_pk(account_id), SK_CONNECTION)
    item.realm_id = target.realm_id
    _seal_tokens(item, account_id, access_token, refresh_token)
    item.access_expires_at = _iso(access_expires_at)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.condition_check(ActiveJobItem, account.pk, "QBO#JOB#ACTIVE",
                               condition=ActiveJobItem.pk.does_not_exist() | (ActiveJobItem.kind != HARD_DISCONNECT))
            tx.save(item)
            tx.update(account, actions=[AccountItem.qbo_state.set(target.state.value),
                                        AccountItem.qbo_realm_id.set(target.realm_id)])
    except TransactWriteError as error:
        reasons = [r.code if r else None for r in (error.cancellation_reasons or [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise LifecycleBusy("a hard disconnect is still clearing this account; connect when it is done") from None
        raise ConnectionChanged("the connection changed meanwhile") from error
    return _connection(account_id, item)


def set_state(account: AccountItem, target: Connection) -> None:
    """Record a disconnect on the account, conditional on the account as read (its version)."""
    bind()
    actions = [AccountItem.qbo_state.set(target.state.value)]
    actions.append(AccountItem.qbo_realm_id.set(target.realm_id) if target.realm_id
                   else AccountItem.qbo_realm_id.remove())
    if target.state is ConnectionState.NONE:
        actions.append(AccountItem.qbo_item_id.remove())  # the old company's Item means nothing in the next one
    try:
        account.update(actions=actions)
    except Exception as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise ConnectionChanged("the connection changed meanwhile") from error
        raise
