"""QBO connections live in the configured single table under the account's key, written only under a condition."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import config
from chalicelib.qbo.tokens import TokenConflictError
from chalicelib.store.qbo_connections import DynamoTokenStore
from chalicelib.store.tables import dynamodb_client

LATER = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture
def account_id(table) -> str:
    return "acct-" + uuid.uuid4().hex[:8]


def test_the_connection_is_an_item_of_the_configured_table_under_the_accounts_key(account_id):
    DynamoTokenStore().connect(account_id, "9130001", "access-1", "refresh-1", LATER)
    raw = dynamodb_client().get_item(TableName=config.table_name(), ConsistentRead=True,
                                     Key={"pk": {"S": f"A#{account_id}"}, "sk": {"S": "QBO#CONNECTION"}})["Item"]
    assert raw["realm_id"]["S"] == "9130001" and "refresh_token" not in raw and "access_token" not in raw
    assert "refresh-1" not in str(raw) and "access-1" not in str(raw)  # sealed (issue 11): no token in the clear
    assert raw["access_expires_at"]["S"] == "2030-01-02T03:04:05Z" and raw["version"]["N"] == "1"


def test_a_connection_stored_before_sealing_is_read_and_sealed_on_its_next_write(account_id):
    dynamodb_client().put_item(TableName=config.table_name(), Item={
        "pk": {"S": f"A#{account_id}"}, "sk": {"S": "QBO#CONNECTION"}, "realm_id": {"S": "9130001"},
        "access_token": {"S": "old-a"}, "refresh_token": {"S": "old-r"},
        "access_expires_at": {"S": "2030-01-02T03:04:05Z"}, "version": {"N": "4"}})
    store = DynamoTokenStore()
    old = store.get(account_id)
    assert (old.access_token, old.refresh_token, old.version) == ("old-a", "old-r", 4)
    store.rotate(old, "new-a", "new-r", LATER)
    raw = dynamodb_client().get_item(TableName=config.table_name(), ConsistentRead=True,
                                     Key={"pk": {"S": f"A#{account_id}"}, "sk": {"S": "QBO#CONNECTION"}})["Item"]
    assert "refresh_token" not in raw and "new-r" not in str(raw) and store.get(account_id).refresh_token == "new-r"


def test_connect_rotate_and_reconnect_each_move_the_version_on(account_id):
    store = DynamoTokenStore()
    assert store.get(account_id) is None
    first = store.connect(account_id, "9130001", "a1", "r1", LATER)
    rotated = store.rotate(first, "a2", "r2", LATER + timedelta(hours=1))
    assert (rotated.version, rotated.refresh_token) == (2, "r2")
    assert store.get(account_id) == rotated
    again = store.connect(account_id, "9130002", "a3", "r3", LATER)
    assert (again.version, again.realm_id) == (3, "9130002") and store.get(account_id) == again


def test_a_rotation_from_stale_tokens_is_refused_and_the_newer_tokens_stay(account_id):
    store = DynamoTokenStore()
    first = store.connect(account_id, "9130001", "a1", "r1", LATER)
    winner = store.rotate(first, "a2", "r2", LATER)
    with pytest.raises(TokenConflictError):
        store.rotate(first, "a-late", "r-late", LATER)
    assert store.get(account_id) == winner


def test_two_first_connections_cannot_both_win(account_id, monkeypatch):
    store = DynamoTokenStore()
    monkeypatch.setattr(DynamoTokenStore, "_item", staticmethod(lambda _account_id: None))  # both saw nothing yet
    store.connect(account_id, "9130001", "a1", "r1", LATER)
    with pytest.raises(TokenConflictError):
        store.connect(account_id, "9130001", "a2", "r2", LATER)
    monkeypatch.undo()
    assert store.get(account_id).access_token == "a1"
