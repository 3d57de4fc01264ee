"""Two-way credit sync (staff): switch it on for a connected one-way account and follow the job that pushes its
credits and their uses, or switch it off again (back to one-way: nothing is deleted in QBO)."""
from __future__ import annotations

import argparse

from .errors import OK
from .jobs import follow, job_result
from .output import Result
from .target import api_client


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("credit-sync", help="switch two-way credit sync on (pushes the credits) or off")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    on = sub.add_parser("on", parents=[common], help="PATCH /settings qbo_credit_sync on, then follow its job")
    on.add_argument("--no-watch", dest="watch", action="store_false", help="print the started job and return")
    on.set_defaults(run=on_command)
    off = sub.add_parser("off", parents=[common], help="PATCH /settings qbo_credit_sync off (back to one-way)")
    off.set_defaults(run=off_command)


def on_command(args: argparse.Namespace) -> Result:
    client = api_client(args)
    settings = client.patch("/settings", {"qbo_credit_sync": True}).json()
    job = settings.get("qbo_sync_job")
    if job is None:  # not connected (or on already): the switch alone, nothing to push now
        return Result(settings, "two-way credit sync is on; nothing to push now (not connected, or on already)", OK)
    if args.watch:
        job = follow(client, f"/qbo/jobs/{job['id']}", args, first=job)
    return job_result(job)


def off_command(args: argparse.Namespace) -> Result:
    settings = api_client(args).patch("/settings", {"qbo_credit_sync": False}).json()
    return Result(settings, "two-way credit sync is off: one-way from now on (credits stay here; nothing was "
                            "deleted in QuickBooks)", OK)
