"""QBO connections live in the configured single table under the account's key, sealed, and change only under a
condition: the consent callback stores them, token refreshes rotate them, a disconnect drops them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import config
from chalicelib.qbo.tokens import TokenConflictError
from chalicelib.store.qbo_connections import DynamoTokenStore
from chalicelib.store.tables import dynamodb_client

LATER = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _raw(account_id: str) -> dict:
    return dynamodb_client().get_item(TableName=config.table_name(), ConsistentRead=True,
                                      Key={"pk": {"S": f"A#{account_id}"}, "sk": {"S": "QBO#CONNECTION"}})["Item"]


def test_the_callback_stores_the_connection_sealed_in_the_configured_table_under_the_accounts_key(qbo_account):
    stored = DynamoTokenStore().get(qbo_account.account_id)
    raw = _raw(qbo_account.account_id)
    assert raw["realm_id"]["S"] == qbo_account.realm.realm_id and raw["version"]["N"] == "1"
    assert "refresh_token" not in raw and "access_token" not in raw
    assert stored.refresh_token not in str(raw) and stored.access_token not in str(raw)  # sealed: no token in clear
    assert stored.access_expires_at > datetime.now(timezone.utc) + timedelta(minutes=50)


def test_a_connection_stored_before_sealing_is_read_and_sealed_on_its_next_write(qbo_account):
    account_id = qbo_account.account_id
    # an item as a release before sealing wrote it (the one raw connection write a test makes: see
    # tests/unit/test_connection_writers.py)
    dynamodb_client().put_item(TableName=config.table_name(), Item={
        "pk": {"S": f"A#{account_id}"}, "sk": {"S": "QBO#CONNECTION"}, "realm_id": {"S": "9130001"},
        "access_token": {"S": "old-a"}, "refresh_token": {"S": "old-r"},
        "access_expires_at": {"S": "2030-01-02T03:04:05Z"}, "version": {"N": "4"}})
    store = DynamoTokenStore()
    old = store.get(account_id)
    assert (old.access_token, old.refresh_token, old.version) == ("old-a", "old-r", 4)
    store.rotate(old, "new-a", "new-r", LATER)
    raw = _raw(account_id)
    assert "refresh_token" not in raw and "new-r" not in str(raw) and store.get(account_id).refresh_token == "new-r"


def test_each_rotation_moves_the_version_on(qbo_account):
    store = DynamoTokenStore()
    first = store.get(qbo_account.account_id)
    rotated = store.rotate(first, "a2", "r2", LATER + timedelta(hours=1))
    assert (rotated.version, rotated.refresh_token) == (first.version + 1, "r2")
    assert store.get(qbo_account.account_id) == rotated


def test_a_rotation_from_stale_tokens_is_refused_and_the_newer_tokens_stay(qbo_account):
    store = DynamoTokenStore()
    first = store.get(qbo_account.account_id)
    winner = store.rotate(first, "a2", "r2", LATER)
    with pytest.raises(TokenConflictError):
        store.rotate(first, "a-late", "r-late", LATER)
    assert store.get(qbo_account.account_id) == winner


def test_a_rotation_after_a_disconnect_dropped_the_tokens_is_refused(qbo_account, http):
    store = DynamoTokenStore()
    before = store.get(qbo_account.account_id)
    from chalicelib.login_tokens import issue_token

    staff = http.as_(issue_token("staff-1", qbo_account.account_id, staff=True))
    assert staff.post("/qbo/disconnect", {"mode": "soft"}).status == 200
    with pytest.raises(TokenConflictError):
        store.rotate(before, "a-late", "r-late", LATER)
    assert store.get(qbo_account.account_id) is None
