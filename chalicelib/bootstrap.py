"""Start-up wiring: plugs each adapter into its port, once per process (app.py, the dev stack, the benches).

Nothing heavy is imported here: the SQS client is made on the first send, the token and budget stores on first use.
"""
from __future__ import annotations

from .ports import qbo_budget, queue, tokens


def _token_store() -> tokens.TokenStore:
    from .store.qbo_connections import DynamoTokenStore

    return DynamoTokenStore()


def _budget_store() -> qbo_budget.BudgetStore:
    from .store.realm_budget import DynamoBudgetStore

    return DynamoBudgetStore()


def wire() -> None:
    """The sync queue's SQS sender, the DynamoDB token store and the realm budget's store (idempotent)."""
    from .workers.queue import SqsSender

    queue.wire(SqsSender())
    tokens.wire(_token_store)
    qbo_budget.wire(_budget_store)
