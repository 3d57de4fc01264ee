"""Accounts, roles, users and customers are written like every other use case: one conditional transaction."""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

from chalicelib.domain.permissions import ALL_PERMISSIONS, Principal
from chalicelib.services import accounts
from chalicelib.store.accounts import Users
from chalicelib.store.tables import connection, dynamodb_client
from chalicelib.store.uow import run_in_transaction


@contextmanager
def dynamodb_calls():
    """Counts the DynamoDB operations every client of the service makes."""
    calls: Counter[str] = Counter()

    def count(model, **_):
        calls[model.name] += 1

    clients = list({id(c): c for c in (connection().client, dynamodb_client())}.values())  # may be one client
    for client in clients:
        client.meta.events.register("before-call.dynamodb.*", count)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb.*", count)


def test_creating_roles_users_and_customers_writes_one_transaction_each(account):
    writes = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
    role = account.owner.post("/roles", {"name": "Clerk", "permissions": ["manage_sales"]}).json
    for method, path, body, status in [("post", "/roles", {"name": "Viewer", "permissions": ["view_credits"]}, 201),
                                       ("put", "/users/clerk-1", {"role_id": role["id"]}, 200),
                                       ("put", "/users/clerk-1", {"role_id": "admin"}, 200),
                                       ("post", "/customers", {"name": "Corner Deli"}, 201)]:
        with dynamodb_calls() as calls:
            reply = getattr(account.owner, method)(path, body)
        assert reply.status == status, reply.body
        assert {op: n for op, n in calls.items() if op in writes} == {"TransactWriteItems": 1}, (path, calls)


def test_assigning_an_unknown_role_is_a_404_and_writes_nothing(account):
    with dynamodb_calls() as calls:
        reply = account.owner.put("/users/someone", {"role_id": "no-such-role"})
    assert reply.status == 404 and reply.json["error"]["details"] == {"role_id": "no-such-role"}
    assert "TransactWriteItems" not in calls


def test_a_role_assignment_that_lost_a_race_is_decided_again_on_fresh_data(account):
    owner = Principal("owner", account.id, ALL_PERMISSIONS)
    viewer = account.owner.post("/roles", {"name": "Viewer", "permissions": ["view_credits"]}).json["id"]
    clerk = account.owner.post("/roles", {"name": "Clerk", "permissions": ["manage_sales"]}).json["id"]
    accounts.assign_role(owner, user_id="u1", role_id=viewer)
    seen: list[str] = []

    def promote_unless_clerk(uow):
        user = Users(uow).get("u1")
        seen.append(user.role_id)
        if len(seen) == 1:  # someone else changes the user between our read and our write
            accounts.assign_role(owner, user_id="u1", role_id=clerk)
        if user.role_id != clerk:
            user.role_id = "admin"
        return user

    run_in_transaction(account.id, promote_unless_clerk)
    assert seen == [viewer, clerk]  # the stale decision was refused by the version condition and taken again
    assert account.user("u1").get("/settings").status == 200
    assert account.user("u1").post("/roles", {"name": "x", "permissions": []}).status == 403  # still a clerk
