"""`make run` end to end: start `python -m devstack.run`, use what its banner prints, stop it with SIGTERM."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANNER_END = "Ctrl-C stops the API"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(method: str, url: str, token: str | None = None, body: dict | None = None,
          headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_make_run_serves_the_api_connects_qbo_and_stops_everything(monkeypatch):
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("QBO_") and k not in ("CREDITS_TABLE", "DYNAMODB_ENDPOINT")}
    proc = subprocess.Popen([sys.executable, "-m", "devstack.run", "--port", str(port), "--qbo-port", "0"],
                            cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        assert _wait_for(lambda: any(BANNER_END in line for line in lines) or proc.poll() is not None, 90), "no banner"
        out = "".join(lines)
        assert BANNER_END in out, out
        owner = re.search(r"export OWNER_TOKEN=(\S+)", out).group(1)
        account, customer = re.search(r"Demo account (\w+); customers (\w+)", out).groups()
        ddb_endpoint, table = re.search(r"DynamoDB Local on (http://127\.0\.0\.1:\d+) \(table (\S+),", out).groups()
        qbo_url = re.search(r"QBO emulator on (\S+)", out).group(1)
        realm = re.search(r"connected to QBO company (\d+)", out).group(1)
        books_url = re.search(r"curl -s (\S+/books)", out).group(1)
        base = f"http://127.0.0.1:{port}"

        status, settings = _call("GET", f"{base}/settings", owner)
        assert status == 200 and settings["credits_enabled"] is True
        links = dict(re.findall(r"^  (owner|clerk|staff) \(.*?\):\s+(\S+)$", out, re.M))
        assert set(links) == {"owner", "clerk", "staff"}
        assert links["owner"] == f"{base}/console/#token={owner}"
        for link in links.values():  # the console page answers; each token is good for /me
            with urllib.request.urlopen(link.split("#")[0], timeout=10) as page:
                assert page.status == 200 and b'id="app"' in page.read()
            status, me = _call("GET", f"{base}/me", link.split("#token=")[1])
            assert status == 200 and me["account_id"] == account
        assert _call("GET", f"{base}/me", links["clerk"].split("#token=")[1])[1]["sees_credits"] is False
        status, credit = _call("POST", f"{base}/credits", owner, {"customer_id": customer, "amount": "25.00"},
                               {"Idempotency-Key": "devstack-smoke-1"})
        assert status == 201 and credit["remaining"] == "25.00"

        assert books_url == f"{qbo_url}/_control/companies/{realm}/books"
        status, books = _call("GET", books_url)
        assert status == 200 and set(books["objects"]) >= {"Customer", "Invoice", "CreditMemo"}
        # the in-process workers push it (stream → relay → queue → worker): poll, with a generous deadline
        synced = lambda: [m for m in _call("GET", books_url)[1]["objects"]["CreditMemo"]  # noqa: E731
                          if m.get("DocNumber") == credit["number"]]
        assert _wait_for(synced, 30), "the credit never reached the emulator's books"
        # the worker records the push just after QBO answered: the credit shows it a moment after the books do
        shown = lambda: _call("GET", f"{base}/credits/{credit['id']}", owner)[1]  # noqa: E731
        _wait_for(lambda: shown()["sync_status"] == "synced", 10)
        assert shown()["sync_status"] == "synced" and shown()["qbo_id"] == synced()[0]["Id"]

        # the demo account's connection is in DynamoDB, and its access token works on the emulator's v3 API
        from chalicelib.store.qbo_connections import DynamoTokenStore
        monkeypatch.setenv("DYNAMODB_ENDPOINT", ddb_endpoint)
        monkeypatch.setenv("CREDITS_TABLE", table)
        connection = DynamoTokenStore().get(account)
        assert connection is not None and connection.realm_id == realm
        query = urllib.parse.quote("select * from Customer")
        status, found = _call("GET", f"{qbo_url}/v3/company/{realm}/query?query={query}&minorversion=75",
                              connection.access_token, headers={"Accept": "application/json"})
        assert status == 200 and "QueryResponse" in found

        ddb_port, qbo_port = int(ddb_endpoint.rsplit(":", 1)[1]), int(qbo_url.rsplit(":", 1)[1])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert _wait_for(lambda: not _accepts(ddb_port), 10), "DynamoDB Local still answers after SIGTERM"
        assert not _accepts(port) and not _accepts(qbo_port)
    finally:  # on failure, kill what is left of the session we started (run.py and its java child)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        reader.join(timeout=5)
