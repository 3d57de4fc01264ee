"""Canceling, deleting and editing an invoice-adjustment credit whose money QBO keeps in *another* credit's
CreditMemo (DESIGN §5 money location): a reduction of a paid invoice cut a use of that credit, so the memo's
RemainingCredit grew by the adjustment credit's amount. Each case goes through the API, drains the push, and
compares the books: every invoice's Balance, every customer's available credit against QBO's memos and unapplied
Payments, and GET /qbo/parity finding nothing.

(a) all of the adjustment credit's money is in the other credit's memo; (b) it is split between that memo and a
tender Payment's UnappliedAmt; (c) part of it was spent on another invoice first.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.qbo.conftest import SyncedAccount


def _sale(owner, customer_id: str, amount: str) -> dict:
    reply = owner.post("/sales-orders", {"customer_id": customer_id, "charges": [], "lines": [
        {"description": "Case of oranges", "quantity": "1", "unit_price": amount}]})
    assert reply.status == 201, reply.body
    return reply.json


def _pay(owner, invoice_id: str, *, cash: str | None = None, credit_id: str | None = None,
         amount: str | None = None) -> dict:
    body = {"tenders": [{"method": "cash", "amount": cash}] if cash else [],
            "credits": [{"credit_id": credit_id, **({"amount": amount} if amount else {})}] if credit_id else None}
    reply = owner.post(f"/invoices/{invoice_id}/payments", body)
    assert reply.status == 201, reply.body
    return reply.json


def _reduce(owner, invoice_id: str, amount: str) -> dict:
    reply = owner.patch(f"/invoices/{invoice_id}", {"lines": [
        {"description": "fewer oranges", "quantity": "1", "unit_price": amount}]})
    assert reply.status == 200, reply.body
    return reply.json


def _drain(synced: SyncedAccount) -> None:
    """Push until nothing is left (a run may leave objects waiting for others), then demand nothing parked."""
    for _ in range(4):
        report = synced.push()
        assert report.parked == [], report
        if not report.waiting:
            return
    raise AssertionError(f"still waiting: {report.waiting}")


def _live(docs: list[dict]) -> list[dict]:
    return [d for d in docs if not (d.get("PrivateNote") or "").startswith("Voided")]


def _cents(value) -> Decimal:
    """An emulator amount (a JSON number) as an exact two-place Decimal."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def assert_books_equal(synced: SyncedAccount) -> None:
    """QBO holds what the ledger says: invoice balances, each customer's available credit, and parity finds 0."""
    owner = synced.account.owner
    invoices = {i["DocNumber"]: i for i in synced.books("Invoice")}
    for customer in synced.account.customers:
        for ours in owner.get(f"/invoices?customer_id={customer}").json["data"]:
            if ours.get("qbo_id"):
                assert invoices[ours["number"]]["Balance"] == Decimal(ours["balance"]), ours["number"]
        qbo_customer = owner.get(f"/customers/{customer}").json["qbo_id"]
        held = sum([_cents(m["RemainingCredit"]) for m in _live(synced.books("CreditMemo"))
                    if m["CustomerRef"]["value"] == qbo_customer]
                   + [_cents(p["UnappliedAmt"]) for p in _live(synced.books("Payment"))
                      if p["CustomerRef"]["value"] == qbo_customer], Decimal("0.00"))
        available = owner.get(f"/customers/{customer}/credit-summary").json["available_credit"]
        assert held == Decimal(available), (customer, held, available)
    reply = owner.get("/qbo/parity")
    assert reply.status == 200 and reply.json["differences"] == [], reply.body


@dataclass
class Cut:
    """A manual credit whose use paid an invoice that was then reduced: the adjustment credit's money is back in the
    credit's memo."""

    credit: dict
    invoice: dict
    adjustment: str

    def memo(self, synced: SyncedAccount) -> dict:
        return synced.one("CreditMemo", DocNumber=self.credit["number"])


def _reduced_after_sync(synced: SyncedAccount, credit: dict, order: dict, to: str) -> Cut:
    """Push what was paid, reduce the paid invoice to `to`, push again: the cut is in QBO's books."""
    _drain(synced)
    reduced = _reduce(synced.account.owner, order["invoice_id"], to)
    [adjustment] = reduced["adjustment_credit_ids"]
    _drain(synced)
    return Cut(credit, reduced, adjustment)


def _cut_into_memo(synced: SyncedAccount) -> Cut:
    """Credit 50.00 pays all of a 40.00 invoice, which is reduced to 30.00: the memo regains 10.00 (the adjustment
    credit's), so it shows 20.00 remaining: 10.00 of the credit's own and 10.00 of the adjustment credit's."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "40.00")
    _pay(owner, order["invoice_id"], credit_id=credit["id"])
    made = _reduced_after_sync(synced, credit, order, "30.00")
    assert made.memo(synced)["RemainingCredit"] == Decimal("20.00")
    assert_books_equal(synced)
    return made


# (a) the adjustment credit's money is all in the other credit's memo ----------------------------------------------

@pytest.mark.parametrize("removal", ["cancel_balance_only", "cancel_revert", "delete"])
def test_removing_an_adjustment_credit_kept_in_another_credits_memo_shrinks_that_memo(synced, removal):
    owner = synced.account.owner
    made = _cut_into_memo(synced)
    if removal == "delete":
        reply = owner.delete(f"/credits/{made.adjustment}")
    else:
        reply = owner.post(f"/credits/{made.adjustment}/cancel", {"mode": removal.removeprefix("cancel_")})
    assert reply.status == 200, reply.body
    assert owner.get(f"/customers/{synced.account.customers[0]}/credit-summary").json["available_credit"] == "10.00"
    _drain(synced)
    memo = made.memo(synced)
    assert (memo["TotalAmt"], memo["RemainingCredit"]) == (Decimal("40.00"), Decimal("10.00"))
    assert synced.one("Invoice", DocNumber=made.invoice["number"])["Balance"] == Decimal("0.00")
    assert_books_equal(synced)
    assert owner.get(f"/credits/{made.adjustment}").json["sync_status"] == "synced"
    assert owner.get(f"/credits/{made.credit['id']}").json["remaining"] == "10.00"


def test_an_adjustment_credits_amount_is_not_edited_and_its_notes_change_nothing_in_qbo(synced):
    owner = synced.account.owner
    made = _cut_into_memo(synced)
    refused = owner.patch(f"/credits/{made.adjustment}", {"amount": "4.00"})
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_amount_fixed", refused.body
    assert owner.patch(f"/credits/{made.adjustment}", {"internal_note": "recounted"}).status == 200
    _drain(synced)
    memo = made.memo(synced)
    assert (memo["TotalAmt"], memo["RemainingCredit"]) == (Decimal("50.00"), Decimal("20.00"))
    assert_books_equal(synced)


@pytest.mark.parametrize("then", ["cancel_balance_only", "cancel_revert", "void_use", "edit_amount"])
def test_the_memos_own_credit_changed_after_the_adjustment_credit_was_removed(synced, then):
    """The memo keeps giving up the removed adjustment credit's money whatever its own credit does next. A void of
    the cut use gives the credit back only what the invoice kept (30.00): the cut 10.00 was canceled with the
    adjustment credit and stays gone, in the ledger (the credit's amount drops to 40.00) as in QBO."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    made = _cut_into_memo(synced)
    assert owner.post(f"/credits/{made.adjustment}/cancel", {"mode": "balance_only"}).status == 200
    _drain(synced)
    if then.startswith("cancel_"):
        reply = owner.post(f"/credits/{made.credit['id']}/cancel", {"mode": then.removeprefix("cancel_")})
    elif then == "void_use":
        [paid] = owner.get(f"/payments?invoice_id={made.invoice['id']}").json["data"]
        reply = owner.post(f"/payments/{paid['id']}/void")
    else:
        reply = owner.patch(f"/credits/{made.credit['id']}", {"amount": "45.00"})
    assert reply.status == 200, reply.body
    _drain(synced)
    memos = _live(synced.books("CreditMemo"))
    expected = {"cancel_balance_only": [(Decimal("30.00"), Decimal("0.00"))], "cancel_revert": [],
                "void_use": [(Decimal("40.00"), Decimal("40.00"))],
                "edit_amount": [(Decimal("35.00"), Decimal("5.00"))]}[then]
    assert [(_cents(m["TotalAmt"]), _cents(m["RemainingCredit"])) for m in memos] == expected
    assert_books_equal(synced)
    if then == "void_use":
        shown = owner.get(f"/credits/{made.credit['id']}").json
        assert (shown["amount"], shown["used"], shown["remaining"]) == ("40.00", "0.00", "40.00")
        assert owner.get(f"/customers/{customer}/credit-summary").json["available_credit"] == "40.00"


# (b) split between the memo and a tender Payment's UnappliedAmt ---------------------------------------------------

def _cut_into_memo_and_payment(synced: SyncedAccount) -> tuple[Cut, dict]:
    """A 100.00 invoice paid 60.00 cash, then 40.00 of a 50.00 credit, reduced to 30.00: the 70.00 cut takes the
    credit use (latest) whole and 30.00 of the cash, so the adjustment credit keeps 40.00 in the memo and 30.00 as
    the cash Payment's UnappliedAmt."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "100.00")
    cash = _pay(owner, order["invoice_id"], cash="60.00")
    _pay(owner, order["invoice_id"], credit_id=credit["id"], amount="40.00")
    made = _reduced_after_sync(synced, credit, order, "30.00")
    assert made.memo(synced)["RemainingCredit"] == Decimal("50.00")
    assert synced.one("Payment", PaymentRefNum=cash["number"])["UnappliedAmt"] == Decimal("30.00")
    assert_books_equal(synced)
    return made, cash


def _removals(made: Cut) -> list[tuple[str, str, dict | None]]:
    return [("DELETE", f"/credits/{made.adjustment}", None),
            ("POST", f"/credits/{made.adjustment}/cancel", {"mode": "balance_only"}),
            ("POST", f"/credits/{made.adjustment}/cancel", {"mode": "revert"}),
            ("POST", f"/credits/{made.adjustment}/cancel/preview", {"mode": "revert"})]


def test_an_adjustment_credit_split_between_a_memo_and_a_payment_is_refused_and_the_books_stay_equal(synced):
    """Its money on the cash Payment is what the payer paid (only voiding that payment removes it), and the credit
    is canceled whole or not at all: 409 credit_held_by_payment, nothing changes on either side."""
    owner = synced.account.owner
    made, cash = _cut_into_memo_and_payment(synced)
    for method, path, body in _removals(made):
        reply = owner.call(method, path, body)
        assert reply.status == 409 and reply.json["error"]["code"] == "credit_held_by_payment", (path, reply.body)
        assert reply.json["error"]["details"]["payment_ids"] == [cash["id"]]
    refused = owner.patch(f"/credits/{made.adjustment}", {"amount": "10.00"})
    assert refused.status == 409 and refused.json["error"]["code"] == "credit_amount_fixed"
    assert owner.get(f"/credits/{made.adjustment}").json["remaining"] == "70.00"
    _drain(synced)
    assert_books_equal(synced)


# (c) part of the adjustment credit was spent on another invoice first -----------------------------------------------

def _spent_elsewhere(synced: SyncedAccount, made: Cut, amount: str) -> dict:
    owner, customer = synced.account.owner, synced.account.customers[0]
    other = _sale(owner, customer, "20.00")
    paid = _pay(owner, other["invoice_id"], credit_id=made.adjustment, amount=amount)
    _drain(synced)
    assert_books_equal(synced)
    return {"invoice": owner.get(f"/invoices/{other['invoice_id']}").json, "payment": paid}


@pytest.mark.parametrize("mode", ["balance_only", "revert"])
def test_canceling_an_adjustment_credit_spent_in_part_leaves_the_memo_what_its_uses_link(synced, mode):
    owner = synced.account.owner
    made = _cut_into_memo(synced)
    other = _spent_elsewhere(synced, made, "6.00")  # a Payment of 0 linking the other invoice and the memo
    assert made.memo(synced)["RemainingCredit"] == Decimal("14.00")
    reply = owner.post(f"/credits/{made.adjustment}/cancel", {"mode": mode})
    assert reply.status == 200, reply.body
    _drain(synced)
    memo = made.memo(synced)
    other_balance = synced.one("Invoice", DocNumber=other["invoice"]["number"])["Balance"]
    if mode == "balance_only":  # the use stays: the memo keeps the 6.00 it links, gives up the unspent 4.00
        assert (memo["TotalAmt"], memo["RemainingCredit"], other_balance) == (
            Decimal("46.00"), Decimal("10.00"), Decimal("14.00"))
    else:  # the use's Payment is deleted, then the memo gives up all 10.00
        assert (memo["TotalAmt"], memo["RemainingCredit"], other_balance) == (
            Decimal("40.00"), Decimal("10.00"), Decimal("20.00"))
    assert_books_equal(synced)


def test_a_spent_adjustment_credit_is_not_deleted_or_edited_and_qbo_keeps_its_use(synced):
    owner = synced.account.owner
    made = _cut_into_memo(synced)
    _spent_elsewhere(synced, made, "6.00")
    deleted = owner.delete(f"/credits/{made.adjustment}")
    assert deleted.status == 409 and deleted.json["error"]["code"] == "credit_already_used", deleted.body
    edited = owner.patch(f"/credits/{made.adjustment}", {"amount": "6.00"})
    assert edited.status == 409 and edited.json["error"]["code"] == "credit_amount_fixed", edited.body
    _drain(synced)
    assert made.memo(synced)["RemainingCredit"] == Decimal("14.00")
    assert_books_equal(synced)


def test_a_split_adjustment_credit_spent_in_part_is_still_refused(synced):
    """Its use drew the memo part first (the cut's order) and 5.00 of the Payment's: 25.00 stays the payer's."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    made, cash = _cut_into_memo_and_payment(synced)
    other = _sale(owner, customer, "50.00")
    _pay(owner, other["invoice_id"], credit_id=made.adjustment, amount="45.00")
    _drain(synced)
    assert synced.one("Payment", PaymentRefNum=cash["number"])["UnappliedAmt"] == Decimal("25.00")
    assert_books_equal(synced)
    for method, path, body in _removals(made)[1:3]:
        reply = owner.call(method, path, body)
        assert reply.status == 409 and reply.json["error"]["code"] == "credit_held_by_payment", (path, reply.body)
    _drain(synced)
    assert_books_equal(synced)


# the memo is the accountant's -------------------------------------------------------------------------------------

def test_an_adjustment_credit_kept_in_a_memo_the_accountant_made_is_not_removed_here(synced):
    """A reduction cut a use of a credit imported from the accountant's CreditMemo: the adjustment credit's money is
    back in that memo, which QBO owns (DESIGN §7) and no push changes, so canceling or deleting it is refused
    (409 credit_owned_by_qbo, as for the imported credit itself) and the books stay equal."""
    from chalicelib.qbo.client import build_client
    from chalicelib.services.sync.pull import pull_changes
    from tests.qbo.conftest import emulator_settings

    owner, customer = synced.account.owner, synced.account.customers[0]
    order = _sale(owner, customer, "40.00")
    _drain(synced)
    qbo_customer = owner.get(f"/customers/{customer}").json["qbo_id"]
    synced.realm.user_create("CreditMemo", {"CustomerRef": {"value": qbo_customer}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": 50,
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 50}}]})
    pull_changes(synced.realm.realm_id, client=build_client(synced.account.id,
                                                            settings=emulator_settings(synced.realm)))
    [imported] = owner.get("/credits?source=qbo").json["data"]
    _pay(owner, order["invoice_id"], credit_id=imported["id"])
    _drain(synced)
    [adjustment] = _reduce(owner, order["invoice_id"], "30.00")["adjustment_credit_ids"]
    _drain(synced)
    assert_books_equal(synced)
    made = Cut(imported, {}, adjustment)
    for method, path, body in _removals(made):
        reply = owner.call(method, path, body)
        assert reply.status == 409 and reply.json["error"]["code"] == "credit_owned_by_qbo", (path, reply.body)
        assert reply.json["error"]["details"]["memo_credit_ids"] == [imported["id"]]
    _drain(synced)
    assert owner.get(f"/credits/{adjustment}").json["remaining"] == "10.00"
    assert_books_equal(synced)


def test_a_canceled_credits_memo_emptied_by_a_removed_adjustment_credit_stays_at_zero(synced):
    """Everything the canceled credit used was cut back into its memo (the invoice reduced to 0) and that adjustment
    credit is canceled too: the memo totals 0 but stays, since its credit still has uses (parity expects it; deleting
    it was reported as missing, and the repair deleted it again)."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "50.00"}).json
    order = _sale(owner, customer, "40.00")
    _pay(owner, order["invoice_id"], credit_id=credit["id"])
    _drain(synced)
    [adjustment] = _reduce(owner, order["invoice_id"], "0.00")["adjustment_credit_ids"]
    assert owner.post(f"/credits/{credit['id']}/cancel", {"mode": "balance_only"}).status == 200
    _drain(synced)
    assert_books_equal(synced)
    assert owner.post(f"/credits/{adjustment}/cancel", {"mode": "balance_only"}).status == 200
    _drain(synced)
    memo = synced.one("CreditMemo", DocNumber=credit["number"])
    assert (_cents(memo["TotalAmt"]), _cents(memo["RemainingCredit"])) == (Decimal("0.00"), Decimal("0.00"))
    assert_books_equal(synced)
