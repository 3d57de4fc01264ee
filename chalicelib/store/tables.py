"""Binding the item classes to the configured table, and the table's shape (shared with CloudFormation)."""
from __future__ import annotations

import threading
from typing import Any

from .. import config
from .models import ALL_MODELS

TTL_ATTRIBUTE = "expiration"
_bound: tuple[str, str | None, str] | None = None
_lock = threading.Lock()


def bind() -> None:
    """Point every item class at the table and endpoint configured for this invocation."""
    global _bound
    wanted = (config.table_name(), config.dynamodb_endpoint(), config.aws_region())
    if wanted == _bound:
        return
    with _lock:
        if wanted == _bound:  # another thread (the worker's message groups) bound it while this one waited
            return
        shared = None
        for model in ALL_MODELS:
            model.Meta.table_name, model.Meta.host, model.Meta.region = wanted
            model.Meta.max_pool_connections = 32
            model._connection = None
            table_connection = model._get_connection()
            # One botocore client for all item classes: each client costs tens of ms to build.
            shared = shared or table_connection.connection
            table_connection.connection = shared
        _bound = wanted


def connection():
    """The PynamoDB connection shared by every item class (for transactions and call counting)."""
    from .models import CreditItem

    bind()
    return CreditItem._get_connection().connection


def _index(name: str, hash_key: str, range_key: str) -> dict[str, Any]:
    """A global secondary index projecting whole items (every index here is read as the items themselves)."""
    return {"IndexName": name, "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": hash_key, "KeyType": "HASH"},
                          {"AttributeName": range_key, "KeyType": "RANGE"}]}


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments: pk/sk plus the indexes: gsi1 by customer, gsi2 open credits, gsi3 overloaded (names,
    payments by invoice, history), gsi4 pending QBO pushes; a
    NEW_IMAGE stream for the sync relay."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "gsi1pk", "gsi1sk", "open_pk", "open_sk", "gsi3pk", "gsi3sk", "sync_pk", "sync_sk")
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        # the sync relay reads this stream (deploy/resources.json; the devstack pump reads DynamoDB Local's)
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "GlobalSecondaryIndexes": [
            _index("gsi1", "gsi1pk", "gsi1sk"),
            _index("gsi2", "open_pk", "open_sk"),
            _index("gsi3", "gsi3pk", "gsi3sk"),  # overloaded: customers by name, payments by invoice, credit history
            _index("gsi4", "sync_pk", "sync_sk"),
        ],
    }


def dynamodb_client():
    """The low-level botocore client for the configured table: PynamoDB's own, shared (clients are thread-safe).

    A second client (e.g. boto3's) would load and parse DynamoDB's service model again in its own session: hundreds
    of ms on a cold start's first request, and a second connection pool.
    """
    return connection().client


def create_table(table_name: str | None = None) -> str:
    """Create the table (and its TTL) if missing; used by the devstack and the tests, never in Lambda."""
    name = table_name or config.table_name()
    client = dynamodb_client()
    if name not in client.list_tables()["TableNames"]:
        client.create_table(**table_definition(name))
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
    return name
