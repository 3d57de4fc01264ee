"""The guide's people at the console, in headless Chromium: a clerk pays an invoice with cash and a chosen credit
and voids it, an owner cancels with its preview, a user without View Credits sees no credit element, and support
staff connect QuickBooks and watch the sync (tests/browser/test_console_qbo.py). Controls are found by their
roles and accessible names, as a screen reader (or an outside check) finds them."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import keep_for_readme, open_console
from tests.conftest import make_account

pytestmark = pytest.mark.xdist_group("browser")


def _role(account, user_id: str, permissions: list[str]) -> str:
    role = account.owner.post("/roles", {"name": f"Role {user_id}", "permissions": permissions}).json
    assert account.owner.put(f"/users/{user_id}", {"role_id": role["id"]}).status == 200
    return account.user_token(user_id)


def _cell(row, table, column: str):
    """The cell of `row` under the column header named `column`."""
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    return row.get_by_role("cell").nth(headers.index(column))


def test_clerk_issues_a_credit_finds_it_pays_with_cash_and_that_credit_then_voids(page, api_url, http, shots, capfd):
    account = make_account(http)
    token = _role(account, "clerk-a", ["view_credits", "create_credits", "receive_payments", "manage_sales"])
    open_console(page, api_url, token)
    expect(page.get_by_role("heading", name="Credits")).to_be_visible()

    page.get_by_role("button", name="Issue credit").click()
    dialog = page.get_by_role("dialog", name="Issue credit")
    dialog.get_by_label("Customer").select_option(label="Customer 0")
    dialog.get_by_label("Amount").fill("40.00")
    dialog.get_by_label("Internal note").fill("damaged case of cans")
    dialog.get_by_label("External note").fill("Sorry for the dented cans")
    dialog.get_by_role("button", name="Issue credit").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Issue credit").click()  # a second credit, that the search must leave out
    dialog = page.get_by_role("dialog", name="Issue credit")
    dialog.get_by_label("Amount").fill("5.00")
    dialog.get_by_label("Internal note").fill("goodwill")
    dialog.get_by_role("button", name="Issue credit").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("searchbox", name="Search notes").fill("damaged")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_role("table", name="Credits")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the one credit
    row = table.get_by_role("row").nth(1)
    for column, text in (("Amount", "$40.00"), ("Used", "$0.00"), ("Remaining", "$40.00"), ("Status", "Active"),
                         ("Internal Notes", "damaged case of cans"), ("External Notes", "Sorry for the dented cans"),
                         ("Customer", "Customer 0"), ("Source", "Manual")):
        expect(_cell(row, table, column)).to_have_text(text)
    number = _cell(row, table, "Number").inner_text().strip()
    keep_for_readme(shots(page, "credits-table"), "credits-table.png")

    _cell(row, table, "Customer").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Customer 0")).to_be_visible()
    expect(page.get_by_role("region", name="Credits and outstanding balance")).to_contain_text("Available credit")
    order = page.get_by_role("form", name="New sales order")
    order.get_by_label("Description").fill("Sparkling water, 12 cases")
    order.get_by_label("Quantity").fill("1")
    order.get_by_label("Unit price").fill("100.00")
    order.get_by_role("button", name="Create sales order").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Sales order "))).to_be_visible()
    expect(page.get_by_role("region", name="Credits and outstanding balance")).to_contain_text("Outstanding balance")
    page.get_by_role("link", name="open the invoice").click()

    page.get_by_role("button", name="Receive Payment").click()
    dialog = page.get_by_role("dialog", name="Receive Payment")
    dialog.get_by_label("Tender 1 method").select_option("cash")
    dialog.get_by_label("Tender 1 amount").fill("50.00")
    dialog.get_by_role("radio", name="Choose credits").check()
    dialog.get_by_role("checkbox", name=f"Use credit {number}").check()
    dialog.get_by_role("textbox", name=f"Amount from credit {number}").fill("30.00")
    preview = dialog.get_by_role("region", name="Payment preview")
    expect(preview).to_contain_text("Remaining balance$20.00")  # 100 - 50 cash - 30 credit, as the API previews it
    keep_for_readme(shots(page, "receive-payment"), "receive-payment.png")
    dialog.get_by_role("button", name="Receive payment").click()
    expect(dialog).to_be_hidden()

    payments = page.get_by_role("table", name="Payments and their allocation")
    expect(payments.get_by_role("row")).to_have_count(2)
    paid = payments.get_by_role("row").nth(1)
    expect(_cell(paid, payments, "Credits Applied")).to_contain_text(f"{number} $30.00")
    expect(_cell(paid, payments, "Credits Applied")).to_contain_text("QB ID — Not synced")  # the account never synced
    expect(_cell(paid, payments, "Applied")).to_have_text("$80.00")
    expect(page.get_by_text("Partially Paid").first).to_be_visible()
    shots(page, "invoice-paid")

    paid.get_by_role("button", name=re.compile(r"^Void payment ")).click()
    page.get_by_role("dialog", name="Void payment").get_by_role("button", name="Void payment").click()
    expect(_cell(paid, payments, "Status")).to_have_text("Voided")
    expect(_cell(paid, payments, "Credits Applied").locator("del")).to_have_text(f"{number} $30.00 (voided)")
    shots(page, "payment-voided")

    _cell(paid, payments, "Credits Applied").get_by_role("link", name=number).click()
    history = page.get_by_role("table", name="Transaction History")
    applied = history.locator("tr[data-kind=applied]")
    expect(applied).to_have_class("voided")  # struck through: the use was voided, the line stays
    expect(history.locator("tr[data-kind=use_voided]")).to_have_count(1)
    page.get_by_role("tab", name="Lineage").click()
    expect(page.get_by_role("table", name="Uses").locator("del")).to_have_text("$30.00")
    shots(page, "credit-history")
    assert page.problems == []
    out, err = capfd.readouterr()
    assert "GET /console/ " in err and token not in out + err  # the server's access log saw no token


def test_owner_cancels_a_used_credit_after_reading_both_previews(page, api_url, http, shots):
    account = make_account(http)
    credit = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "60.00"}).json
    order = account.owner.post("/sales-orders", {"customer_id": account.customers[0], "lines": [
        {"description": "goods", "quantity": 1, "unit_price": "25.00"}]}).json
    assert account.owner.post(f"/invoices/{order['invoice_id']}/payments",
                              {"credits": [{"credit_id": credit["id"]}]}).status == 201
    open_console(page, api_url, account.owner.token, f"credits/{credit['id']}")
    expect(page.get_by_role("heading", name=f"Credit {credit['number']}")).to_be_visible()

    page.get_by_role("button", name="Cancel credit").focus()  # by keyboard: Enter opens, Escape closes
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Cancel credit")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Cancel credit").click()
    preview = dialog.get_by_role("region", name="Cancel preview")
    expect(preview).to_contain_text("with $0.00 remaining (used $25.00)")
    expect(preview).to_contain_text("No use is voided")
    dialog.get_by_role("radio", name=re.compile("Cancel & Revert")).check()
    expect(preview).to_contain_text("1 use(s) voided")
    reopened = preview.get_by_role("table", name="Invoices reopened")
    expect(reopened.get_by_role("row").nth(1)).to_contain_text("$0.00$25.00Unpaid")
    shots(page, "cancel-preview")
    assert account.owner.get(f"/credits/{credit['id']}").json["status"] == "active"  # a preview commits nothing

    dialog.get_by_role("button", name="Confirm cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name=f"Credit {credit['number']}").locator("..")).to_contain_text("Canceled")
    expect(page.get_by_role("table", name="Transaction History").locator("tr[data-kind=applied]")).to_have_class("voided")
    shots(page, "canceled")
    assert account.owner.get(f"/invoices/{order['invoice_id']}").json["status"] == "unpaid"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("img", name=re.compile("^Open credit by age bucket and source"))).to_be_visible()
    aging = page.get_by_role("table", name="Open credit by customer and age (days)")
    expect(aging.get_by_role("row").filter(has_text="All customers")).to_contain_text("$0.00")  # canceled: none open
    expect(page.get_by_role("img", name=re.compile("^Available credit and outstanding balance"))).to_be_visible()
    expect(page.get_by_role("table", name="Balances at each month end").get_by_role("row")).to_have_count(7)
    shots(page, "reports", full_page=True)
    assert page.problems == []


def test_a_user_without_view_credits_sees_no_credit_element(page, api_url, http, shots):
    account = make_account(http)
    credit = account.owner.post("/credits", {"customer_id": account.customers[0], "amount": "15.00"}).json
    order = account.owner.post("/sales-orders", {"customer_id": account.customers[0], "lines": [
        {"description": "goods", "quantity": 1, "unit_price": "40.00"}]}).json
    account.owner.post(f"/invoices/{order['invoice_id']}/payments",
                       {"tenders": [{"method": "cash", "amount": "10.00"}], "credits": [{"credit_id": credit["id"]}]})
    token = _role(account, "clerk-b", ["manage_sales", "receive_payments"])
    open_console(page, api_url, token)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Customers")).to_be_visible()
    expect(nav.get_by_role("link", name="Credits")).to_have_count(0)
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)

    def no_credit_element():
        body = page.locator("main")
        expect(body.get_by_text(re.compile(r"credit|CR-\d+", re.I))).to_have_count(0)
        expect(body.get_by_role("region", name=re.compile("credit", re.I))).to_have_count(0)
        expect(body.get_by_role("table", name=re.compile("credit", re.I))).to_have_count(0)

    page.get_by_role("link", name="Customer 0").click()
    expect(page.get_by_role("region", name="Outstanding balance", exact=True)).to_contain_text("Outstanding balance$15.00")
    no_credit_element()
    shots(page, "customer")
    page.goto(f"{api_url}/console/#/invoices/{order['invoice_id']}")
    expect(page.get_by_role("table", name="Payments and their allocation")).to_be_visible()
    no_credit_element()
    page.get_by_role("link", name="open the order").click()
    expect(page.get_by_role("region", name="Outstanding balance", exact=True)).to_be_visible()
    no_credit_element()
    page.goto(f"{api_url}/console/#/invoices/{order['invoice_id']}")
    page.get_by_role("button", name="Receive Payment").click()
    dialog = page.get_by_role("dialog", name="Receive Payment")
    dialog.get_by_label("Tender 1 amount").fill("5.00")
    expect(dialog.get_by_role("region", name="Payment preview")).to_contain_text("Remaining balance$10.00")
    expect(dialog.get_by_role("group", name="Credits")).to_have_count(0)
    no_credit_element()
    shots(page, "receive-payment")
    dialog.get_by_role("button", name="Close").click()
    page.goto(f"{api_url}/console/#/credits")
    expect(page.get_by_role("heading", name="Not here")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    page.goto(f"{api_url}/console/#/settings")
    expect(page.get_by_role("switch", name="Credits")).to_be_visible()  # everyone sees the switches
    expect(page.get_by_role("note")).to_contain_text("Only a Distru teammate can switch these on")
    shots(page, "settings")
    assert page.problems == []


def test_the_docs_try_a_route_with_a_pasted_token(page, api_url, http, shots):
    account = make_account(http)
    page.goto(f"{api_url}/docs")
    expect(page.get_by_role("heading", name=re.compile("Customer credits service"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Authorize")).first.click()
    modal = page.locator(".modal-ux")  # Swagger UI's own dialog, without a dialog role
    modal.get_by_role("textbox", name="auth-bearer-value").fill(account.owner.token)
    modal.get_by_role("button", name="Apply credentials").click()
    modal.get_by_role("button", name="Close", exact=True).click()
    operation = page.locator(".opblock-post").filter(has=page.locator('[data-path="/credits"]'))
    operation.locator(".opblock-summary").click()
    expect(operation).to_contain_text("Who: view_credits and create_credits")  # the description, rendered
    expect(operation).to_contain_text("credits_disabled")
    operation.get_by_role("button", name="Try it out").click()
    body = operation.locator("textarea.body-param__text")
    body.fill('{"customer_id": "%s", "amount": "12.50", "internal_note": "tried from the docs"}' % account.customers[0])
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    shots(page, "try-it", full_page=False)
    listed = account.owner.get("/credits?q=docs").json["data"]
    assert [c["amount"] for c in listed] == ["12.50"]
    assert page.problems == []
