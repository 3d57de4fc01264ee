"""Mass re-sync to the connected company (staff): start one and follow it, or follow one already running."""
from __future__ import annotations

import argparse

from .jobs import follow, job_result
from .output import Result
from .target import api_client


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("resync", help="mass re-sync of the account to its connected QBO company")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = sub.add_parser("start", parents=[common], help="start one (POST /qbo/resyncs) and follow it")
    start.add_argument("--no-watch", dest="watch", action="store_false", help="print the started job and return")
    start.set_defaults(run=start_command)
    watch = sub.add_parser("watch", parents=[common], help="follow a running re-sync (GET /qbo/resyncs/{id})")
    watch.add_argument("resync_id")
    watch.set_defaults(run=watch_command)


def start_command(args: argparse.Namespace) -> Result:
    client = api_client(args)
    job = client.post("/qbo/resyncs", {}).json()
    if args.watch:
        job = follow(client, f"/qbo/resyncs/{job['id']}", args, first=job)
    return job_result(job)


def watch_command(args: argparse.Namespace) -> Result:
    return job_result(follow(api_client(args), f"/qbo/resyncs/{args.resync_id}", args))
