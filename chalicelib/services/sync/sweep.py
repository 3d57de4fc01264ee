"""The sweeper's use case: hint again what has waited too long or failed for now (on a capped backoff), and un-park
what is due for an automatic retry.

Nothing is lost between a commit and its queue message: the commit marks the object pending (gsi4) and this runs
every minute, so an object whose relay never ran is hinted here (DESIGN §7, delivery).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from ...domain.errors import NotFound
from ...domain.sync import retry_due, sweep_due
from ...domain.sync_modes import pushes_now, synced_kinds
from ...ports.queue import PUSH, Hint
from ...store.accounts import connection_of, get_account
from ...store.ids import seconds_since
from ...store.sync_state import WaitingObject, all_waiting
from .record import record

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    hinted: list[str] = field(default_factory=list)  # accounts hinted again
    stale: int = 0  # pending objects found older than the sweep threshold
    retried: int = 0  # parked objects un-parked for their automatic retry
    skipped: list[str] = field(default_factory=list)  # accounts that do not push now


def sweep(now: datetime, send: Callable[[Iterable[Hint]], None]) -> SweepReport:
    """One pass over every account's waiting objects; one push hint per account that has something due."""
    report = SweepReport()
    by_account: dict[str, list[WaitingObject]] = defaultdict(list)
    for waiting in all_waiting():
        by_account[waiting.account_id].append(waiting)
    hints = []
    for account_id, objects in by_account.items():
        try:
            account = get_account(account_id)
        except NotFound:
            continue
        connection = connection_of(account)
        if not pushes_now(connection):
            report.skipped.append(account_id)
            continue
        kinds = synced_kinds(bool(account.qbo_credit_sync), connection)  # one-way leaves credits pending here
        due = []
        for waiting in sorted((o for o in objects if o.kind in kinds), key=lambda o: o.pending_since):
            if waiting.parked:
                if retry_due(waiting.attempts, seconds_since(waiting.failed_at or waiting.pending_since, now)):
                    try:
                        record(account_id, waiting.kind, waiting.object_id, lambda state: state.retry())
                    except NotFound:  # removed since the scan read it: nothing to retry
                        continue
                    report.retried += 1
                    due.append(f"{waiting.kind}#{waiting.object_id}#{waiting.version + 1}")
            elif waiting.retrying:  # failed for now (QBO unreachable, a wait): tried again on a capped backoff
                if retry_due(waiting.attempts, seconds_since(waiting.failed_at or waiting.pending_since, now),
                             transient=True):
                    report.stale += 1
                    due.append(f"{waiting.kind}#{waiting.object_id}#{waiting.version}#try{waiting.attempts}")
            elif sweep_due(seconds_since(waiting.pending_since, now)):
                report.stale += 1
                due.append(f"{waiting.kind}#{waiting.object_id}#{waiting.version}")
        if due:  # the worker pushes the whole account: one hint, named after the oldest change (as the relay names it)
            hints.append(Hint(PUSH, account_id, due[0]))
            report.hinted.append(account_id)
    if hints:
        send(hints)
    logger.info("sweep: %s", report)
    return report
