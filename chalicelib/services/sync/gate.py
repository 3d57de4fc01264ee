"""Push one account's pending changes, if its sync is on and it is connected (the worker's push hint)."""
from __future__ import annotations

import logging
from typing import Any

from ...domain.errors import NotFound
from ...domain.sync import ConnectionState, pushes_now
from ...store.accounts import get_account

logger = logging.getLogger(__name__)


def push_account(account_id: str, **push_options: Any):
    """`push_pending` for an account that pushes now; None (nothing done) for one that is gone, off or disconnected.

    Its pending changes stay marked: they are pushed when the account is connected again (DESIGN §4).
    """
    try:
        account = get_account(account_id)
    except NotFound:
        logger.warning("sync hint for unknown account %s dropped", account_id)
        return None
    if not pushes_now(bool(account.qbo_credit_sync), ConnectionState(account.qbo_state or "none")):
        logger.info("account %s does not push now (sync %s, %s): hint dropped", account_id,
                    account.qbo_credit_sync, account.qbo_state)
        return None
    from .push import push_pending  # python-quickbooks: only in the worker, never at the API's import

    return push_pending(account_id, **push_options)
