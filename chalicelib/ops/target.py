"""Where a command goes: the API's URL, the account, the token, the sync queues; from flags, then the environment,
then the stage's CloudFormation outputs (`--stack`), then the local stack's defaults."""
from __future__ import annotations

import argparse
import getpass
import os
from functools import lru_cache
from typing import Callable

from .client import ApiClient, StaffToken
from .errors import ConfigError, Unreachable

LOCAL_API_URL = "http://127.0.0.1:8000"  # `make run` (devstack/run.py: API_HOST, --port 8000)
ENDPOINT_OUTPUT = "EndpointURL"  # what `chalice package` names the API's URL in the template's outputs
QUEUE_OUTPUT, DLQ_OUTPUT = "SyncQueueUrl", "SyncDeadLetterQueueUrl"  # deploy/resources.json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command takes (after the command's name, so `--json` goes anywhere at the end)."""
    where = parser.add_argument_group("where")
    where.add_argument("--url", default=os.environ.get("CREDITS_API_URL"),
                       help=f"the API's base URL (env CREDITS_API_URL; else the stack's {ENDPOINT_OUTPUT}; "
                            f"else {LOCAL_API_URL}, the local stack)")
    where.add_argument("--stack", default=os.environ.get("CREDITS_STACK"),
                       help="the stage's CloudFormation stack: URL and queues from its outputs (env CREDITS_STACK)")
    where.add_argument("--region", default=None, help="AWS region of the stack and queues (default: AWS's usual)")
    who = parser.add_argument_group("who")
    who.add_argument("--account", default=os.environ.get("CREDITS_ACCOUNT_ID"),
                     help="the customer's account id (env CREDITS_ACCOUNT_ID)")
    who.add_argument("--as", dest="staff_user", default=os.environ.get("CREDITS_STAFF_USER"),
                     help="the staff user id minted tokens name (env CREDITS_STAFF_USER; default ops:<login>)")
    who.add_argument("--token", default=None,
                     help="a staff bearer token to use instead of minting one (better: env CREDITS_TOKEN, which "
                          "does not show in the process list); minting needs JWT_SECRET, the stage's secret")
    out = parser.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="one JSON document on stdout (progress on stderr)")
    out.add_argument("--interval", type=float, default=2.0, help="seconds between polls of a running job")


@lru_cache(maxsize=8)
def stack_outputs(stack: str, region: str | None) -> dict[str, str]:
    """OutputKey → OutputValue of a deployed stage's stack."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stacks = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)["Stacks"]
    except (BotoCoreError, ClientError) as error:
        raise Unreachable(f"CloudFormation could not describe stack {stack!r}: {error}") from None
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def from_stack(args: argparse.Namespace, key: str) -> str | None:
    return stack_outputs(args.stack, args.region).get(key) if args.stack else None


def api_url(args: argparse.Namespace) -> str:
    return args.url or from_stack(args, ENDPOINT_OUTPUT) or LOCAL_API_URL


def staff_user(args: argparse.Namespace) -> str:
    if args.staff_user:
        return args.staff_user
    try:
        return f"ops:{getpass.getuser()}"
    except (KeyError, OSError):
        return "ops:cli"


def token_source(args: argparse.Namespace) -> Callable[[], str]:
    """A given token as is; else one minted for `--account` with the stage's secret."""
    given = args.token or os.environ.get("CREDITS_TOKEN")
    if given:
        return lambda: given
    if not args.account:
        raise ConfigError("name the account: --account or CREDITS_ACCOUNT_ID (or give a staff token that names it)")
    return StaffToken(staff_user(args), args.account)


def account_of(args: argparse.Namespace) -> str:
    """The account a command acts on: --account, else the one a given token names (read, not verified: the
    service verifies it)."""
    if args.account:
        return args.account
    import jwt

    given = args.token or os.environ.get("CREDITS_TOKEN") or ""
    try:
        return str(jwt.decode(given, options={"verify_signature": False}).get("account_id") or "")
    except jwt.PyJWTError:
        return ""


def api_client(args: argparse.Namespace) -> ApiClient:
    return ApiClient(api_url(args), token_source(args))


def queue_urls(args: argparse.Namespace) -> tuple[str, str]:
    """(sync FIFO queue, its dead-letter queue): flags, env SYNC_QUEUE_URL / SYNC_DLQ_URL, the stack's outputs."""
    queue = args.queue_url or os.environ.get("SYNC_QUEUE_URL") or from_stack(args, QUEUE_OUTPUT)
    dlq = args.dlq_url or os.environ.get("SYNC_DLQ_URL") or from_stack(args, DLQ_OUTPUT)
    if not queue or not dlq:
        raise ConfigError("name both queues: --queue-url and --dlq-url, env SYNC_QUEUE_URL and SYNC_DLQ_URL, or "
                          f"--stack (outputs {QUEUE_OUTPUT} and {DLQ_OUTPUT})")
    return queue, dlq
