"""QBO connections in the single table: the tokens, the account's connection state and the realm → account mapping.

pk = "A#<account_id>", sk = "QBO#CONNECTION" holds the tokens, sealed with an envelope key (store/sealing.py): a
scan of the table shows no token. pk = "REALM#<realm>" names the account a company belongs to (webhooks and sweeps
name only realms). The connection owns all three (DESIGN §7): only `establish` (the consent callback) and
`disconnect` write them, each in one transaction, so the account never reads connected without tokens or a mapping,
and one realm belongs to one account. Token refreshes (`rotate`) are conditional on the version read, so two
workers refreshing at once cannot both win and the newest refresh token is never lost.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.connection import Connection, LifecycleBusy
from ..domain.errors import Conflict
from ..domain.sync import ConnectionState
from ..ports.tokens import QboConnection, TokenConflictError
from .ids import new_id, parse_utc
from .jobs import ACTIVE_SK
from .models import AccountItem, ActiveJobItem, JobItem, QboConnectionItem, RealmItem, RevocationItem, account_pk
from .sealing import Sealed, open_sealed, seal
from .tables import bind, connection

SK_CONNECTION = "QBO#CONNECTION"
REVOKE_PREFIX = "QBO#REVOKE#"
REALM_SK = "REALM"
HARD_DISCONNECT = "hard_disconnect"
REVOCATION_TTL_SECONDS = 101 * 86400  # a refresh token Intuit never revoked dies on its own by then


class ConnectionChanged(Conflict):
    """The account's connection changed between the read and the write (two connects or disconnects at once)."""

    code = "connection_changed"


class RealmInUse(Conflict):
    """The QuickBooks company is connected to another account: one company, one account (DESIGN §7)."""

    code = "realm_in_use"


@dataclass(frozen=True)
class NewTokens:
    """What a code exchange gave: the tokens and when the access token expires."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime


@dataclass(frozen=True)
class PendingRevocation:
    """Tokens a disconnect dropped that Intuit has not confirmed revoked yet."""

    account_id: str
    revocation_id: str
    refresh_token: str


def realm_pk(realm_id: str) -> str:
    """The one key not under an account: a webhook names only the realm, so the realm leads to the account."""
    return f"REALM#{realm_id}"


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(account_id: str) -> dict[str, str]:
    return {"purpose": "qbo-tokens", "account_id": account_id}


def _sealed(account_id: str, access_token: str, refresh_token: str) -> Sealed:
    return seal(json.dumps({"access": access_token, "refresh": refresh_token}).encode(), _context(account_id))


def _opened(account_id: str, sealed: Sealed) -> dict[str, str]:
    return json.loads(open_sealed(sealed, _context(account_id)))


def _seal_tokens(item: QboConnectionItem, account_id: str, access_token: str, refresh_token: str) -> None:
    sealed = _sealed(account_id, access_token, refresh_token)
    item.sealed_tokens, item.data_key, item.key_source = sealed.ciphertext, sealed.wrapped_key, sealed.key_source
    item.access_token = item.refresh_token = None  # an item from before sealing loses its plain tokens here


def _connection(account_id: str, item: QboConnectionItem) -> QboConnection:
    if item.sealed_tokens:
        tokens = _opened(account_id, Sealed(item.sealed_tokens, item.data_key, item.key_source))
        access, refresh = tokens["access"], tokens["refresh"]
    else:
        access, refresh = item.access_token, item.refresh_token
    return QboConnection(account_id, item.realm_id, access, refresh, parse_utc(item.access_expires_at), int(item.version))


def _token_item(account_id: str) -> QboConnectionItem | None:
    bind()
    try:
        return QboConnectionItem.get(account_pk(account_id), SK_CONNECTION, consistent_read=True)
    except QboConnectionItem.DoesNotExist:
        return None


class DynamoTokenStore:
    """The TokenStore of deployed code: the configured table and endpoint, the shared PynamoDB connection."""

    def get(self, account_id: str) -> QboConnection | None:
        """Strongly consistent read of the connection."""
        item = _token_item(account_id)
        return None if item is None else _connection(account_id, item)

    def rotate(self, current: QboConnection, access_token: str, refresh_token: str,
               access_expires_at: datetime) -> QboConnection:
        """Replace the tokens only if nobody rotated (or dropped) them since `current` was read."""
        item = QboConnectionItem(account_pk(current.account_id), SK_CONNECTION, realm_id=current.realm_id,
                                 version=current.version)
        _seal_tokens(item, current.account_id, access_token, refresh_token)
        item.access_expires_at = _iso(access_expires_at)
        bind()
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise TokenConflictError("QBO connection changed concurrently") from error
            raise
        return _connection(current.account_id, item)


def _as_read(account: AccountItem):
    """The condition that the account's connection is still what was read (its other fields may move freely:
    settings, the sync's stamps)."""
    realm = AccountItem.qbo_realm_id.does_not_exist() if not account.qbo_realm_id else (
        AccountItem.qbo_realm_id == account.qbo_realm_id)
    state = account.qbo_state or ConnectionState.NONE.value
    same_state = AccountItem.qbo_state == state
    if state == ConnectionState.NONE.value:
        same_state = same_state | AccountItem.qbo_state.does_not_exist()
    return same_state & realm


def establish(account: AccountItem, target: Connection, tokens: NewTokens) -> QboConnection:
    """The consent callback's one transaction: tokens, the account's connection state and the realm mapping.

    Conditional on the account's connection as read, on no hard disconnect clearing the account, and on the realm
    being unmapped or mapped to this account (else RealmInUse). A concurrent settings change does not conflict."""
    account_id = account.pk.removeprefix("A#")
    item = _token_item(account_id)
    tx_item = item or QboConnectionItem(account_pk(account_id), SK_CONNECTION)
    sealed = _sealed(account_id, tokens.access_token, tokens.refresh_token)
    token_actions = [QboConnectionItem.realm_id.set(target.realm_id),
                     QboConnectionItem.sealed_tokens.set(sealed.ciphertext),
                     QboConnectionItem.data_key.set(sealed.wrapped_key),
                     QboConnectionItem.key_source.set(sealed.key_source),
                     QboConnectionItem.access_expires_at.set(_iso(tokens.access_expires_at)),
                     QboConnectionItem.access_token.remove(), QboConnectionItem.refresh_token.remove()]
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.condition_check(ActiveJobItem, account.pk, ACTIVE_SK,
                               condition=ActiveJobItem.pk.does_not_exist() | (ActiveJobItem.kind != HARD_DISCONNECT))
            tx.save(RealmItem(realm_pk(target.realm_id), REALM_SK, account_id=account_id),
                    condition=RealmItem.pk.does_not_exist() | (RealmItem.account_id == account_id))
            tx.update(tx_item, actions=token_actions, add_version_condition=False)
            tx.update(account, actions=[AccountItem.qbo_state.set(target.state.value),
                                        AccountItem.qbo_realm_id.set(target.realm_id)],
                      condition=_as_read(account), add_version_condition=False)
    except TransactWriteError as error:
        reasons = [r.code if r else None for r in (error.cancellation_reasons or [])]
        if reasons[:1] == ["ConditionalCheckFailed"]:
            raise LifecycleBusy("a hard disconnect is still clearing this account; connect when it is done") from None
        if reasons[1:2] == ["ConditionalCheckFailed"]:
            raise RealmInUse("this QuickBooks company is connected to another account",
                             details={"realm_id": target.realm_id}) from None
        raise ConnectionChanged("the connection changed meanwhile; try again") from error
    return QboConnection(account_id, target.realm_id, tokens.access_token, tokens.refresh_token,
                         tokens.access_expires_at, int(item.version) + 1 if item is not None else 1)


def realm_holder(realm_id: str) -> str | None:
    """The account a QBO company is mapped to, or None for a realm we do not know (one consistent key read)."""
    bind()
    try:
        return RealmItem.get(realm_pk(realm_id), REALM_SK, consistent_read=True).account_id
    except RealmItem.DoesNotExist:
        return None


def mapped_realms() -> list[str]:
    """Every realm with a mapping item (the scheduled CDC sweep pulls each); a Scan, run once a minute at most."""
    bind()
    return [item.pk.split("#", 1)[1] for item in RealmItem.scan(RealmItem.sk == REALM_SK, attributes_to_get=["pk"])]


def disconnect(account: AccountItem, target: Connection, job: JobItem | None = None) -> PendingRevocation | None:
    """Drop the tokens and record `target` on the account in one transaction; a hard disconnect also removes the
    realm mapping and starts its clearing `job` in the account's job slot.

    The dropped tokens move, sealed, into a revocation item of the same transaction: after the commit the caller
    revokes them at Intuit and then forgets them (`revoked`); a revoke that fails stays recorded and is retried.
    Conditional on the connection as read and on the tokens as read: a race is ConnectionChanged, nothing written."""
    account_id = account.pk.removeprefix("A#")
    item = _token_item(account_id)
    pending = None
    actions = [AccountItem.qbo_state.set(target.state.value)]
    actions.append(AccountItem.qbo_realm_id.set(target.realm_id) if target.realm_id
                   else AccountItem.qbo_realm_id.remove())
    if target.state is ConnectionState.NONE:
        actions.append(AccountItem.qbo_item_id.remove())  # the old company's Item means nothing in the next one
    try:
        with TransactWrite(connection=connection()) as tx:
            if item is not None:
                current = _connection(account_id, item)
                pending = PendingRevocation(account_id, new_id(), current.refresh_token)
                tx.delete(item)
                tx.save(_revocation_item(pending, current), condition=RevocationItem.pk.does_not_exist())
            if target.state is ConnectionState.NONE and account.qbo_realm_id:
                tx.delete(RealmItem(realm_pk(account.qbo_realm_id), REALM_SK),
                          condition=RealmItem.pk.does_not_exist() | (RealmItem.account_id == account_id))
            if job is not None:
                tx.save(ActiveJobItem(account.pk, ACTIVE_SK, job_id=job.id, kind=job.kind),
                        condition=ActiveJobItem.pk.does_not_exist())
                tx.save(job)
            tx.update(account, actions=actions, condition=_as_read(account), add_version_condition=False)
    except TransactWriteError as error:
        raise ConnectionChanged("the connection changed meanwhile; try again") from error
    return pending


def _revocation_item(pending: PendingRevocation, current: QboConnection) -> RevocationItem:
    sealed = _sealed(pending.account_id, current.access_token, current.refresh_token)
    return RevocationItem(account_pk(pending.account_id), REVOKE_PREFIX + pending.revocation_id,
                          realm_id=current.realm_id, sealed_tokens=sealed.ciphertext, data_key=sealed.wrapped_key,
                          key_source=sealed.key_source, attempts=0,
                          expiration=int(time.time()) + REVOCATION_TTL_SECONDS)


def pending_revocations(account_id: str) -> list[PendingRevocation]:
    """Tokens of this account a disconnect dropped whose revocation Intuit has not confirmed yet."""
    bind()
    found = []
    for item in RevocationItem.query(account_pk(account_id), RevocationItem.sk.startswith(REVOKE_PREFIX),
                                     consistent_read=True):
        tokens = _opened(account_id, Sealed(item.sealed_tokens, item.data_key, item.key_source))
        found.append(PendingRevocation(account_id, item.sk.removeprefix(REVOKE_PREFIX), tokens["refresh"]))
    return found


def revoked(pending: PendingRevocation) -> None:
    """Intuit revoked them: forget the tokens for good (already gone is fine)."""
    bind()
    try:
        RevocationItem(account_pk(pending.account_id), REVOKE_PREFIX + pending.revocation_id).delete()
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def revoke_failed(pending: PendingRevocation) -> None:
    """Count a failed revoke (kept for the next try)."""
    bind()
    item = RevocationItem(account_pk(pending.account_id), REVOKE_PREFIX + pending.revocation_id)
    try:
        item.update(actions=[RevocationItem.attempts.add(1)], condition=RevocationItem.pk.exists())
    except Exception as error:  # an UpdateError: already revoked by another try
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise

