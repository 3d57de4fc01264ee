"""The job two-way credit sync starts (services/sync/credit_switch.py): the retroactive push, applied to credits.

The job runs in the account's push message group, so its steps and the account's pushes never overlap: it marks
credits and uses pending a page at a time (the regular push engine then pushes them: their memos, the linking
Payments, the tender Payments whose unapplied amount their uses spend), then pushes until nothing of them waits.
Switched on while softly disconnected (or disconnected softly meanwhile), it marks everything and ends `done` with
`stopped: paused`: reconnecting to the company pushes what it marked.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

from ... import config
from ...domain.sync import WAITING
from ...domain.sync_modes import pushes_now
from ...ports.qbo import ClientFactory
from ...store import account_items
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store.ledger import Ledger
from ...store.models import JobItem
from ...store.sync_state import pending_objects, sync_overview
from ...store.uow import UnitOfWork, run_in_transaction
from .record import repository

logger = logging.getLogger(__name__)
PAGE = 50  # credits marked per step
CREDIT_KINDS = frozenset({"credit", "use"})
MAX_PER_TRANSACTION = 90


def step(job: JobItem, *, budget: int = PAGE, client_factory: ClientFactory | None = None, **_: Any) -> bool:
    """Mark the next page of credits (and their uses) pending; once all are marked, push until none waits. Answers
    whether another step is needed."""
    account_id = job.pk.removeprefix("A#")
    cursor = dict(job.cursor or {})
    if cursor.get("phase", "mark") == "mark":
        page = account_items.page_of_kind(account_id, "credit", cursor.get("after"), budget)
        for item in page.items:
            job.done = int(job.done or 0) + _mark(account_id, item.sk.split("#", 1)[1])
        job.cursor = {"phase": "mark", "after": page.after} if page.after else {"phase": "push"}
        job_store.save(job)
        return True
    return _push(job, account_id, client_factory)


def _mark(account_id: str, credit_id: str) -> int:
    """Make a credit and its uses pending (what QBO must show of them now): the active ones, and those voided while
    one-way whose document a two-way past left in QBO (their push removes it); answers how many were marked.
    A credit the accountant's document owns (imported, never reissued) is QBO's and is not marked; its uses are ours
    (our linking Payments, our lines on their Payment) and are, but for those the accountant applied in QBO."""
    book = Ledger.reading(account_id)
    credit = book.credits.get(credit_id)
    uses = [u.key for u in book.uses.of_credit(credit_id) if (u.active or u.sync.qbo_id) and not u.from_qbo]
    for start in range(0, len(uses), MAX_PER_TRANSACTION):
        chunk = uses[start:start + MAX_PER_TRANSACTION]
        run_in_transaction(account_id, lambda uow, chunk=chunk: _touch(uow, "use", chunk))
    # an overpayment's uses are lines on its payment: that Payment is written again with them
    holders = [credit.origin_payment_id] if credit.origin_payment_id and uses else []

    def mark(uow: UnitOfWork) -> None:
        _touch(uow, "credit", [] if credit.owned_by_qbo else [credit_id])
        _touch(uow, "payment", holders)

    run_in_transaction(account_id, mark)
    return 1 + len(uses)


def _touch(uow: UnitOfWork, kind: str, ids: list[str]) -> None:
    book = Ledger(uow)
    repository = {"credit": book.credits, "use": book.uses, "payment": book.payments}[kind]
    for object_id in ids:
        repository.get(object_id).sync.touch()


def _push(job: JobItem, account_id: str, client_factory: ClientFactory | None) -> bool:
    """Push what the switch marked; done once no credit or use waits. QBO throttling or down raises (PushDeferred):
    the step's message comes back. What is refused, or still waits when a run moves nothing, is the job's failures,
    each with its reason (refusals are on the status panel too)."""
    from .push import push_pending

    if not pushes_now(accounts_store.connection_of(accounts_store.get_account(account_id))):
        # softly disconnected: everything is marked, and reconnecting to the company pushes it (its push hint)
        job_store.finish(job, job_store.DONE, stopped="paused")
        return False
    report = push_pending(account_id, client_factory=client_factory, limit=config.push_slice())  # a step, a slice
    left = sync_overview(account_id, kinds=CREDIT_KINDS)
    job.done = max(int(job.done or 0), int(job.total or 0) - left.pending - len(left.parked))
    if left.pending and report.pushed:
        job_store.save(job)
        return True  # more to push: the next step goes on
    for error in left.parked:
        job_store.add_error(job, error.kind, error.object_id, error.code or "", error.message)
    for kind, object_id, reason in _unshown(account_id, {(e.kind, e.object_id) for e in left.parked}):
        job_store.add_error(job, kind, object_id, WAITING, reason)
    job_store.finish(job, job_store.FAILED if left.pending or left.parked else job_store.DONE)
    return False


def _unshown(account_id: str, shown: set[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
    """The credits and uses that still wait without an error on the panel yet (the engine keeps trying them): a job
    that ends with them names each and why, never `failed` with nothing listed."""
    book = Ledger.reading(account_id)
    for pending in pending_objects(account_id):
        if pending.kind in CREDIT_KINDS and not pending.parked and (pending.kind, pending.object_id) not in shown:
            state = repository(book, pending.kind).get(pending.object_id).sync
            yield pending.kind, pending.object_id, state.error or "still waits for its push"
