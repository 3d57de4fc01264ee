"""What can stop a command, each with the exit code scripts see (README, "Ops CLI")."""
from __future__ import annotations

from typing import Any

OK = 0
REFUSED = 1          # the service answered an error (its code is printed)
USAGE = 2            # bad arguments or missing configuration (argparse uses 2 as well)
UNAVAILABLE = 3      # the service, SQS or CloudFormation could not be reached, or failed (5xx)
INCOMPLETE = 4       # the work ran but not all of it succeeded: a failed job, objects it could not sync, messages left
ABORTED = 5          # the operator did not confirm
INTERRUPTED = 130    # Ctrl-C while following a job (the job keeps running)


class OpsError(Exception):
    """A command stops here: `message` for people (stderr), `document` for --json (stdout)."""

    exit_code = UNAVAILABLE
    code = "ops_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def document(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details},
                "exit_code": self.exit_code}


class ConfigError(OpsError):
    """Something the command needs is not given: a URL, an account, a secret or token, a queue."""

    exit_code = USAGE
    code = "ops_config"


class ServiceError(OpsError):
    """The API answered with its error shape `{"error": {"code", "message", "details"}}`."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, details=details)
        self.status = status
        self.exit_code = UNAVAILABLE if status >= 500 else REFUSED

    def document(self) -> dict[str, Any]:
        return {**super().document(), "status": self.status}


class Unreachable(OpsError):
    """No answer: connection refused, DNS, TLS, timeout; or an AWS call that failed."""

    code = "unreachable"


class Aborted(OpsError):
    exit_code = ABORTED
    code = "aborted"


class Interrupted(OpsError):
    exit_code = INTERRUPTED
    code = "interrupted"
