"""The unit of work: everything one use case changes goes out as one TransactWriteItems.

Each item saved carries a condition (its version, or that it does not exist yet), so a use case that
read stale data fails as a whole and is run again on fresh data: no read-modify-write escapes a condition.
"""
from __future__ import annotations

import random
import time
import uuid
from contextvars import ContextVar
from typing import Callable, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .. import config
from ..domain.errors import Conflict
from .models import AppliedKeyItem, account_pk
from .tables import bind, connection

T = TypeVar("T")
MAX_ITEMS_PER_TRANSACTION = 100
RETRYABLE_REASONS = {"ConditionalCheckFailed", "TransactionConflict"}


class Contention(Conflict):
    """The same objects kept changing under this request; the client may retry it."""

    code = "contention"


class StaleRead(Exception):
    """A use case's reads disagree (another request committed between them); run it again on fresh data."""


class TooManyChanges(Conflict):
    code = "too_many_changes"


class KeyAlreadyApplied(Conflict):
    """The request's effect was committed before, but its response was lost (e.g. the client timed out)."""

    code = "idempotency_key_already_applied"


# Set by the HTTP layer while a request with an Idempotency-Key runs: a stable digest of (account, user, key).
APPLIED_KEY: ContextVar[str | None] = ContextVar("applied_key", default=None)


class UnitOfWork:
    """Collects the writes of one use case; repositories register what they load and add."""

    def __init__(self, account_id: str, numbers: dict[str, list[int]] | None = None, *,
                 sync_kinds: frozenset[str] = frozenset()):
        bind()
        self.account_id = account_id
        # numbers taken from the account's counters (store/counters.py), kept across the reruns of one use case
        self.numbers: dict[str, list[int]] = {} if numbers is None else numbers
        self.sync_kinds = sync_kinds  # changes QBO must see are marked pending for these kinds (the account's mode)
        self._puts: list[tuple[Model, object]] = []
        self._flushers: list[Callable[[], None]] = []

    def put(self, item: Model, condition=None) -> None:
        """Save an item; a VersionAttribute adds its own optimistic-lock condition."""
        self._puts.append((item, condition))

    def put_new(self, item: Model) -> None:
        """Save an item that must not exist yet."""
        self._puts.append((item, type(item).pk.does_not_exist()))

    def on_commit(self, flush: Callable[[], None]) -> None:
        """Let a repository turn its tracked entities into puts just before commit."""
        self._flushers.append(flush)

    def commit(self) -> None:
        for flush in self._flushers:
            flush()
        if not self._puts:
            return
        applied_key = APPLIED_KEY.get()
        if applied_key:
            marker = AppliedKeyItem(account_pk(self.account_id), f"APPLIED#{applied_key}",
                                    expiration=int(time.time()) + config.idempotency_ttl_seconds())
            self._puts.insert(0, (marker, AppliedKeyItem.pk.does_not_exist()))
        if len(self._puts) > MAX_ITEMS_PER_TRANSACTION:
            raise TooManyChanges("this change touches too many objects at once",
                                 details={"limit": MAX_ITEMS_PER_TRANSACTION})
        try:
            # A fresh token per attempt: botocore's own retries of this call then cannot apply it twice.
            with TransactWrite(connection=connection(), client_request_token=str(uuid.uuid4())) as tx:
                for item, condition in self._puts:
                    tx.save(item, condition=condition)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons or []
            # only puts are sent, in this order, so reason 0 is the marker's
            if applied_key and reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise KeyAlreadyApplied("this Idempotency-Key already took effect; read the current state instead "
                                        "of retrying") from None
            raise


def _retryable(error: TransactWriteError) -> bool:
    reasons = [r.code for r in (error.cancellation_reasons or []) if r is not None]
    return error.cause_response_code in ("TransactionCanceledException", "TransactionConflictException") and (
        not reasons or all(code in RETRYABLE_REASONS for code in reasons))


def run_in_transaction(account_id: str, use_case: Callable[[UnitOfWork], T], *, attempts: int = 12,
                       sync_kinds: frozenset[str] = frozenset()) -> T:
    """Load, decide and commit; on a lost race run the whole use case again on fresh data (same numbers).

    With `sync_kinds` (what the account's mode pushes to QBO) every change QBO must see of those kinds is marked
    pending in the same commit.
    """
    numbers: dict[str, list[int]] = {}
    for attempt in range(attempts):
        uow = UnitOfWork(account_id, numbers, sync_kinds=sync_kinds)
        try:
            result = use_case(uow)
            uow.commit()
            return result
        except StaleRead:
            pass  # two reads saw two moments: read again
        except TransactWriteError as error:
            if not _retryable(error) or attempt == attempts - 1:
                if _retryable(error):
                    break
                raise
        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
    raise Contention("the objects of this request kept changing; retry the request")


def dry_run(account_id: str, use_case: Callable[[UnitOfWork], T], *, attempts: int = 3) -> T:
    """Decide on fresh reads and commit nothing (previews); reads that saw two moments are taken again."""
    for _ in range(attempts):
        try:
            return use_case(UnitOfWork(account_id))
        except StaleRead:
            continue
    raise Contention("the objects of this request kept changing; retry the request")


def claim_applied_key(account_id: str) -> Callable[[], None]:
    """For a use case made of many transactions (a parity repair): mark the request's Idempotency-Key as applied
    once, up front (KeyAlreadyApplied if it already was), and run the rest unmarked. Answers the undo of the
    unmarking (call it when the use case ends)."""
    applied_key = APPLIED_KEY.get()
    if not applied_key:
        return lambda: None
    bind()
    marker = AppliedKeyItem(account_pk(account_id), f"APPLIED#{applied_key}",
                            expiration=int(time.time()) + config.idempotency_ttl_seconds())
    try:
        with TransactWrite(connection=connection(), client_request_token=str(uuid.uuid4())) as tx:
            tx.save(marker, condition=AppliedKeyItem.pk.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise KeyAlreadyApplied("this Idempotency-Key already took effect; read the current state instead of "
                                    "retrying") from None
        raise
    token = APPLIED_KEY.set(None)
    return lambda: APPLIED_KEY.reset(token)
