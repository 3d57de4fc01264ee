"""The ops CLI (issue 12 §5) in-process, over real HTTP: Chalice's local server (the one `make run` serves) on a free
port in front of the session's DynamoDB Local, the account connected to its own emulator company. Jobs run for real
(`run_job` against the emulator); the CLI's wait between polls is where the worker's step happens, so progress is
seen poll by poll without timing anything."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Account
from tests.qbo.conftest import emulator_env, emulator_settings, qbo_emulator, realm  # noqa: F401 (fixtures)
from tests.qbo.consent import connected_account

ROOT = Path(__file__).resolve().parent.parent
SECRET = "ops-cli-test-secret-0f3c9a1d5e7b28c4d6e1"  # the "stage's" JWT secret: never printed


@pytest.fixture(scope="module")
def api_url(chalice_app):
    """The API on a real socket: requests → Chalice's local server → the app, as under `make run` (no access log on
    stderr: stderr is what the CLI prints)."""
    from devstack import api_server

    api = api_server.serve(chalice_app, quiet=True)
    yield api.url
    api.stop()


def _without_service_lines(out: str) -> str:
    """What the CLI printed, without the in-process service's log and EMF lines (one JSON object per line, with
    `level` or `_aws`): here the server and the worker share the CLI's stdout, a deployed service never does."""
    def service_line(line: str) -> bool:
        try:
            record = json.loads(line)
        except ValueError:
            return False
        return isinstance(record, dict) and ("level" in record or "_aws" in record)

    return "".join(line for line in out.splitlines(keepends=True) if not service_line(line))


@dataclass
class Ops:
    """Runs `python -m chalicelib.ops` in-process against `url` for `account`; collects everything it printed."""

    url: str
    account: Account
    capsys: pytest.CaptureFixture
    realm: object
    hints: list = field(default_factory=list)
    steps: int = 0
    printed: list = field(default_factory=list)

    def __call__(self, *argv: str, stdin: str | None = None, account: bool = True) -> tuple[int, str, str]:
        from chalicelib.ops.cli import main

        args = [*argv, "--url", self.url, "--as", "support-1", "--interval", "0"]
        if account:
            args += ["--account", self.account.id]
        self.capsys.readouterr()
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            code = main(args)
        finally:
            sys.stdin = sys.__stdin__
        out, err = self.capsys.readouterr()
        self.printed += [out, err]  # the service's own lines too: no secret may show anywhere
        return code, _without_service_lines(out), err

    def json(self, *argv: str, **kw) -> tuple[int, dict]:
        code, out, _ = self(*argv, "--json", **kw)
        return code, json.loads(out)  # exactly one document, or this raises

    def worker_step(self, _interval: float) -> None:
        """What the sync worker would do between two polls: one step of each queued job (a page or a batch)."""
        from chalicelib.qbo.client import build_client
        from chalicelib.services.sync.jobs import run_job

        queued, self.hints[:] = list(self.hints), []
        for job_id in queued:
            run_job(job_id, budget=1, sleep=lambda s: None,
                    client_factory=lambda account_id: build_client(account_id, settings=emulator_settings(self.realm)))
            self.steps += 1

    def books(self, entity: str) -> list[dict]:
        return self.realm.books()["objects"].get(entity, [])


@pytest.fixture
def ops(http, realm, api_url, capsys, monkeypatch) -> Ops:  # noqa: F811 (realm is the imported fixture)
    from chalicelib.ops import progress
    from chalicelib.services.sync import forget, jobs

    monkeypatch.setenv("JWT_SECRET", SECRET)  # before any token is minted: the service and the CLI share it
    for name in ("CREDITS_TOKEN", "CREDITS_API_URL", "CREDITS_ACCOUNT_ID", "CREDITS_STACK"):
        monkeypatch.delenv(name, raising=False)
    emulator_env(realm, monkeypatch)
    realm.limits(enabled=False)
    runner = Ops(api_url, connected_account(http, realm), capsys, realm)
    monkeypatch.setattr(jobs, "send_hint", lambda job: runner.hints.append(job.id))
    monkeypatch.setattr(progress, "pause", runner.worker_step)
    monkeypatch.setattr(forget, "PAGE", 5)  # a hard disconnect in several steps: progress moves poll by poll
    yield runner
    everything = "".join(runner.printed)
    assert SECRET not in everything and "eyJ" not in everything  # no secret, no JWT, in anything printed


def history(account: Account, credits: int = 4) -> None:
    """Credits, and a sale paid with an overpayment: customers, an invoice, a payment, credits to re-sync."""
    owner = account.owner
    for i in range(credits):
        assert owner.post("/credits", {"customer_id": account.customers[i % 2], "amount": f"{10 + i}.00"}).status == 201
    order = owner.post("/sales-orders", {"customer_id": account.customers[0], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "80.00"}], "charges": []}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "100.00"}], "credits": None})
    assert paid.status == 201, paid.body


# ----- status -------------------------------------------------------------------------------------------------------

def test_status_shows_the_panel_in_words_and_as_json(ops):
    history(ops.account, credits=2)
    code, out, _ = ops("status")
    assert code == 0 and f"connected: True  company: {ops.realm.realm_id}  sync: two_way" in out
    assert "pending: " in out and "pending: 0 " not in out  # what the history left to push
    code, panel = ops.json("status")
    assert code == 0 and panel["connected"] is True and panel["realm_id"] == ops.realm.realm_id
    assert panel["pending"] > 0 and panel["errors"] == []


# ----- mass re-sync -------------------------------------------------------------------------------------------------

def test_resync_start_follows_the_job_to_its_end(ops):
    history(ops.account)
    code, out, _ = ops("resync", "start")
    assert code == 0, out
    job_id = out.split()[1].rstrip(":")
    job = ops.account.staff.get(f"/qbo/resyncs/{job_id}").json
    assert job["status"] == "done" and job["done"] == job["total"] > 0 and job["failed"] == 0
    assert out.startswith(f"re-sync {job_id}: done, {job['done']} of {job['total']} done, 0 failed")
    assert ops.steps > 1  # followed over several polls, a worker step between each
    assert len(ops.books("CreditMemo")) == 4 and len(ops.books("Invoice")) == 1 and len(ops.books("Payment")) == 1


def test_resync_start_json_is_the_finished_job(ops):
    history(ops.account, credits=2)
    code, job = ops.json("resync", "start")
    assert code == 0
    assert job["kind"] == "resync" and job["status"] == "done" and job["done"] == job["total"] > 0
    assert job == ops.account.staff.get(f"/qbo/resyncs/{job['id']}").json


def test_resync_without_watch_returns_the_running_job_and_watch_follows_it(ops):
    history(ops.account, credits=2)
    code, started = ops.json("resync", "start", "--no-watch")
    assert code == 0 and started["status"] == "running" and ops.steps == 0
    code, out, _ = ops("resync", "watch", started["id"])
    assert code == 0 and out.startswith(f"re-sync {started['id']}: done")
    code, again = ops.json("resync", "watch", started["id"])  # over already: answered at once
    assert code == 0 and again["status"] == "done" and again["id"] == started["id"]
    code, job = ops.json("job", "watch", started["id"])
    assert code == 0 and job == again


def test_a_refused_resync_exits_1_with_the_service_error_code(ops):
    ops("resync", "start", "--no-watch")
    code, out, err = ops("resync", "start", "--no-watch")  # one at a time
    assert code == 1 and out == "" and err.startswith("error: job_running (HTTP 409): ")
    code, answer = ops.json("resync", "start")
    assert code == 1 and answer["error"]["code"] == "job_running" and answer["status"] == 409
    assert answer["exit_code"] == 1


def test_a_job_that_fails_exits_4(ops):
    history(ops.account, credits=1)
    code, started = ops.json("resync", "start", "--no-watch")
    ops.account.staff.post("/qbo/disconnect", {"mode": "soft"})  # stops the running re-sync
    code, job = ops.json("resync", "watch", started["id"])
    assert code == 4 and job["status"] == "failed" and job["stopped"] == "disconnected"
    code, out, _ = ops("job", "watch", started["id"])
    assert code == 4 and out.startswith(f"re-sync {started['id']}: failed (disconnected)")


def test_progress_bar_on_a_terminal_goes_to_stderr(ops, monkeypatch):
    history(ops.account, credits=2)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: treat stderr as a terminal
    code, job = ops.json("resync", "start")
    err = ops.printed[-1]
    assert code == 0 and "re-sync" in err and f"{job['done']}/{job['total']}" in err


def test_ctrl_c_stops_following_not_the_job(ops, monkeypatch):
    from chalicelib.ops import progress

    history(ops.account, credits=1)

    def interrupted(_interval):
        raise KeyboardInterrupt

    monkeypatch.setattr(progress, "pause", interrupted)
    code, out, err = ops("resync", "start")
    job_id = err.split("job watch ")[1].split("`")[0]
    assert code == 130 and out == "" and "error: interrupted: stopped following; the job goes on" in err
    assert ops.account.staff.get(f"/qbo/resyncs/{job_id}").json["status"] == "running"


def test_resume_queues_a_running_job_and_refuses_a_finished_one(ops):
    history(ops.account, credits=1)
    _, started = ops.json("resync", "start", "--no-watch")
    ops.hints.clear()  # its step was lost (the DLQ)
    code, job = ops.json("job", "resume", started["id"])
    assert code == 0 and job["status"] == "done"  # queued again, then followed to its end
    code, out, err = ops("job", "resume", started["id"])
    assert code == 1 and "error: job_not_running (HTTP 409)" in err


# ----- disconnect ---------------------------------------------------------------------------------------------------

def test_soft_disconnect(ops):
    code, out, _ = ops("disconnect", "soft")
    assert code == 0 and out.startswith("soft disconnect: the account is now soft_disconnected")
    assert ops.account.staff.get("/qbo/status").json["sync_mode"] == "paused"
    code, out, err = ops("disconnect", "soft")  # a second time: nothing left to disconnect
    assert code == 1 and out == "" and err.startswith("error: not_connected (HTTP 409): ")


def test_soft_disconnect_json(ops):
    code, answer = ops.json("disconnect", "soft")
    assert code == 0 and answer["mode"] == "soft" and answer["state"] == "soft_disconnected"
    assert answer["realm_id"] == ops.realm.realm_id and answer["tokens_revoked"] is True and answer["job"] is None


def test_hard_disconnect_asks_first_and_is_not_done_unconfirmed(ops):
    history(ops.account, credits=1)
    for typed in ("", "yes\n", "some-other-account\n"):
        code, out, err = ops("disconnect", "hard", stdin=typed)
        assert code == 5 and out == "" and "Type the account id" in err and "error: aborted" in err
    assert ops.account.staff.get("/qbo/status").json["connected"] is True
    code, out, err = ops("disconnect", "hard", stdin=ops.account.id + "\n")
    assert code == 0 and "hard disconnect: the account is now none" in out
    assert "hard disconnect " in out.splitlines()[1] and ": done, " in out and ops.steps > 1
    status = ops.account.staff.get("/qbo/status").json
    assert status["connected"] is False and status["sync_mode"] == "off"


def test_hard_disconnect_yes_json_follows_the_clearing_job(ops):
    history(ops.account, credits=2)
    ops.json("resync", "start")
    assert all(c["qbo_id"] for c in ops.account.owner.get("/credits").json["data"])
    code, answer = ops.json("disconnect", "hard", "--yes")
    assert code == 0 and answer["mode"] == "hard" and answer["state"] == "none"
    job = answer["job"]
    assert job["kind"] == "hard_disconnect" and job["status"] == "done" and job["done"] == job["total"] > 5
    assert not any(c["qbo_id"] for c in ops.account.owner.get("/credits").json["data"])


# ----- legacy overpayment memos -------------------------------------------------------------------------------------

def legacy_memo(account: Account) -> dict:
    """An overpayment credit recorded as synced to QBO as a CreditMemo before 2026-02-25."""
    from chalicelib.services.sync.legacy import record_legacy_memo

    owner = account.owner
    customer = owner.post("/customers", {"name": "=HYPERLINK(\"x\")"}).json["id"]  # a formula in a cell
    order = owner.post("/sales-orders", {"customer_id": customer, "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": "60.00"}], "charges": []}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [{"method": "check", "amount": "75.00"}], "credits": None}).json
    record_legacy_memo(account.id, paid["overpayment_credit_id"], "4242", "2026-01-10T09:00:00Z")
    return owner.get(f"/credits/{paid['overpayment_credit_id']}").json


def test_legacy_export_csv_to_stdout_and_to_a_file(ops, tmp_path):
    ops("disconnect", "soft")  # not connected: QBO is not asked, `QBO Books Differ` stays empty
    credit = legacy_memo(ops.account)
    code, out, _ = ops("legacy", "export")
    served = ops.account.staff.get("/qbo/legacy-overpayment-credit-memos", headers={"Accept": "text/csv"}).body
    assert code == 0 and out.encode() == served  # the service's CSV, byte for byte
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][0] == "Credit Number" and rows[1][0] == credit["number"] and rows[1][2] == "'=HYPERLINK(\"x\")"
    assert rows[1][3:6] == ["15.00", "15.00", "4242"]
    target = tmp_path / "legacy.csv"
    code, out, _ = ops("legacy", "export", "-o", str(target))
    assert code == 0 and out == f"1 legacy memos written to {target}\n" and target.read_bytes() == served
    code, answer = ops.json("legacy", "export", "--output", str(tmp_path / "again.csv"))
    assert code == 0 and answer == {"file": str(tmp_path / "again.csv"), "rows": 1}
    assert (tmp_path / "again.csv").read_bytes() == served


def test_legacy_export_json_is_the_list(ops):
    ops("disconnect", "soft")
    credit = legacy_memo(ops.account)
    code, listed = ops.json("legacy", "export")
    assert code == 0 and [r["credit_id"] for r in listed["data"]] == [credit["id"]]
    assert listed["data"][0]["qbo_credit_memo_id"] == "4242" and listed["data"][0]["amount"] == "15.00"


# ----- who may, and where ---------------------------------------------------------------------------------------------

def test_a_token_that_is_not_staff_is_refused_with_the_service_code(ops, monkeypatch):
    monkeypatch.setenv("CREDITS_TOKEN", ops.account.owner.token)
    code, out, err = ops("resync", "start", account=False)
    assert code == 1 and err.startswith("error: staff_only (HTTP 403)")
    code, answer = ops.json("disconnect", "soft", account=False)
    assert code == 1 and answer["error"]["code"] == "staff_only" and answer["status"] == 403


def test_a_given_staff_token_names_the_account(ops, monkeypatch):
    monkeypatch.setenv("CREDITS_TOKEN", ops.account.staff.token)
    code, panel = ops.json("status", account=False)
    assert code == 0 and panel["realm_id"] == ops.realm.realm_id
    code, answer = ops.json("disconnect", "hard", account=False, stdin=ops.account.id + "\n")  # confirmed from it
    assert code == 0 and answer["job"]["status"] == "done"


def test_a_token_minted_with_another_secret_is_401(ops, monkeypatch):
    from chalicelib.login_tokens import issue_token

    monkeypatch.setenv("JWT_SECRET", "not-the-stage-secret-but-just-as-long-0123")
    forged = issue_token("support-1", ops.account.id, staff=True)
    monkeypatch.setenv("JWT_SECRET", SECRET)
    monkeypatch.setenv("CREDITS_TOKEN", forged)
    code, answer = ops.json("status", account=False)
    assert code == 1 and answer["error"]["code"] == "unauthenticated" and answer["status"] == 401


def test_no_secret_no_token_no_account_are_usage_errors(ops, monkeypatch):
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.delenv("LOCAL_DEV")
    code, answer = ops.json("status")
    assert code == 2 and answer["error"]["code"] == "ops_config" and "JWT_SECRET" in answer["error"]["message"]
    monkeypatch.setenv("JWT_SECRET", SECRET)
    code, out, err = ops("status", account=False)
    assert code == 2 and "--account" in err


def test_an_unreachable_service_exits_3(ops):
    from chalicelib.ops.cli import main

    code = main(["status", "--url", "http://127.0.0.1:9", "--account", ops.account.id, "--json"])
    out, err = ops.capsys.readouterr()
    ops.printed += [out, err]
    out = _without_service_lines(out)  # the fixture's setup requests may still be flushing their lines
    assert code == 3 and json.loads(out)["error"]["code"] == "unreachable" and "error: unreachable" in err


def test_the_api_never_imports_the_cli():
    """The CLI ships in chalicelib/ but is a client: the Lambda's app (and its cold start) never load it."""
    probe = "import sys, app; print(sorted(m for m in sys.modules if m.startswith(('chalicelib.ops', 'rich'))))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"LOCAL_DEV": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
