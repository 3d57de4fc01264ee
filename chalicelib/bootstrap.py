"""Start-up wiring: plugs each adapter into its port, once per process (app.py, the dev stack, the benches).

Nothing heavy is imported here: the SQS client is made on the first send, the token store on the first use.
"""
from __future__ import annotations

from .ports import queue, tokens


def _token_store() -> tokens.TokenStore:
    from .store.qbo_connections import DynamoTokenStore

    return DynamoTokenStore()


def wire() -> None:
    """The sync queue's SQS sender and the DynamoDB token store (idempotent)."""
    from .workers.queue import SqsSender

    queue.wire(SqsSender())
    tokens.wire(_token_store)
