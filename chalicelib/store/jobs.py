"""Lifecycle jobs (hard disconnect, mass re-sync) with their progress, and the account's one active-job slot.

sk = "QBO#JOB#<job_id>" holds a job; sk = "QBO#JOB#ACTIVE" names the running one and is created with
attribute_not_exists in the same transaction as its job, so two jobs of one account can never run at once.
A job id is "<account_id>-<ulid>": a queued message needs nothing else to find its job.
"""
from __future__ import annotations

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.connection import LifecycleBusy
from ..domain.errors import NotFound
from .ids import new_id, utc_now
from .models import ActiveJobItem, JobItem, ParityReportItem, account_pk
from .tables import bind, connection

ACTIVE_SK = "QBO#JOB#ACTIVE"
RUNNING, DONE, FAILED = "running", "done", "failed"
MAX_ERRORS = 200


class JobChanged(Exception):
    """Someone else wrote the job since it was read (a disconnect stopped it, or another worker moved it on)."""


def job_sk(job_id: str) -> str:
    return f"QBO#JOB#{job_id}"


def account_of(job_id: str) -> str:
    """The account a job id belongs to."""
    account_id, _, tail = job_id.rpartition("-")
    if not account_id or not tail:
        raise NotFound("no such job", details={"job_id": job_id[:100]})
    return account_id


def active(account_id: str) -> ActiveJobItem | None:
    bind()
    try:
        return ActiveJobItem.get(account_pk(account_id), ACTIVE_SK, consistent_read=True)
    except ActiveJobItem.DoesNotExist:
        return None


def get(account_id: str, job_id: str) -> JobItem:
    """The job of this account (another account's job id is simply not found)."""
    bind()
    try:
        return JobItem.get(account_pk(account_id), job_sk(job_id), consistent_read=True)
    except JobItem.DoesNotExist:
        raise NotFound("no such job", details={"job_id": job_id[:100]}) from None


def new(account_id: str, kind: str, *, realm_id: str | None, total: int = 0, cursor: dict | None = None) -> JobItem:
    """A running job not written yet (a disconnect writes it in its own transaction, with the account's slot)."""
    now = utc_now()
    job_id = f"{account_id}-{new_id()}"
    return JobItem(account_pk(account_id), job_sk(job_id), id=job_id, kind=kind, status=RUNNING, realm_id=realm_id,
                   total=total, done=0, failed=0, errors=[], cursor=cursor or {}, inflight=None, requests=0,
                   created_at=now, updated_at=now)


def create(account_id: str, kind: str, *, realm_id: str | None, total: int = 0, cursor: dict | None = None) -> JobItem:
    """A new running job in the account's active slot; LifecycleBusy when another one holds it."""
    bind()
    job = new(account_id, kind, realm_id=realm_id, total=total, cursor=cursor)
    slot = ActiveJobItem(account_pk(account_id), ACTIVE_SK, job_id=job.id, kind=kind)
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(slot, condition=ActiveJobItem.pk.does_not_exist())
            tx.save(job)
    except TransactWriteError as error:
        running = active(account_id)
        raise LifecycleBusy("another QuickBooks job of this account is running",
                            details={"job_id": running.job_id if running else None,
                                     "kind": running.kind if running else None}) from error
    return job


def save(job: JobItem) -> None:
    """Write progress under the job's version; JobChanged when someone else wrote it first."""
    job.updated_at = utc_now()
    try:
        job.save()
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise JobChanged(job.id) from error
        raise


def finish(job: JobItem, status: str, *, stopped: str | None = None) -> None:
    """End the job and free the account's slot (if this job still holds it), in one transaction."""
    job.status, job.stopped, job.updated_at = status, stopped, utc_now()
    job.inflight = None
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(job)
            tx.delete(ActiveJobItem(job.pk, ACTIVE_SK),
                      condition=ActiveJobItem.pk.does_not_exist() | (ActiveJobItem.job_id == job.id))
    except TransactWriteError as error:
        raise JobChanged(job.id) from error


def stop_running(account_id: str, reason: str) -> JobItem | None:
    """Stop whatever job runs (a disconnect ends a mass re-sync cleanly): its worker sees it at its next step."""
    for _ in range(5):
        slot = active(account_id)
        if slot is None:
            return None
        job = get(account_id, slot.job_id)
        try:
            finish(job, FAILED, stopped=reason)
            return job
        except JobChanged:
            continue  # the worker wrote progress meanwhile: read again
    raise LifecycleBusy("the running job kept changing; try again")


def add_error(job: JobItem, object_type: str, object_id: str, code: str, message: str) -> None:
    """Record one object's failure (the first MAX_ERRORS are listed; `failed` counts them all)."""
    job.failed = int(job.failed or 0) + 1
    errors = list(job.errors or [])
    errors = [e for e in errors if (e["object_type"], e["object_id"]) != (object_type, object_id)]
    if len(errors) < MAX_ERRORS:
        errors.append({"object_type": object_type, "object_id": object_id, "code": code, "message": message[:500]})
    job.errors = errors


PARITY_SK = "QBO#PARITY"


def parity_report(account_id: str) -> ParityReportItem | None:
    """The account's last background parity check (running or finished), if any."""
    bind()
    try:
        return ParityReportItem.get(account_pk(account_id), PARITY_SK, consistent_read=True)
    except ParityReportItem.DoesNotExist:
        return None


def save_parity_report(account_id: str, *, job_id: str | None, status: str, checked_at: str | None = None,
                       report: dict | None = None) -> None:
    """Record which job checks the account now, or the report it finished with (last write wins: one job at a time
    holds the account's slot)."""
    bind()
    current = parity_report(account_id) or ParityReportItem(account_pk(account_id), PARITY_SK)
    current.job_id, current.status, current.checked_at, current.report = job_id, status, checked_at, report
    try:
        current.save()
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise JobChanged(job_id or "parity") from error
        raise
