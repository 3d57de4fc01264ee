"""A sync message that failed its last allowed receive goes to the dead-letter queue: the account's status panel says
so (DESIGN §7), and the entry leaves once the same hint succeeds (redriven, or a later message of it)."""
from __future__ import annotations

import logging

from ...domain.errors import NotFound
from ...store import accounts as accounts_store
from ...store import dead_letters
from ...store import jobs as job_store
from ...store.ids import utc_now
from ...store.qbo_connections import realm_holder

logger = logging.getLogger(__name__)


def hint_id(kind: str, key: str) -> str:
    """How the panel names a hint: "push:<account>", "pull:<realm>", "job:<job id>", "revoke:<account>"."""
    return f"{kind}:{key}"


def _account_of(kind: str, key: str) -> str | None:
    if kind == "pull":
        return realm_holder(key)
    if kind == "job":
        try:
            return job_store.account_of(key)
        except NotFound:
            return None
    return key  # push and revoke hints name their account


def noted(kind: str, key: str, *, receives: int, error: str) -> None:
    """Record on its account that this hint's message reaches the dead-letter queue now."""
    account_id = _account_of(kind, key)
    logger.error("sync %s %s reaches the dead-letter queue after %d receives: %s", kind, key, receives, error)
    if account_id:
        dead_letters.record(account_id, hint_id(kind, key), at=utc_now(), receives=receives,
                            message=f"{error}; `ops dlq redrive` moves it back once the cause is fixed")


def cleared(account_id: str, kind: str, key: str) -> None:
    """The hint worked: its dead letter (if any) leaves the panel."""
    try:
        dead_letters.clear(accounts_store.get_account(account_id), hint_id(kind, key))
    except NotFound:
        pass
