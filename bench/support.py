"""Bench plumbing: a DynamoDB Local with a fresh table, and a counter of DynamoDB calls via botocore event hooks."""
from __future__ import annotations

import os
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextmanager
def local_table():
    """Start DynamoDB Local, point the service at a new table, stop it afterwards."""
    for name, value in (("AWS_ACCESS_KEY_ID", "local"), ("AWS_SECRET_ACCESS_KEY", "local"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("LOCAL_DEV", "1")):
        os.environ.setdefault(name, value)
    from devstack import dynamodb_local

    server = dynamodb_local.start()
    os.environ["DYNAMODB_ENDPOINT"] = server.endpoint
    os.environ["CREDITS_TABLE"] = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        from chalicelib.store.tables import create_table

        create_table()
        yield server.endpoint
    finally:
        server.stop()


class CallCounter:
    """Counts DynamoDB API calls made by every client the service uses (PynamoDB's and boto3's)."""

    def __init__(self):
        from chalicelib.store.tables import connection, dynamodb_client

        self.calls: Counter[str] = Counter()
        for client in {id(c): c for c in (connection().client, dynamodb_client())}.values():  # may be one
            client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model, **_kwargs):
        self.calls[model.name] += 1

    @contextmanager
    def measure(self):
        self.calls.clear()
        yield self.calls

    @staticmethod
    def describe(calls: Counter) -> str:
        return f"{sum(calls.values())} ({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))})"
