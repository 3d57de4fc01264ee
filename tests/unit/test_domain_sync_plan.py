"""The sync's planner (domain.sync_plan) and the request each document needs (domain.qbo_steps), on cases the
money-location model's random moves reach rarely or never: a chain of credits kept on one Payment, uses the ledger
cannot link, the accountant's Payment, a memo's shape, one-way's deleted invoices."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import qbo_steps, sync_plan
from chalicelib.domain.credits import CancelMode, Credit, CreditSource, CreditUse
from chalicelib.domain.locations import Cut, LocationKind, after_cut, memo, qbo_unapplied, unapplied
from chalicelib.domain.qbo_actions import QboAction
from chalicelib.domain.sync import SyncState

from .money_model import NOW, Book, check, invoice


def _chain() -> tuple[Book, str]:
    """A cash overpayment's credit pays invoice 2; invoice 2 is reduced, which cuts that use, so its adjustment credit
    keeps the freed money on the first Payment; that adjustment credit then pays invoice 3, from the same Payment."""
    book = Book([invoice(1, 50_00), invoice(2, 30_00), invoice(3, 40_00)])
    book.pay(book.invoices[0], 80_00, None)  # 30 over: an overpayment credit kept on this Payment
    first = book.payments[0]
    overpayment = book.credits[first.overpayment_credit_id]
    book.pay(book.invoices[1], 0, overpayment)
    book.reduce(book.invoices[1], 10_00)  # cuts 20 of that use: the money goes back to the first Payment
    adjustment = book.credits[book.invoices[1].adjustment_credit_ids[0]]
    book.pay(book.invoices[2], 0, adjustment)
    return book, first.id


def test_a_payment_keeps_the_credits_of_other_invoices_whose_reductions_cut_uses_drawn_from_it():
    book, payment_id = _chain()
    overpayment, adjustment = book.payments[0].overpayment_credit_id, book.invoices[1].adjustment_credit_ids[0]
    assert sync_plan.keepers(book, payment_id) == [overpayment, adjustment]
    assert sync_plan.unapplied_lines(book, book.payment(payment_id)) == [("I2", 10_00), ("I3", 20_00)]
    assert sync_plan.payment_links(book, book.payment(payment_id)) == {"I1": 50_00, "I2": 10_00, "I3": 20_00}
    assert sync_plan.payment_links(book, book.payment(payment_id), with_uses=False) == {"I1": 50_00}
    check(book, 0)


def test_a_use_keeps_its_parts_less_the_cuts_from_its_last_part_back():
    book, _ = _chain()
    cut_use = next(u for u in book.uses.values() if u.invoice_id == "I2")
    assert sync_plan.cut_from(book, "I2", ("use", cut_use.key)) == 20_00
    assert [(p.owner_id, p.amount) for p in sync_plan.use_links(book, cut_use)] == [(book.payments[0].id, 10_00)]
    plan = sync_plan.use_plan(book, cut_use)
    assert (plan.linking_payment, plan.payments, plan.memos, plan.refused) == (None, [book.payments[0].id], [], None)


def test_a_memo_use_links_its_memo_parts_and_goes_once_voided_or_cut_to_nothing():
    book = Book([invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    use = next(iter(book.uses.values()))
    plan = sync_plan.use_plan(book, use)
    assert (plan.linking_payment, plan.memos, plan.linked) == (QboAction.UPDATE, [(manual.id, 40_00)], 40_00)
    assert sync_plan.use_linked(book, use) == 40_00
    book.reduce(book.invoices[0], 0)
    plan = sync_plan.use_plan(book, use)
    assert (plan.linking_payment, plan.memos, plan.linked) == (QboAction.DELETE, [], 0)
    assert sync_plan.use_linked(book, use) == 0
    check(book, 50_00)


def test_a_voided_use_links_nothing():
    book = Book([invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.void(book.payments[0])
    use = next(iter(book.uses.values()))
    assert sync_plan.use_linked(book, use) == 0
    assert sync_plan.use_plan(book, use).linking_payment is QboAction.DELETE


def test_a_use_whose_money_sits_where_no_document_of_ours_can_link_it_is_refused():
    book = Book([invoice(1, 40_00), invoice(2, 40_00)])
    book.pay(book.invoices[0], 40_00, None)
    stranger = CreditUse("U9", "K9", "P9", "I2", 5_00, NOW, [unapplied("P-accountant", 5_00)])
    assert "Payment the accountant made" in sync_plan.use_plan(book, stranger).refused
    not_kept = CreditUse("U8", "K8", "P8", "I2", 5_00, NOW, [unapplied(book.payments[0].id, 5_00)])
    assert sync_plan.use_plan(book, not_kept).refused == ("the ledger keeps this credit's money on a payment that "
                                                          "does not hold it")


def _accountants_credit(book: Book) -> Credit:
    credit = Credit.issue(id="K-q", number="CR-q", customer_id="C", source=CreditSource.QBO, amount=60_00, now=NOW,
                          imported_from="Payment", locations=[qbo_unapplied("K-q", 60_00)])
    book.credits[credit.id] = credit
    return credit


def test_the_accountants_payment_carries_one_line_per_invoice_our_uses_paid():
    book = Book([invoice(1, 30_00), invoice(2, 20_00)])
    credit = _accountants_credit(book)
    assert credit.in_accountants_payment
    book.pay(book.invoices[0], 0, credit)
    book.pay(book.invoices[1], 0, credit)
    book.void(book.payments[1])  # its line goes: 0 on that invoice
    assert sync_plan.accountants_lines(book, credit) == {"I1": 30_00, "I2": 0}
    shares = {"I1": 5_00}
    assert sync_plan.with_accountants_share({"Q1": 30_00, "Q2": 0}, lambda q: shares.get(q.replace("Q", "I"), 0)) == {
        "Q1": 35_00, "Q2": 0}


def test_a_memo_plan_says_its_total_its_line_shape_and_who_shares_it():
    returned = Credit.issue(id="K1", number="CR-1", customer_id="C", source=CreditSource.RETURN, amount=12_00,
                            now=NOW, line_items=[{"product_id": "p", "quantity": "1", "unit_price": 12_00,
                                                  "total": 12_00}])
    plan = sync_plan.memo_plan(returned)
    assert (plan.action, plan.total, plan.whole, plan.itemized, plan.balance_canceled, plan.sharers) == (
        QboAction.UPDATE, 12_00, 12_00, True, False, ())
    book = Book([invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.reduce(book.invoices[0], 30_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    assert sync_plan.plan_memo(book, manual).sharers == (adjustment.id,)
    assert sync_plan.memos_given_back(adjustment) == [manual.id]
    manual.cancel(CancelMode.BALANCE_ONLY, now=NOW, active_uses=[])
    plan = sync_plan.plan_memo(book, manual)
    assert (plan.action, plan.total, plan.itemized, plan.balance_canceled) == (QboAction.REDUCE, 40_00, False, True)


def test_a_memo_of_a_credit_with_nothing_left_in_it_is_deleted():
    book = Book([invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.delete(manual)
    plan = sync_plan.plan_memo(book, manual)
    assert (plan.action, plan.total, plan.sharers) == (QboAction.DELETE, 0, ())


def test_one_way_books_leave_credits_out_and_a_deleted_invoice_without_balance():
    book = Book([invoice(1, 40_00), invoice(2, 10_00)])
    manual = book.issue(CreditSource.MANUAL, 15_00)
    book.pay(book.invoices[0], 30_00, manual)  # 15 of credit, then 25 of the 30 tendered: 5 over
    book.pay(book.invoices[1], 0, book.credits[book.payments[0].overpayment_credit_id])
    book.invoices[1].deleted = True
    books = sync_plan.one_way_books(book.invoices, book.payments, list(book.credits.values()))
    assert books.linked == {book.payments[0].id: 25_00}  # the credit-only payment has no Payment of its own
    assert books.unapplied == {book.payments[0].id: 5_00}
    assert books.balances == {"I1": 15_00, "I2": None}


def test_cuts_add_up_per_link_and_a_voided_payment_links_nothing():
    credits = [Credit.issue(id=f"A{n}", number=f"CR-{n}", customer_id="C", source=CreditSource.INVOICE_ADJUSTMENT,
                            amount=amount, now=NOW, cuts=[Cut(("payment", "P1"), (LocationKind.UNAPPLIED, "P1"),
                                                              amount).as_dict()],
                            locations=[unapplied("P1", amount)]) for n, amount in ((1, 3_00), (2, 4_00))]
    credits.append(Credit.issue(id="A3", number="CR-3", customer_id="C", source=CreditSource.INVOICE_ADJUSTMENT,
                                amount=1_00, now=NOW, cuts=[Cut(("use", "K#U"), (LocationKind.MEMO, "K"),
                                                                1_00).as_dict()], locations=[memo("K", 1_00)]))
    assert sync_plan.cuts_by_link(credits) == {("payment", "P1"): 7_00, ("use", "K#U"): 1_00}
    book = Book([invoice(1, 40_00)])
    book.pay(book.invoices[0], 40_00, None)
    payment = book.payments[0]
    assert sync_plan.tender_link(payment, 7_00) == 33_00
    book.void(payment)
    assert sync_plan.tender_link(payment, 7_00) == 0
    assert sync_plan.open_balance(book.invoices[0], 0) == 40_00


# ----- which request each document needs -------------------------------------------------------------------------

def test_a_document_never_sent_is_created_and_one_we_hold_is_updated_with_its_token():
    assert qbo_steps.to_write(SyncState()) == qbo_steps.Operation(qbo_steps.Step.CREATE)
    assert qbo_steps.to_write(SyncState(attempts=2)) == qbo_steps.Operation(qbo_steps.Step.CREATE, look_first=True)
    held = SyncState(qbo_id="9", sync_token="3", attempts=1)
    assert qbo_steps.to_write(held) == qbo_steps.Operation(qbo_steps.Step.UPDATE, "9", "3")


def test_what_must_go_is_removed_with_our_token_found_by_marker_or_left_alone():
    assert qbo_steps.to_remove(SyncState()) == qbo_steps.Operation(qbo_steps.Step.NOTHING)
    assert qbo_steps.to_remove(SyncState(attempts=1)) == qbo_steps.Operation(qbo_steps.Step.REMOVE, look_first=True)
    held = SyncState(qbo_id="9", sync_token="3")
    assert qbo_steps.to_remove(held) == qbo_steps.Operation(qbo_steps.Step.REMOVE, "9", "3")
    assert (qbo_steps.token_for(held, "9"), qbo_steps.token_for(held, "10")) == ("3", None)


@given(st.lists(st.integers(0, 10_000), max_size=6), st.integers(0, 10_000))
def test_a_linking_payment_links_its_memo_parts_less_the_cut_and_no_line_of_zero(amounts, cut):
    parts = [memo(f"M{n}", a) for n, a in enumerate(amounts)] + [unapplied("P", 1_00)]
    plan = sync_plan.UsePlan(after_cut(parts, cut), None)
    assert plan.linked == max(sum(amounts) - max(cut - 1_00, 0), 0)
    assert all(amount > 0 for _, amount in plan.memos)
    assert plan.payments == ["P"]


def _mixed() -> Book:
    """Invoice 1 paid by 30 of cash and 20 of a memo, then reduced to 10: its adjustment credit keeps 20 back in the
    memo and 20 on the cash Payment. That credit pays invoice 2 (30): 20 from the memo, 10 from the Payment."""
    book = Book([invoice(1, 50_00), invoice(2, 30_00)])
    manual = book.issue(CreditSource.MANUAL, 20_00)
    book.pay(book.invoices[0], 30_00, manual)
    book.reduce(book.invoices[0], 10_00)
    book.pay(book.invoices[1], 0, book.credits[book.invoices[0].adjustment_credit_ids[0]])
    return book


def test_a_payment_carries_only_the_parts_drawn_from_its_own_unapplied_amount():
    book = _mixed()
    cash = book.payments[0]
    adjustment = book.invoices[0].adjustment_credit_ids[0]
    assert sync_plan.keepers(book, cash.id) == [adjustment]
    assert sync_plan.unapplied_lines(book, cash) == [("I2", 10_00)]  # not the memo's 20
    assert sync_plan.payment_links(book, cash) == {"I1": 10_00, "I2": 10_00}
    check(book, 20_00)


def test_only_a_cut_of_that_use_back_to_that_payment_makes_a_credit_kept_there():
    """Invoice 2's reductions cut its use twice: the Payment part back to the Payment (that credit is kept there),
    then the memo part back to the memo (that one is not)."""
    book = _mixed()
    cash = book.payments[0]
    book.reduce(book.invoices[1], 20_00)  # cuts the use's last part: 10 of the Payment's
    book.reduce(book.invoices[1], 15_00)  # then 5 of the memo's
    first, back_to_payment, back_to_memo = book.invoices[0].adjustment_credit_ids + book.invoices[1].adjustment_credit_ids
    assert [Cut.from_dict(c).back_to for c in book.credits[back_to_memo].cuts] == [
        (LocationKind.MEMO, book.credits[first].locations[0].owner_id)]
    assert sync_plan.keepers(book, cash.id) == [first, back_to_payment]
    check(book, 20_00)


def test_the_plans_are_values():
    for value, name in ((qbo_steps.Operation(qbo_steps.Step.NOTHING), "step"),
                        (sync_plan.OneWayBooks({}, {}, {}), "linked"), (sync_plan.UsePlan([], None), "links"),
                        (sync_plan.memo_plan(Credit.issue(id="K", number="CR", customer_id="C", now=NOW,
                                                          source=CreditSource.MANUAL, amount=1)), "total")):
        try:
            setattr(value, name, None)
        except AttributeError:
            continue
        raise AssertionError(f"{type(value).__name__} can be changed after it was planned")
