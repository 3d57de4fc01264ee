"""Support staff at the console's QuickBooks panel, against the QBO emulator: connect through the emulator's consent
page (the browser follows the redirect to the API's callback), see a credit reach QuickBooks (its QB ID appears),
retry a push QuickBooks refused, repair a difference found by parity, and follow a mass re-sync's progress.

What the sync workers do in a deployment (push, job steps) the test does between two looks at the screen: the
console only reads what the API serves."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import open_console
from tests.conftest import make_account
from tests.qbo.test_sync_status import _use_item
from tests.qbo.conftest import emulator_env, emulator_settings, qbo_emulator, realm  # noqa: F401 (fixtures)

pytestmark = pytest.mark.xdist_group("browser")


class Workers:
    """The sync worker's part, run when the test says so: pushes, and the steps of queued jobs."""

    def __init__(self, account_id: str, realm):  # noqa: F811 (realm is also a fixture's name)
        self.account_id, self.realm, self.hints = account_id, realm, []

    def client(self, account_id: str):
        from chalicelib.qbo.client import build_client

        return build_client(account_id, settings=emulator_settings(self.realm, max_attempts=1))

    def push(self):
        from chalicelib.services.sync.push import push_pending

        return push_pending(self.account_id, client=self.client(self.account_id))

    def run_jobs(self) -> int:
        from chalicelib.services.sync.jobs import run_job

        steps = 0
        while self.hints:
            run_job(self.hints.pop(0), budget=1, sleep=lambda s: None, client_factory=self.client)
            steps += 1
        return steps


def _account_on_the_emulator(http, realm, api_url, monkeypatch, *, credit_sync: bool):  # noqa: F811
    """An account (two-way credit sync switched on by staff, or left off: one-way once connected), not connected;
    the emulator's OAuth client redirects to this API's /qbo/callback, as the deployed app's redirect URI is
    registered with Intuit."""
    from chalicelib.services.sync import jobs

    emulator_env(realm, monkeypatch)
    callback = f"{api_url}/qbo/callback"
    reply = requests.post(f"{realm.emulator.url}/_control/clients/{realm.info['client_id']}",
                          json={"redirect_uris": [callback]}, timeout=10)
    assert reply.status_code == 200, reply.text
    monkeypatch.setenv("QBO_REDIRECT_URI", callback)
    realm.limits(enabled=False)
    account = make_account(http)
    if credit_sync:
        assert account.staff.patch("/settings", {"qbo_credit_sync": True}).status == 200
    workers = Workers(account.id, realm)
    monkeypatch.setattr(jobs, "send_hint", lambda job: workers.hints.append(job.id))
    return account, workers


@pytest.fixture
def staff_setup(http, realm, api_url, monkeypatch):  # noqa: F811
    """An account with credit sync switched on but not connected."""
    return _account_on_the_emulator(http, realm, api_url, monkeypatch, credit_sync=True)


def connect_in_the_browser(page, api_url: str) -> None:
    """The panel's Connect QuickBooks: the emulator's consent page (a new tab) redirects to the API's callback."""
    expect(page.get_by_test_id("qbo-connection")).to_have_text("Not connected")
    with page.context.expect_page() as consent:
        page.get_by_role("button", name="Connect QuickBooks").click()
    landing = consent.value  # the emulator's consent page redirected to the API's callback
    landing.wait_for_load_state()
    if landing.url.startswith(f"{api_url}/qbo/callback?"):  # the callback's own answer (DESIGN §4: 2xx ...)
        assert '"connected":true' in landing.content().replace(" ", "")
    else:  # (... or a 302/303 back to the app)
        assert landing.url.startswith(f"{api_url}/"), landing.url
    landing.close()
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_test_id("qbo-connection")).to_have_text("Connected")


def _credit_row(page, number: str):
    table = page.get_by_role("table", name="Credits")
    expect(table.get_by_role("link", name=number, exact=True)).to_be_visible()
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))
    return lambda column: row.get_by_role("cell").nth(headers.index(column))


def test_staff_connect_quickbooks_see_a_credit_synced_retry_repair_and_resync(page, api_url, staff_setup, realm, shots):  # noqa: F811
    account, workers = staff_setup
    open_console(page, api_url, account.staff.token, "qbo")
    connect_in_the_browser(page, api_url)
    expect(page.get_by_label("Connection")).to_contain_text(realm.realm_id)
    expect(page.get_by_label("Connection")).to_contain_text("Two-way")

    created = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "25.00",
                                              "internal_note": "damaged case"}).json
    page.goto(f"{api_url}/console/#/credits")
    cell = _credit_row(page, created["number"])
    expect(cell("Sync Status")).to_have_text("Pending")
    assert workers.push().parked == []
    page.reload()
    memo = next(m for m in realm.books()["objects"]["CreditMemo"] if m["DocNumber"] == created["number"])
    expect(cell("QB ID")).to_have_text(memo["Id"])
    expect(cell("Sync Status")).to_have_text("Synced")
    shots(page, "credit-synced")

    _use_item(account.id, "999")  # our memo lines name an Item the company lacks: QuickBooks refuses (2500)
    refused = account.owner.post("/credits", {"customer_id": account.customers[1], "amount": "12.00"}).json
    assert workers.push().parked == [("credit", refused["id"])]
    page.goto(f"{api_url}/console/#/qbo")
    errors = page.get_by_role("table", name="Objects QuickBooks refused or that differ")
    expect(errors).to_contain_text(refused["number"])
    expect(errors).to_contain_text("2500")
    _use_item(account.id, None)  # the cause is gone
    page.get_by_role("button", name=f"Retry credit {refused['number']}").click()
    expect(page.get_by_role("status").filter(has_text=refused["number"])).to_contain_text("pushed")
    expect(page.get_by_role("table", name="Objects QuickBooks refused or that differ")).to_have_count(0)

    realm.control("DELETE", f"objects/CreditMemo/{memo['Id']}")  # the accountant deletes our memo in QuickBooks
    page.get_by_role("button", name="Check parity").click()
    differences = page.get_by_role("table", name=re.compile("^Differences"))
    expect(differences).to_contain_text(created["id"])
    shots(page, "parity", full_page=True)
    found = differences.get_by_role("row").count() - 1
    page.get_by_role("button", name="Repair differences").click()
    expect(page.get_by_test_id("parity-clean")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Repaired")).to_have_text(f"Repaired {found}, refused 0, failed 0.")

    page.get_by_role("button", name="Start re-sync").click()
    status = page.get_by_test_id("resync-status")
    expect(status).to_contain_text("Running: 0 of")
    progress = page.get_by_role("progressbar", name="Re-sync progress")
    total = int(progress.get_attribute("max"))
    assert total > 0 and progress.get_attribute("value") == "0"
    assert workers.run_jobs() >= 1  # the worker's steps; the page follows them by polling
    expect(status).to_have_text(f"Done: {total} of {total} done, 0 failed")
    expect(progress).to_have_attribute("value", str(total))
    shots(page, "resync-done", full_page=True)
    assert page.problems == []
