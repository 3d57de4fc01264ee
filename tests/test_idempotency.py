"""Idempotency-Key: one effect, the same answer on replay, 422 on a different body, one effect under concurrency."""
import uuid
from concurrent.futures import ThreadPoolExecutor


def _count(account):
    return len(account.owner.get("/credits?limit=100").json["data"])


def test_replay_returns_first_response(account):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": account.customers[0], "amount": "3.00"}
    first = account.owner.post("/credits", body, headers=key)
    second = account.owner.post("/credits", body, headers=key)
    assert first.status == second.status == 201 and first.json == second.json
    assert _count(account) == 1


def test_same_key_other_body_is_422(account):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "3.00"}, headers=key)
    reply = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "4.00"}, headers=key)
    assert reply.status == 422 and reply.json["error"]["code"] == "idempotency_key_reused"


def test_errors_are_replayed_too(account):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": "missing", "amount": "3.00"}
    assert account.owner.post("/credits", body, headers=key).status == 404
    assert account.owner.post("/credits", body, headers=key).status == 404


def test_keys_are_per_account(http, account):
    from tests.conftest import make_account

    other = make_account(http)
    key = {"Idempotency-Key": "shared-key"}
    a = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "1.00"}, headers=key)
    b = other.owner.post("/credits", {"customer_id": other.customers[0], "amount": "1.00"}, headers=key)
    assert a.status == b.status == 201 and a.json["id"] != b.json["id"]


def test_concurrent_same_key_has_one_effect(account):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": account.customers[0], "amount": "7.00"}
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: account.owner.post("/credits", body, headers=key), range(8)))
    created = {r.json["id"] for r in replies if r.status == 201}
    assert len(created) == 1
    assert all(r.status in (201, 409) for r in replies)
    assert _count(account) == 1


def test_keys_are_per_user(account):
    """Another user reusing a key must not be handed the first user's response."""
    role = account.owner.post("/roles", {"name": "Sales", "permissions": ["manage_sales"]}).json
    account.owner.put("/users/sales-1", {"role_id": role["id"]})
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": account.customers[0], "amount": "3.00"}
    assert account.owner.post("/credits", body, headers=key).status == 201
    assert account.user("sales-1").post("/credits", body, headers=key).status == 403


def test_effect_never_repeats_when_the_stored_response_is_lost(account):
    """If the idempotency record vanishes after the effect committed, a retry is refused, not applied twice."""
    from chalicelib import config
    from chalicelib.store.models import account_pk
    from chalicelib.store.tables import dynamodb_client

    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"customer_id": account.customers[0], "amount": "9.00"}
    assert account.owner.post("/credits", body, headers=key).status == 201
    client = dynamodb_client()
    records = client.query(TableName=config.table_name(), KeyConditionExpression="pk = :pk",
                           FilterExpression="attribute_exists(#d)", ExpressionAttributeNames={"#d": "data"},
                           ExpressionAttributeValues={":pk": {"S": account_pk(account.id)}})["Items"]
    assert len(records) == 1  # Powertools' record of the response
    client.delete_item(TableName=config.table_name(), Key={"pk": records[0]["pk"], "sk": records[0]["sk"]})
    retry = account.owner.post("/credits", body, headers=key)
    assert retry.status == 409 and retry.json["error"]["code"] == "idempotency_key_already_applied"
    assert _count(account) == 1
