"""The account's QBO status panel (GET /qbo/status): where to start before any other command."""
from __future__ import annotations

import argparse

from .output import Result
from .target import api_client


def register(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    status = commands.add_parser("status", parents=[common], help="connection, pending count, parked errors")
    status.set_defaults(run=status_command)


def status_command(args: argparse.Namespace) -> Result:
    panel = api_client(args).get("/qbo/status").json()
    lines = [f"connected: {panel['connected']}  company: {panel.get('realm_id') or '-'}  sync: {panel['sync_mode']}",
             f"pending: {panel['pending']}  parked: {len(panel['errors'])}  last push: {panel.get('last_push_at') or '-'}"
             f"  last pull: {panel.get('last_pull_at') or '-'}"]
    lines += [f"  {e['object_type']} {e.get('number') or e['object_id']}: {e['code']} {e['message']} "
              f"({e['attempts']} attempts)" for e in panel["errors"]]
    return Result(panel, "\n".join(lines))
