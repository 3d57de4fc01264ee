"""Soft or hard disconnect of the account from QuickBooks (staff). Hard clears every QB ID of the account, so it asks
for confirmation (the account id typed back) unless --yes, and then follows the clearing job."""
from __future__ import annotations

import argparse
import sys

from .errors import OK, Aborted
from .jobs import follow, job_result
from .output import Result, note
from .target import account_of, api_client


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("disconnect", help="disconnect the account from QuickBooks")
    sub = group.add_subparsers(dest="mode", required=True, metavar="MODE")
    soft = sub.add_parser("soft", parents=[common],
                          help="revoke and drop the tokens, keep every QB ID (reconnect to the same company only)")
    soft.set_defaults(run=run)
    hard = sub.add_parser("hard", parents=[common],
                          help="revoke the tokens, then clear every QB ID, mapping and watermark (a job)")
    hard.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    hard.add_argument("--no-watch", dest="watch", action="store_false", help="return once the job is started")
    hard.set_defaults(run=run)


def run(args: argparse.Namespace) -> Result:
    client = api_client(args)
    if args.mode == "hard" and not args.yes:
        _confirm(client.get("/qbo/status").json(), account_of(args))
    answer = client.post("/qbo/disconnect", {"mode": args.mode}).json()
    text = (f"{args.mode} disconnect: the account is now {answer['state']}"
            + (f" (company {answer['realm_id']})" if answer.get("realm_id") else "")
            + ("" if answer.get("tokens_revoked") else "; no tokens were revoked at Intuit (none held, or refused)")
            + (f"; stopped job {answer['stopped_job_id']}" if answer.get("stopped_job_id") else ""))
    job = answer.get("job")
    if job is None:
        return Result(answer, text, OK)
    if getattr(args, "watch", False):
        job = follow(client, f"/qbo/jobs/{job['id']}", args, first=job)
        answer = {**answer, "job": job}
    shown = job_result(job)
    return Result(answer, f"{text}\n{shown.text}", shown.exit_code)


def _confirm(status: dict, account: str) -> None:
    """Ask on stderr, read stdin: go on only when the operator types the account id back."""
    company = status.get("realm_id") or "no company"
    note(f"Hard disconnect of account {account} ({'connected' if status.get('connected') else 'not connected'}, "
         f"{company}): revokes the tokens and clears every QB ID, sync status, import mapping and watermark of the "
         "account. Nothing re-syncs by itself afterwards.")
    note("Type the account id to go on: ")
    typed = sys.stdin.readline().strip()
    if not typed or typed != account:
        raise Aborted("not confirmed: nothing was disconnected")
