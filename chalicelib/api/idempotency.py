"""Idempotency-Key handling on top of Powertools' idempotency utility, stored in the account's partition."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from ..domain.errors import DomainError, InvalidInput
from ..store.models import account_pk


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class IdempotencyInProgress(DomainError):
    code = "idempotency_in_progress"


MAX_KEY_LENGTH = 255


def scope_of(user_id: str, key: str) -> str:
    """The record's key: the user id length-prefixed, so no (user, key) pair can spell another's.

    A bare `f"{user_id}:{key}"` let user `X:ops` with key `K1` and user `X` with key `ops:K1` share one record.
    """
    return f"{len(user_id)}:{user_id}:{key}"


def run_once(account_id: str, user_id: str, key: str, request: dict[str, Any],
             handler: Callable[[str], dict], lambda_context: Any = None) -> dict:
    """Run handler once per (account, user, key); replay its stored response; 422 if the request differs.

    Keys are scoped to the user: a replay must never hand one user the response another user's rights produced.
    The handler gets a digest of the scoped key to mark its transaction with, so that even when the stored response
    is lost (the record expired or was dropped after a crash) the effect cannot happen twice.

    `request` is what must match on replay (method, path, body); handler returns a JSON-able response dict.
    """
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    from .. import config
    from ..store.tables import dynamodb_client

    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key is too long", details={"max": MAX_KEY_LENGTH})
    persistence = DynamoDBPersistenceLayer(
        table_name=config.table_name(), key_attr="pk", sort_key_attr="sk", static_pk_value=account_pk(account_id),
        boto3_client=dynamodb_client())
    settings = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="request",
                                 expires_after_seconds=config.idempotency_ttl_seconds(), raise_on_no_idempotency_key=True)
    if lambda_context is not None:
        settings.register_lambda_context(lambda_context)  # an in-progress record then expires with the invocation

    scoped = scope_of(user_id, key)

    @idempotent_function(data_keyword_argument="data", config=settings, persistence_store=persistence)
    def idempotent_request(data: dict) -> dict:
        return handler(hashlib.sha256(scoped.encode()).hexdigest())

    try:
        return idempotent_request(data={"key": scoped, "request": json.loads(json.dumps(request))})
    except IdempotencyValidationError:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request") from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyInProgress("a request with this Idempotency-Key is still in progress; retry shortly") from None
