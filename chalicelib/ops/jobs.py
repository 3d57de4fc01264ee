"""Lifecycle jobs (re-sync, hard disconnect): follow one to its end, resume one whose step was lost; and the shared
way of showing a job, used by the re-sync and disconnect commands."""
from __future__ import annotations

import argparse

from . import progress
from .client import ApiClient
from .errors import INCOMPLETE, OK
from .output import Result
from .target import api_client

LABELS = {"resync": "re-sync", "hard_disconnect": "hard disconnect", "credit_sync": "credit sync",
          "parity": "parity check"}


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("job", help="any lifecycle job: a re-sync or a hard disconnect")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    watch = sub.add_parser("watch", parents=[common], help="follow a job to its end (GET /qbo/jobs/{id})")
    watch.add_argument("job_id")
    watch.set_defaults(run=watch_command)
    resume = sub.add_parser("resume", parents=[common],
                            help="queue a running job's next step again, e.g. after its message reached the DLQ")
    resume.add_argument("job_id")
    resume.add_argument("--no-watch", dest="watch", action="store_false", help="return at once")
    resume.set_defaults(run=resume_command)


def watch_command(args: argparse.Namespace) -> Result:
    client = api_client(args)
    return job_result(follow(client, f"/qbo/jobs/{args.job_id}", args))


def resume_command(args: argparse.Namespace) -> Result:
    client = api_client(args)
    job = client.post(f"/qbo/jobs/{args.job_id}/resume", {}).json()
    if args.watch:
        job = follow(client, f"/qbo/jobs/{args.job_id}", args, first=job)
    return job_result(job)


def follow(client: ApiClient, path: str, args: argparse.Namespace, *, first: dict | None = None) -> dict:
    """Poll the job's route to its end, unless it is already over."""
    fetch = lambda: client.get(path).json()  # noqa: E731
    first = first if first is not None else fetch()
    return progress.follow(fetch, label=LABELS.get(first.get("kind", ""), "job"), interval=args.interval, first=first,
                           hint=f": follow it with `python -m chalicelib.ops job watch {path.rsplit('/', 1)[1]}`")


def job_result(job: dict) -> Result:
    """Done without failures is 0; failed, or done with objects that could not be synced, is INCOMPLETE; a job still
    running (not followed) is 0."""
    return Result(job, describe(job), INCOMPLETE if job["status"] == "failed" or job.get("failed") else OK)


def describe(job: dict) -> str:
    label = LABELS.get(job.get("kind", ""), "job")
    lines = [f"{label} {job['id']}: {job['status']}"
             + (f" ({job['stopped']})" if job.get("stopped") else "")
             + f", {job.get('done', 0)} of {job.get('total', 0)} done, {job.get('failed', 0)} failed"
             + (f", {job['qbo_requests']} QBO requests" if job.get("qbo_requests") else "")]
    lines += [f"  {e.get('object_type')} {e.get('object_id')}: {e.get('code')} {e.get('message')}"
              for e in job.get("errors") or []]
    return "\n".join(lines)
