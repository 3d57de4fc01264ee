"""`python -m chalicelib.ops COMMAND ACTION [options]`: the command groups, each in its own module, and one place
that turns what they answer (or raise) into output and an exit code."""
from __future__ import annotations

import argparse
import sys

from . import credit_sync, disconnect, dlq, jobs, legacy, parity, resync, status, target
from .errors import OpsError
from .output import emit, emit_error

GROUPS = (status, parity, resync, credit_sync, jobs, disconnect, legacy, dlq)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chalicelib.ops",
        description="Support staff's jobs against a deployed stage (--stack / --url, JWT_SECRET) or the local stack "
                    "(make run, LOCAL_DEV=1). Exit codes: 0 ok, 1 the service refused (its error code is printed), "
                    "2 usage or configuration, 3 unreachable or a 5xx, 4 ran but not all succeeded (or parity differences), 5 not confirmed, "
                    "130 interrupted.")
    common = argparse.ArgumentParser(add_help=False)
    target.add_arguments(common)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.run(args)
    except OpsError as error:
        return emit_error(error, as_json=args.json)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return emit(result, as_json=args.json)
