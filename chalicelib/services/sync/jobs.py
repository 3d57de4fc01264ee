"""Lifecycle jobs through SQS: start one (one per account at a time), run a step of it from a queued hint, show it.

A step does a bounded amount of work, saves its cursor, and queues the next step; a worker that dies mid-step is
redelivered the same hint and continues from the saved cursor (DESIGN §7). `run_job(job_id)` is what the SQS worker
dispatches a `job` hint to.
"""
from __future__ import annotations

import logging
from typing import Any

from ...domain.errors import Unavailable
from ...ports import queue
from ...store import jobs as job_store
from ...store.models import JobItem

logger = logging.getLogger(__name__)


class QueueUnavailable(Unavailable):
    """The job could not be queued (SQS refused or is not configured): a 503, and the account's slot is free."""

    code = "sync_queue_unavailable"
HARD_DISCONNECT, RESYNC, PARITY, CREDIT_SYNC = "hard_disconnect", "resync", "parity", "credit_sync"


def send_hint(job: JobItem) -> None:
    """Queue the job's next step (deduplicated per step, in the account's push group)."""
    queue.send([queue.Hint(queue.JOB, job.id, f"{job.id}#{job.version}")])


def start(account_id: str, kind: str, *, realm_id: str | None, total: int) -> JobItem:
    """Create the job in the account's slot and queue its first step; if the queue refuses, the slot is freed."""
    job = job_store.create(account_id, kind, realm_id=realm_id, total=total)
    try:
        send_hint(job)
    except Exception as error:
        logger.exception("job %s could not be queued", job.id)
        job_store.finish(job, job_store.FAILED, stopped="queue_unavailable")
        raise QueueUnavailable("the sync queue did not take the job; nothing was started, try again",
                               details={"job_id": job.id}) from error
    return job


def queue_first_step(job: JobItem) -> None:
    """Queue the first step of a job another transaction created (a hard disconnect's). If the queue refuses, the
    job stays recorded as running and QueueUnavailable says so: `POST /qbo/jobs/{id}/resume` queues it again."""
    try:
        send_hint(job)
    except Exception as error:
        logger.exception("job %s could not be queued", job.id)
        raise QueueUnavailable("the sync queue did not take the clearing job: the account is disconnected, resume "
                               "the job to clear its QuickBooks IDs", details={"job_id": job.id}) from error


def run_job(job_id: str, **options: Any) -> JobItem:
    """Run one step of the job and queue the next one while work is left; a finished or stopped job is left alone.

    `options` (tests, bench): `budget` (batches or pages per step); for a re-sync also `client`, `client_factory`,
    `sleep`, `clock`."""
    from . import credit_push, dead_letters, forget, parity_check, resync

    account_id = job_store.account_of(job_id)
    job = job_store.get(account_id, job_id)
    if job.status != job_store.RUNNING:
        logger.info("job %s is %s: nothing to do", job_id, job.status)
        return job
    step = {HARD_DISCONNECT: forget.step, RESYNC: resync.step, PARITY: parity_check.step,
            CREDIT_SYNC: credit_push.step}[job.kind]
    if job.kind == HARD_DISCONNECT:  # client, pacing and clock options are for the steps that call QBO
        options = {k: v for k, v in options.items() if k == "budget"}
    elif job.kind == CREDIT_SYNC:
        options = {k: v for k, v in options.items() if k in ("budget", "client_factory")}
    try:
        more = step(job, **options)
    except job_store.JobChanged:
        logger.info("job %s changed under its step (stopped?): re-read on the next hint", job_id)
        return job_store.get(account_id, job_id)
    if more:
        send_hint(job)
    dead_letters.cleared(account_id, "job", job_id)
    return job


def view(job: JobItem) -> dict:
    """The API shape (DESIGN §4): {id, status, total, done, failed, errors} plus kind, stopped, requests, times."""
    return {"id": job.id, "kind": job.kind, "status": job.status, "stopped": job.stopped,
            "total": int(job.total or 0), "done": int(job.done or 0), "failed": int(job.failed or 0),
            "errors": list(job.errors or []), "realm_id": job.realm_id, "qbo_requests": int(job.requests or 0),
            "created_at": job.created_at, "updated_at": job.updated_at}
