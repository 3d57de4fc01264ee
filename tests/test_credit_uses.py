"""Credit uses are items of their own, and each records where in QBO its money comes from (DESIGN §5)."""
from __future__ import annotations

from chalicelib.domain.locations import LocationKind, memo, unapplied
from chalicelib.store.ledger import Ledger
from chalicelib.store.uow import UnitOfWork
from tests.ledger_helpers import order, pay


def _book(account) -> Ledger:
    return Ledger(UnitOfWork(account.id))


def _credit(account, amount: str, customer: int = 0) -> dict:
    reply = account.owner.post("/credits", {"customer_id": account.customers[customer], "amount": amount})
    assert reply.status == 201, reply.body
    return reply.json


def test_a_use_is_its_own_item_and_the_credit_keeps_only_the_sums(account):
    from chalicelib.store.models import CreditItem, account_pk

    credit = _credit(account, "50.00")
    first = pay(account, order(account, "20.00")["invoice_id"], credits=[{"credit_id": credit["id"]}])
    second = pay(account, order(account, "10.00")["invoice_id"], credits=[{"credit_id": credit["id"]}])
    stored = CreditItem.get(account_pk(account.id), f"CREDIT#{credit['id']}").attribute_values
    assert "uses" not in stored and stored["used"] == 3000 and stored["use_count"] == 2
    uses = _book(account).uses.of_credit(credit["id"])
    assert [(u.payment_id, u.amount, u.parts) for u in uses] == [
        (first["id"], 2000, [memo(credit["id"], 2000)]), (second["id"], 1000, [memo(credit["id"], 1000)])]

    assert account.owner.post(f"/payments/{first['id']}/void").status == 200
    active = _book(account).uses.of_credit(credit["id"], active_only=True)
    assert [u.payment_id for u in active] == [second["id"]]
    assert account.owner.get(f"/credits/{credit['id']}").json["used"] == "10.00"
    lineage = account.owner.get(f"/credits/{credit['id']}/lineage").json
    assert [(u["payment"]["id"], u["voided_at"] is None) for u in lineage["uses"]] == [(first["id"], False),
                                                                                     (second["id"], True)]


def test_an_overpayment_credit_is_spent_from_its_payments_unapplied_amount(account):
    paid = pay(account, order(account, "100.00")["invoice_id"], tenders=[{"method": "cash", "amount": "130.00"}])
    over = paid["overpayment_credit_id"]
    pay(account, order(account, "20.00")["invoice_id"], credits=[{"credit_id": over}])
    (use,) = _book(account).uses.of_credit(over)
    assert use.parts == [unapplied(paid["id"], 2000)]


def test_an_adjustment_credit_sits_where_the_latest_links_gave_their_money_back(account):
    credit = _credit(account, "30.00")
    invoice = order(account, "100.00")["invoice_id"]
    cash = pay(account, invoice, tenders=[{"method": "cash", "amount": "70.00"}])
    pay(account, invoice, credits=[{"credit_id": credit["id"]}])  # the latest link: 30.00 from the memo
    reduced = account.owner.patch(f"/invoices/{invoice}", {"lines": [
        {"description": "less", "quantity": "1", "unit_price": "60.00"}]})
    assert reduced.status == 200, reduced.body
    (adjustment_id,) = reduced.json["adjustment_credit_ids"]
    adjustment = _book(account).credits.get(adjustment_id)
    # 40.00 freed: the credit use's 30.00 first (back in its memo), then 10.00 of the cash payment (unapplied)
    assert adjustment.locations == [memo(credit["id"], 3000), unapplied(cash["id"], 1000)]
    assert [(c["back_to"][0], c["amount"]) for c in adjustment.cuts] == [("memo", 3000), ("unapplied", 1000)]

    second = account.owner.patch(f"/invoices/{invoice}", {"lines": [
        {"description": "less again", "quantity": "1", "unit_price": "50.00"}]}).json
    later = _book(account).credits.get(second["adjustment_credit_ids"][1])
    assert later.locations == [unapplied(cash["id"], 1000)]  # earlier cuts are not cut twice

    spent = pay(account, order(account, "45.00")["invoice_id"], credits=[{"credit_id": adjustment_id}])
    (use,) = _book(account).uses.of_credit(adjustment_id)
    assert spent["credit_uses"][0]["amount"] == "40.00"
    assert [(p.kind, p.amount) for p in use.parts] == [(LocationKind.MEMO, 3000), (LocationKind.UNAPPLIED, 1000)]


def test_cancel_and_revert_reads_again_when_a_payment_lands_between_its_reads(account, monkeypatch):
    from chalicelib.store.credit_uses import CreditUses

    credit = _credit(account, "50.00")
    pay(account, order(account, "10.00")["invoice_id"], credits=[{"credit_id": credit["id"]}])
    racing_invoice = order(account, "15.00")["invoice_id"]
    real = CreditUses.of_credit
    raced = []

    def with_a_race(self, credit_id, **kw):
        if not raced:  # another clerk's payment commits after the credit was read, before its uses are
            raced.append(pay(account, racing_invoice, credits=[{"credit_id": credit_id}]))
        return real(self, credit_id, **kw)

    monkeypatch.setattr(CreditUses, "of_credit", with_a_race)
    canceled = account.owner.post(f"/credits/{credit['id']}/cancel", {"mode": "revert"})
    assert canceled.status == 200, canceled.body
    assert canceled.json["used"] == "0.00" and raced
    assert account.owner.get(f"/invoices/{racing_invoice}").json["status"] == "unpaid"
