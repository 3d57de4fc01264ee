"""`GET /qbo/parity`: a small account is checked within the request; a large one (more than `sync_limit()` credits,
invoices and payments) in the background, as a lifecycle job in the account's one job slot (store.jobs):
202 with the job's progress while it runs, then its finished report (for `REPORT_FRESH_SECONDS`, or until
`?fresh=true` asks for a new check). The check itself: services.sync.parity_check.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from ...domain.connection import NotConnected
from ...domain.errors import Forbidden, Unavailable
from ...domain.permissions import Permission, Principal
from ...domain.sync import ConnectionState
from ...ports.qbo import ClientFactory
from ...qbo.errors import QboAuthError, QboTransientError
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store.ids import seconds_since
from ...store.models import JobItem
from . import jobs
from .parity_check import PAGE_SIZE, check, client_for, ledger_size, report_view

SYNC_LIMIT = 2000  # ledger objects (credits + invoices + payments) checked within the request; more: in the background
REPORT_FRESH_SECONDS = 300  # a background report is answered again for this long before a new check starts


def sync_limit() -> int:
    """Ledger objects an account may have for a check within the request (`QBO_PARITY_SYNC_LIMIT`, read per call)."""
    return int(os.environ.get("QBO_PARITY_SYNC_LIMIT", SYNC_LIMIT))


def require_connected(principal: Principal) -> Any:
    """manage_integration, and view_credits (every difference is about credit money: DESIGN §4 shows credit fields
    only to those who may view credits), on an account connected to QBO."""
    principal.require(Permission.MANAGE_INTEGRATION)
    if not principal.sees_credits:
        raise Forbidden("the parity report shows credit amounts: your role needs view_credits too",
                        details={"permission": Permission.VIEW_CREDITS.value})
    account = accounts_store.get_account(principal.account_id)
    state = accounts_store.connection_of(account)
    if state is not ConnectionState.CONNECTED:
        raise NotConnected("the account is not connected to QuickBooks: there is nothing to compare with",
                           details={"state": state.value})
    return account


class QboUnavailable(Unavailable):
    """QuickBooks could not be read now (throttled, down, or the connection needs a new consent): a 503."""

    code = "qbo_unavailable"


@dataclass(frozen=True)
class Answer:
    status: int  # 200 done, 202 running
    body: dict


def parity(principal: Principal, *, fresh: bool = False, client_factory: ClientFactory | None = None,
           sleep: Callable[[float], None] = time.sleep) -> Answer:
    """`GET /qbo/parity`: a small account is checked now; a large one in the background (202 while it runs)."""
    account = require_connected(principal)
    account_id = principal.account_id
    if ledger_size(account_id) <= sync_limit():
        try:
            return Answer(200, report_view(check(account_id, client_for(account_id, client_factory), sleep=sleep)))
        except (QboTransientError, QboAuthError) as error:
            raise QboUnavailable(f"QuickBooks could not be read now ({error}); try again later") from error
    slot = job_store.active(account_id)
    if slot is not None and slot.kind == jobs.PARITY:
        return Answer(202, running_view(job_store.get(account_id, slot.job_id)))
    stored = job_store.parity_report(account_id)
    if (stored is not None and stored.report and not fresh
            and seconds_since(stored.checked_at, datetime.now(timezone.utc)) < REPORT_FRESH_SECONDS):
        return Answer(200, dict(stored.report))
    total = 2 + ledger_size(account_id) // PAGE_SIZE + 3  # ledger read + estimated pages + compare
    return Answer(202, running_view(jobs.start(account_id, jobs.PARITY, realm_id=account.qbo_realm_id, total=total)))


def running_view(job: JobItem) -> dict:
    """The 202 body: the job's progress (`done` of `total` steps: reading the ledger, each QBO page, comparing)."""
    return {"status": "running", "checked_at": None, "differences": [], "job_id": job.id,
            "done": int(job.done or 0), "total": int(job.total or 0), "qbo_requests": int(job.requests or 0),
            "started_at": job.created_at, "updated_at": job.updated_at}


