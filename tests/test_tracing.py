"""Tracing is switched on by POWERTOOLS_TRACE_DISABLED=false (the template's Tracing=Active sets it): then every
handler sends X-Ray segments; off (the default), neither the tracer nor the X-Ray SDK is imported.

The traced run is a fresh interpreter that believes it is in Lambda (LAMBDA_TASK_ROOT, a trace header) and sends
its segments to a UDP socket of this test, where the X-Ray daemon would listen.
"""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
import app
event = {"requestContext": {"httpMethod": "GET", "resourcePath": "/openapi.json", "path": "/openapi.json",
                            "identity": {"sourceIp": "127.0.0.1"}},
         "headers": {}, "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": {},
         "body": None, "isBase64Encoded": False}
class Context:
    aws_request_id = "trace-probe"
    function_name = "credits-prod"
reply = app.app(event, Context())
print(json.dumps({"status": reply["statusCode"], "xray": "aws_xray_sdk" in sys.modules}))
"""
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"


def _probe(**env: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "LOCAL_DEV": "1", **env})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_tracing_is_off_by_default_and_imports_no_tracer():
    env = {k: v for k, v in os.environ.items() if k != "POWERTOOLS_TRACE_DISABLED"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         env={**env, "LOCAL_DEV": "1"})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == {"status": 200, "xray": False}


def test_switched_on_every_request_sends_its_segment_to_the_xray_daemon():
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(30)
    address = "127.0.0.1:%d" % daemon.getsockname()[1]
    try:
        probe = _probe(POWERTOOLS_TRACE_DISABLED="false", LAMBDA_TASK_ROOT=str(ROOT),
                       AWS_XRAY_DAEMON_ADDRESS=address, AWS_XRAY_CONTEXT_MISSING="LOG_ERROR",
                       _X_AMZN_TRACE_ID=f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1")
        assert probe == {"status": 200, "xray": True}
        segments = []
        daemon.setblocking(False)  # the probe has exited: whatever it sent is in the socket's buffer
        try:
            while True:
                header, _, body = daemon.recv(65536).decode().partition("\n")
                segments.append(json.loads(body))
        except BlockingIOError:
            pass
    finally:
        daemon.close()
    handler = [s for s in segments if s.get("name") == "## GET /openapi.json"]
    assert handler and all(s["trace_id"] == TRACE_ID for s in handler)
    assert handler[0]["annotations"]["ColdStart"] is True
    assert "response" not in json.dumps(handler[0].get("metadata", {}))  # bodies carry account data: not traced


WORKER_PROBE = """
import json
from aws_lambda_powertools import Tracer
from aws_xray_sdk.core import xray_recorder
from chalicelib.workers import worker

seen = {}
def push(account_id, sent_at=None):
    seen[account_id] = xray_recorder.get_trace_entity().name
event = {"Records": [{"messageId": f"m{n}", "body": json.dumps({"kind": "push", "account_id": account}),
                      "attributes": {"MessageGroupId": f"push:{account}"}} for n, account in enumerate("ab")]}
with Tracer(service="credits").provider.in_subsegment(name="## sync_worker"):
    worker.handle_event(event, {"push": push})
print(json.dumps(seen))
"""


def test_the_workers_group_threads_trace_under_the_invocations_segment():
    """Each message group runs in a thread of its own; X-Ray keeps the current segment per thread, so without the
    carried segment their DynamoDB and QBO calls would hang off a new facade segment instead."""
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    try:
        out = subprocess.run([sys.executable, "-c", WORKER_PROBE], cwd=ROOT, capture_output=True, text=True,
                             env={**os.environ, "LOCAL_DEV": "1", "POWERTOOLS_TRACE_DISABLED": "false",
                                  "LAMBDA_TASK_ROOT": str(ROOT), "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
                                  "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:%d" % daemon.getsockname()[1],
                                  "_X_AMZN_TRACE_ID": f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1"})
    finally:
        daemon.close()
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == {"a": "## sync_worker", "b": "## sync_worker"}
