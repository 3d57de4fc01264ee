"""Parity of the account's ledger with its QBO company (GET /qbo/parity, POST /qbo/parity/repair): list every
difference, or repair them and check again, in one command. A large account is checked in the background: the
command follows the check (202 with its progress) to its report."""
from __future__ import annotations

import argparse

from . import progress
from .client import ApiClient
from .errors import INCOMPLETE, OK, ServiceError
from .output import Result
from .target import api_client

NOT_CHECKED = "parity_not_checked"  # the repair of a large account needs a finished background check first


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("parity", help="ledger vs the QBO company: differences and their repair")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = sub.add_parser("check", parents=[common],
                           help="every difference with both values and its repair (exit 4 when there are any)")
    check.add_argument("--fresh", action="store_true",
                       help="large accounts: check again even if the last background report is recent")
    check.add_argument("--no-watch", dest="watch", action="store_false",
                       help="a background check: print its progress and return")
    check.set_defaults(run=check_command)
    repair = sub.add_parser("repair", parents=[common],
                            help="repair all differences (or the chosen ones), then check again")
    repair.add_argument("-d", "--difference", dest="differences", action="append", metavar="ID",
                        help="a difference id from `parity check` (repeat for more); default: all")
    repair.add_argument("--no-check", dest="verify", action="store_false",
                        help="do not check again afterwards")
    repair.set_defaults(run=repair_command)


def check_command(args: argparse.Namespace) -> Result:
    report = check(api_client(args), args, fresh=args.fresh, watch=args.watch)
    if report["status"] == "running":
        return Result(report, f"parity check running: {report.get('done', 0)} of {report.get('total', 0)} steps "
                              f"(follow it: parity check)", OK)
    text = describe(report) + (f"\n  (the first {len(report['differences'])} listed)" if report.get("truncated")
                               else "")
    return Result(report, text, INCOMPLETE if report["differences"] else OK)


def repair_command(args: argparse.Namespace) -> Result:
    client = api_client(args)
    body = {} if not args.differences else {"differences": args.differences}
    try:
        answer = client.post("/qbo/parity/repair", body).json()
    except ServiceError as error:
        if error.code != NOT_CHECKED:
            raise
        check(client, args, fresh=False, watch=True)  # a large account: its background check first, then repair
        answer = client.post("/qbo/parity/repair", body).json()
    after = check(client, args, fresh=False, watch=True) if args.verify else None
    lines = [f"repaired {len(answer['repaired'])}, refused {len(answer['refused'])}, failed {len(answer['failed'])}"
             + (f", already resolved {len(answer['already_resolved'])}" if answer.get("already_resolved") else "")]
    lines += [f"  refused {r['id']} ({r['kind']}): {r['why']}" for r in answer["refused"]]
    lines += [f"  failed {f['id']}: {f['message']}" for f in answer["failed"]]
    if after is not None:
        lines.append(describe(after))
        if after.get("truncated"):
            lines.append(f"  (the first {len(after['differences'])} listed; --json for the report)")
    well = not answer["failed"] and not answer["refused"] and (after is None or not after["differences"])
    return Result({"repair": answer, "check": after}, "\n".join(lines), OK if well else INCOMPLETE)


def check(client: ApiClient, args: argparse.Namespace, *, fresh: bool, watch: bool) -> dict:
    """The report; a background check (202) is followed to it unless `watch` is off."""
    report = client.get("/qbo/parity?fresh=true" if fresh else "/qbo/parity").json()
    if report["status"] == "running" and watch:
        report = progress.follow(lambda: client.get("/qbo/parity").json(), label="parity check",
                                 interval=args.interval, first=report, hint=": see it with `parity check`")
    return report


def describe(report: dict) -> str:
    differences = report["differences"]
    extras = ([f"checked at {report['checked_at']}"] if report.get("checked_at") else []) + (
        [f"{report['qbo_requests']} QBO requests"] if "qbo_requests" in report else [])
    count = int(report.get("total", len(differences)))
    lines = [f"parity: {count} difference{'' if count == 1 else 's'}" + (f" ({', '.join(extras)})" if extras else "")]
    for d in differences:
        ours = f"{d['object_type']} {d['object_id']}" if d.get("object_id") else "-"
        theirs = f"{d['qbo_type']} {d['qbo_id']}" if d.get("qbo_id") else "-"
        repair = d["repair"]
        lines.append(f"  {d['id']}  {d['kind']}: ours {ours} = {d['ours'] or '-'}, QBO {theirs} = "
                     f"{d['theirs'] or '-'}; repair: {repair['action']}"
                     + ("" if repair["automatic"] else f" (by hand: {repair['why']})"))
    return "\n".join(lines)
