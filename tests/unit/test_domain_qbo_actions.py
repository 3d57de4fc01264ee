"""The table of QBO actions (domain/qbo_actions.py): the rows of DESIGN §5 for a credit's memo and a use's linking
Payment, the documents a cancel or delete lists from them, in the push's order, and the history line's words."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.credits import CancelMode, Credit, CreditSource, CreditUse
from chalicelib.domain.invoices import Invoice, Line
from chalicelib.domain.locations import memo
from chalicelib.domain.qbo_actions import NO_VOID, QboAction, linking_payment_action, memo_action, memo_total
from chalicelib.domain.sync_plan import memo_plan
from chalicelib.domain.qbo_changes import Moved, Reverted, kept_in_memos, removal_changes
from chalicelib.qbo import mapping

NOW = "2026-11-26T10:00:00.000000Z"


def _credit(amount: int = 50_00, *, qbo_id: str | None = "CM-1", source=CreditSource.MANUAL, **kw) -> Credit:
    credit = Credit.issue(id="K1", number="CR-1001", customer_id="C1", source=source, amount=amount, now=NOW, **kw)
    credit.sync.qbo_id = qbo_id
    return credit


def _use(credit: Credit, use_id: str, invoice_id: str, amount: int, qbo_id: str | None) -> CreditUse:
    use = credit.apply(use_id=use_id, payment_id=f"P-{use_id}", invoice_id=invoice_id, amount=amount, now=NOW)
    use.sync.qbo_id = qbo_id
    return use


def _invoice(invoice_id: str, qbo_id: str | None) -> Invoice:
    invoice = Invoice(id=invoice_id, number=f"INV-{invoice_id}", sales_order_id="S", customer_id="C1",
                      lines=[Line("oranges", "1", 40_00)], charges=[], created_at=NOW)
    invoice.sync.qbo_id = qbo_id
    return invoice


@pytest.mark.parametrize(("active", "used", "given_up", "action"), [
    (True, 0, 0, QboAction.UPDATE),  # an edit: the memo is rewritten
    (True, 20_00, 10_00, QboAction.REDUCE),  # a removed adjustment credit's money leaves it
    (False, 0, 0, QboAction.DELETE),  # deleted, canceled & reverted, canceled unused: no void in QBO's API
    (False, 20_00, 0, QboAction.REDUCE),  # canceled balance only with uses: RemainingCredit 0
    (False, 50_00, 0, QboAction.UPDATE),  # canceled after its uses took all of it: as it is
])
def test_what_becomes_of_a_credits_memo(active, used, given_up, action):
    assert memo_action(active=active, amount=50_00, used=used, given_up=given_up) is action


@given(st.integers(1, 10_000), st.data())
def test_the_push_deletes_exactly_the_memos_the_table_deletes_and_writes_the_others_at_its_total(amount, data):
    """mapping (the push, parity, re-sync) reads the table: never a memo deleted that the preview keeps."""
    credit = _credit(amount)
    used = data.draw(st.integers(0, amount))
    if used:
        credit.apply(use_id="U1", payment_id="P1", invoice_id="I2", amount=used, now=NOW)
    change = data.draw(st.sampled_from(["balance_only", "revert", "delete", None]))
    if change == "delete" and not used:
        credit.soft_delete(now=NOW)
    elif change in ("balance_only", "revert"):
        uses = [CreditUse("U1", "K1", "P1", "I2", used, NOW, parts=[memo("K1", used)])] if used else []
        credit.cancel(CancelMode(change), now=NOW, active_uses=uses)
    action = credit.memo_action()
    assert action is memo_action(active=credit.status.value == "active", amount=credit.amount, used=credit.used)
    assert (memo_plan(credit).action is QboAction.DELETE) == (action is QboAction.DELETE)
    assert memo_plan(credit).total == (0 if action is QboAction.DELETE else memo_total(
        active=credit.status.value == "active", amount=credit.amount, used=credit.used))
    assert (action is QboAction.REDUCE) == (0 < memo_plan(credit).total < amount)


def test_a_use_keeps_its_linking_payment_only_while_active_and_linking_something():
    assert linking_payment_action(active=True, linked=1) is QboAction.UPDATE
    assert linking_payment_action(active=True, linked=0) is QboAction.DELETE  # reductions cut it to nothing
    assert linking_payment_action(active=False, linked=30_00) is QboAction.DELETE


def test_a_revert_lists_the_linking_payments_by_id_then_the_invoices_then_the_memo():
    credit = _credit()
    invoices = {"A": _invoice("A", "INV-7"), "B": _invoice("B", None)}
    uses = [_use(credit, "U1", "A", 20_00, "PAY-1"), _use(credit, "U2", "A", 5_00, "PAY-2"),
            _use(credit, "U3", "B", 10_00, "PAY-3"), _use(credit, "U4", "B", 5_00, None)]
    reverted = credit.cancel(CancelMode.REVERT, now=NOW, active_uses=uses)
    changes = removal_changes(credit, reverted=[Reverted(u, u.parts) for u in reverted], invoices=invoices,
                              memos={})
    assert [(c.action, c.qbo_type, c.qbo_id, c.object_id) for c in changes] == [
        (QboAction.DELETE, "Payment", "PAY-1", "U1"), (QboAction.DELETE, "Payment", "PAY-2", "U2"),
        (QboAction.DELETE, "Payment", "PAY-3", "U3"),  # U4 never reached QBO; invoice B is not there
        (QboAction.UPDATE, "Invoice", "INV-7", "A"), (QboAction.DELETE, "CreditMemo", "CM-1", "K1")]
    assert changes[3].effect == "Balance rises by 25.00: the deleted links paid that"
    assert changes[4].effect == f"deleted after the linking Payments ({NO_VOID})"


def test_a_link_reductions_cut_to_nothing_is_already_gone_and_a_credit_not_in_qbo_changes_nothing():
    credit = _credit()
    use = _use(credit, "U1", "A", 20_00, "PAY-1")
    reverted = credit.cancel(CancelMode.REVERT, now=NOW, active_uses=[use])
    cut_away = [memo("K1", 0)]
    assert [c.qbo_type for c in removal_changes(credit, reverted=[Reverted(reverted[0], cut_away)],
                                                invoices={"A": _invoice("A", "INV-7")}, memos={})] == ["CreditMemo"]
    assert removal_changes(_credit(qbo_id=None), reverted=[], invoices={}, memos={}) == []


def test_a_removed_adjustment_credit_reduces_the_memo_keeping_its_unspent_money():
    host = _credit(qbo_id="CM-9")
    adjustment = Credit.issue(id="X1", number="CR-1002", customer_id="C1", source=CreditSource.INVOICE_ADJUSTMENT,
                              amount=10_00, now=NOW, locations=[memo("K1", 10_00)])
    adjustment.apply(use_id="U9", payment_id="P9", invoice_id="I9", amount=4_00, now=NOW)
    adjustment.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    [change] = removal_changes(adjustment, reverted=[], invoices={}, memos={"K1": host})
    assert (change.action, change.qbo_id, change.object_id) == (QboAction.REDUCE, "CM-9", "K1")
    assert change.effect == "reduced by 6.00: what CR-1002 kept in it leaves"


def test_an_adjustment_credit_a_revert_undoes_is_listed_on_the_memo_its_money_leaves():
    credit = _credit()
    undone = Credit.issue(id="X1", number="CR-1002", customer_id="C1", source=CreditSource.INVOICE_ADJUSTMENT,
                          amount=10_00, now=NOW, locations=[memo("K1", 10_00)])
    before = kept_in_memos(undone)
    undone.void_with_origin(now=NOW, reason="its cut link was voided")
    use = _use(credit, "U1", "A", 40_00, "PAY-1")
    reverted = credit.cancel(CancelMode.REVERT, now=NOW, active_uses=[use])
    changes = removal_changes(credit, reverted=[Reverted(reverted[0], [memo("K1", 30_00)])],
                              invoices={"A": _invoice("A", "INV-7")}, memos={}, moved=[Moved(undone, before)])
    assert [(c.action, c.qbo_type, c.qbo_id, c.object_id) for c in changes][-2:] == [
        (QboAction.DELETE, "CreditMemo", "CM-1", "K1"), (QboAction.DELETE, "CreditMemo", "CM-1", "X1")]
    assert changes[-1].effect == "the 10.00 of CR-1002 kept in it leaves with it"


def test_the_history_line_says_what_the_preview_says():
    credit = _credit()
    use = _use(credit, "U1", "A", 20_00, "PAY-1")
    credit.cancel(CancelMode.REVERT, now=NOW, active_uses=[use])
    assert credit.events[-1].details["qbo"] == (f"in QuickBooks: linking Payments deleted first, then CreditMemo CM-1 "
                                                f"deleted ({NO_VOID})")
    kept = _credit()
    _use(kept, "U1", "A", 20_00, "PAY-1")
    kept.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    assert kept.events[-1].details["qbo"] == ("in QuickBooks: CreditMemo CM-1 reduced so RemainingCredit is 0 "
                                              "(its uses stay)")
    gone = _credit()
    gone.soft_delete(now=NOW)
    assert gone.events[-1].details == {"qbo": f"in QuickBooks: CreditMemo CM-1 deleted ({NO_VOID})"}
    never_synced = _credit(qbo_id=None)
    never_synced.soft_delete(now=NOW)
    assert never_synced.events[-1].details == {}
