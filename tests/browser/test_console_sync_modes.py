"""Issues 20 and 21 at the console: a one-way account's panel says what one-way leaves out and lists a sync message
that reached the dead-letter queue; staff switch two-way credit sync on in Settings and follow its job to the end;
the accountant's change to our CreditMemo shows as drift in the credits table, a payment of that credit waits for the
repair (retried on its own, with its next try), and once staff retry the drifted credit every credit use's QB ID
shows in the invoice's payments table.

The account connects through the panel's Connect button (the emulator's consent page); what the sync workers do
(push, pull, job steps, a message's last delivery) the test does between two looks at the screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import keep_for_readme, open_console
from tests.browser.test_console_qbo import Workers, _account_on_the_emulator, _credit_row, connect_in_the_browser
from tests.qbo.conftest import emulator_env, qbo_emulator, realm  # noqa: F401 (fixtures)

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def one_way_setup(http, realm, api_url, monkeypatch):  # noqa: F811
    """An account whose two-way credit sync is off, not connected yet: one-way once connected."""
    return _account_on_the_emulator(http, realm, api_url, monkeypatch, credit_sync=False)


def _pull(realm):  # noqa: F811
    """The inbound reader's run (what a webhook or the CDC sweep triggers)."""
    from chalicelib.services.sync.pull import pull_changes

    return pull_changes(realm.realm_id)


def _sale(owner, customer_id: str, amount: str) -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "charges": [],
                                         "lines": [{"description": "Crate", "quantity": "1", "unit_price": amount}]})
    assert reply.status == 201, reply.body
    return reply.json


def _pay(owner, invoice_id: str, tenders: list, credits) -> dict:
    reply = owner.post(f"/invoices/{invoice_id}/payments", {"tenders": tenders, "credits": credits})
    assert reply.status == 201, reply.body
    return reply.json


def _lower_our_memo(realm, number: str, amount: str) -> None:  # noqa: F811
    """The accountant edits our CreditMemo's amount in QuickBooks."""
    memo = next(m for m in realm.books()["objects"]["CreditMemo"] if m["DocNumber"] == number)
    line = next(line for line in memo["Line"] if line.get("DetailType") == "SalesItemLineDetail")
    realm.control("POST", f"objects/CreditMemo/{memo['Id']}", {"Line": [
        {**line, "Amount": amount, "SalesItemLineDetail": {**line["SalesItemLineDetail"], "UnitPrice": amount}}]})


def _last_delivery_fails(account_id: str, realm) -> None:  # noqa: F811
    """The worker gets the account's push hint on its last allowed receive while QuickBooks answers 503: the message
    goes to the dead-letter queue and the worker notes it on the account (an SQS event as Lambda hands it over)."""
    from chalicelib.workers import worker
    from chalicelib.workers.queue import PUSH, Hint

    realm.faults(fail_next=1_000, fail_status=503)
    record = {"messageId": "last-try", "body": Hint(PUSH, account_id).body(),
              "attributes": {"ApproximateReceiveCount": str(worker.max_receive_count())}}
    assert worker.handle_event({"Records": [record]}) == {"batchItemFailures": [{"itemIdentifier": "last-try"}]}
    realm.faults(fail_next=0)


def _error_row(page, **match):
    """The panel's error row that has `has_text` (or a cell named `cell`), and its cells by column header."""
    table = page.get_by_role("table", name="Objects QuickBooks refused or that differ")
    rows = table.get_by_role("row")
    row = (rows.filter(has=page.get_by_role("cell", name=match["cell"], exact=True)) if "cell" in match
           else rows.filter(has_text=match["has_text"]))
    expect(row).to_have_count(1)
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    return row, lambda column: row.get_by_role("cell").nth(headers.index(column))


def test_one_way_switch_two_way_drift_and_a_wait_for_its_repair(page, api_url, one_way_setup, realm,  # noqa: F811
                                                                shots):
    account, workers = one_way_setup
    owner = account.owner
    open_console(page, api_url, account.staff.token, "qbo")
    connect_in_the_browser(page, api_url)
    expect(page.get_by_test_id("qbo-mode")).to_have_text("One-way")
    first = owner.post("/credits", {"customer_id": account.customers[0], "amount": "30.00"}).json
    partly = _sale(owner, account.customers[0], "50.00")
    _pay(owner, partly["invoice_id"], [{"method": "cash", "amount": "30.00"}], [{"credit_id": first["id"],
                                                                                  "amount": "20.00"}])
    _last_delivery_fails(account.id, realm)
    page.get_by_role("button", name="Refresh").click()
    note = page.get_by_role("note", name="Sync mode")
    expect(note).to_contain_text(owner.get("/qbo/status").json["note"])  # the API's words
    expect(note).to_contain_text("1 invoice is paid partly by credits")
    letters = page.get_by_role("table", name="Dead letters")
    expect(letters.get_by_role("row").nth(1)).to_contain_text(f"push:{account.id}")
    expect(letters).to_contain_text("503")
    shots(page, "one-way-panel", full_page=True)
    assert workers.push().parked == []  # QuickBooks answers again: the next push of the account clears it
    page.get_by_role("button", name="Refresh").click()
    expect(page.get_by_test_id("qbo-pending")).to_have_text("0")
    expect(letters).to_have_count(0)

    note.get_by_role("link", name="Switch two-way credit sync on in Settings").click()
    page.get_by_role("switch", name="QuickBooks credit sync").check()
    status = page.get_by_test_id("credit-sync-status")
    expect(status).to_contain_text("Running: 0 of")
    progress = page.get_by_role("progressbar", name="Credit sync progress")
    total = int(progress.get_attribute("max"))
    assert total >= 2 and progress.get_attribute("value") == "0"  # the credit and its use
    shots(page, "switch-running")
    assert workers.run_jobs() >= 1  # the worker's steps; the page follows them by polling
    expect(status).to_have_text(f"Done: {total} of {total} done, 0 failed")
    expect(page.get_by_role("switch", name="QuickBooks credit sync")).to_be_checked()
    shots(page, "switch-done")
    page.get_by_role("link", name="QuickBooks panel").click()
    expect(page.get_by_test_id("qbo-mode")).to_have_text("Two-way")
    expect(page.get_by_role("note", name="Sync mode")).to_have_count(0)

    drifted = owner.post("/credits", {"customer_id": account.customers[1], "amount": "40.00"}).json
    assert workers.push().parked == []
    _pull(realm)  # the first read after the switch
    _lower_our_memo(realm, drifted["number"], "30.00")
    _pull(realm)
    page.goto(f"{api_url}/console/#/credits")
    cell = _credit_row(page, drifted["number"])
    expect(cell("Sync Status").locator(".badge")).to_have_text("Drift")
    expect(cell("Sync Status")).to_contain_text("ours 40.00, QuickBooks 30.00")
    expect(_credit_row(page, first["number"])("Sync Status")).to_have_text("Synced")
    shots(page, "credit-drift")

    waits = _sale(owner, account.customers[1], "25.00")
    paid = _pay(owner, waits["invoice_id"], [], [{"credit_id": drifted["id"]}])
    workers.push()  # the use of the drifted credit waits for the repair
    page.goto(f"{api_url}/console/#/invoices/{waits['invoice_id']}")
    payments = page.get_by_role("table", name="Payments and their allocation")
    expect(payments).to_contain_text(f"repair of {drifted['number']}'s drift")
    expect(payments.get_by_test_id("credit-use")).to_contain_text(f"{drifted['number']} $25.00")
    expect(payments.get_by_test_id("credit-use")).to_contain_text("QB ID —")
    shots(page, "payment-waits")

    page.goto(f"{api_url}/console/#/qbo")
    panel = owner.get("/qbo/status").json
    [waiting] = [e for e in panel["errors"] if e["code"] == "waiting"]  # the payment's credit use
    assert waiting["retrying"] and waiting["next_retry_at"], waiting
    row, cell = _error_row(page, has_text=f"use of {drifted['number']}")
    expect(cell("Number")).to_have_text(f"use of {drifted['number']} in payment {paid['number']}")
    expect(cell("Message")).to_contain_text(f"waits for the repair of {drifted['number']}'s drift")
    expect(cell("On its own")).to_have_text("Retried on its own")
    expect(cell("Next try")).to_have_text(re.sub(r"\.\d+", "", waiting["next_retry_at"]).replace("T", " ")
                                          .replace("Z", " UTC"))
    expect(row.get_by_role("button")).to_have_count(0)  # nothing to press: it goes once the drift is repaired
    row, cell = _error_row(page, cell=drifted["number"])
    expect(cell("Code")).to_have_text("Drift")
    expect(cell("Next try")).to_have_text("—")
    keep_for_readme(shots(page, "drift-and-wait", full_page=True), "qbo-panel.png")

    row.get_by_role("button", name=f"Retry credit {drifted['number']}").click()  # ours is pushed again
    expect(page.get_by_role("status").filter(has_text=drifted["number"])).to_contain_text("pushed")
    expect(page.get_by_role("table", name="Objects QuickBooks refused or that differ")).to_have_count(0)
    page.goto(f"{api_url}/console/#/invoices/{waits['invoice_id']}")
    [use] = owner.get(f"/invoices/{waits['invoice_id']}").json["payments"][0]["credit_uses"]
    assert use["qbo_id"] in {p["Id"] for p in realm.books()["objects"]["Payment"]}, use
    use_cell = payments.get_by_test_id("credit-use")
    expect(use_cell).to_contain_text(f"QB ID {use['qbo_id']}")
    expect(use_cell.locator(".badge")).to_have_text("Synced")
    expect(page.get_by_test_id("invoice-sync")).to_have_text("Synced")
    shots(page, "use-synced", full_page=True)
    assert page.problems == []
