"""Export the overpayment credits that reached QBO as CreditMemos before 2026-02-25 (staff): the service's CSV, as it
sends it (formula-safe cells), to a file or stdout."""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from .output import Result
from .target import api_client

ROUTE = "/qbo/legacy-overpayment-credit-memos"


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("legacy", help="pre-2026-02-25 overpayment credits synced as CreditMemos")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = sub.add_parser("export", parents=[common], help=f"the list as CSV (GET {ROUTE}) to a file or stdout")
    export.add_argument("-o", "--output", type=Path, help="write the CSV here (default: stdout)")
    export.set_defaults(run=export_command)


def export_command(args: argparse.Namespace) -> Result:
    """CSV to --output or stdout; with --json and no --output, the list itself ({"data": [...]}) instead of CSV."""
    client = api_client(args)
    if args.json and args.output is None:
        listed = client.get(ROUTE).json()
        return Result(listed, "")
    body = client.get(ROUTE, accept="text/csv").body.decode("utf-8")
    rows = max(0, sum(1 for _ in csv.reader(io.StringIO(body))) - 1)
    if args.output is None:
        sys.stdout.write(body)
        return Result(None, "")
    args.output.write_bytes(body.encode("utf-8"))
    return Result({"file": str(args.output), "rows": rows}, f"{rows} legacy memos written to {args.output}")
