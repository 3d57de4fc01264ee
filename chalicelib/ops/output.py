"""What a command answers: one JSON document on stdout with --json, else lines for people; notes go to stderr."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from .errors import OK, OpsError


@dataclass
class Result:
    """`document` is printed with --json, `text` without; `exit_code` either way."""

    document: Any
    text: str
    exit_code: int = OK


def emit(result: Result, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps(result.document, indent=2, sort_keys=True), file=sys.stdout)
    elif result.text:
        print(result.text, file=sys.stdout)
    return result.exit_code


def emit_error(error: OpsError, *, as_json: bool) -> int:
    """The error's document on stdout with --json (scripts read `.error.code`), always a line on stderr."""
    if as_json:
        print(json.dumps(error.document(), indent=2, sort_keys=True), file=sys.stdout)
    status = getattr(error, "status", None)
    where = f" (HTTP {status})" if status else ""
    print(f"error: {error.code}{where}: {error.message}", file=sys.stderr)
    if error.details and not as_json:
        print(f"details: {json.dumps(error.details, sort_keys=True)}", file=sys.stderr)
    return error.exit_code


def note(text: str) -> None:
    """A line for the operator that is not the result (stderr, so stdout stays one document)."""
    print(text, file=sys.stderr)
