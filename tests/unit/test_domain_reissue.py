"""A credit imported from the old company, reissued by a re-sync to a new one (DESIGN §5): ours from then on, a
CreditMemo for what is left of it, whose RemainingCredit is its remaining once its uses link it."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import imports as rules
from chalicelib.domain.credits import CancelMode, Credit, CreditAmountFixed, CreditOwnedByQbo, CreditSource, CreditUse
from chalicelib.domain.errors import CreditBelowUsed, CreditNotActive, InvalidInput
from chalicelib.domain.locations import Cut, Location, LocationKind, held, memo, relocate, relocate_cuts, unapplied
from chalicelib.domain.parity import Holding, kept_in_sources
from chalicelib.domain.qbo_actions import QboAction
from chalicelib.domain.sync_plan import memo_plan
from chalicelib.qbo.mapping import Ref, credit_memo_doc

NOW, LATER = "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"
PAYMENT, MEMO = (LocationKind.UNAPPLIED, "c1"), (LocationKind.MEMO, "c1")


def _imported(amount: int, applied: int = 0, *, from_payment: bool = False) -> Credit:
    credit = Credit.issue(id="c1", number="CR-1", customer_id="k", source=CreditSource.QBO, amount=amount, now=NOW,
                          applied_in_qbo=applied, imported_from="Payment" if from_payment else "CreditMemo")
    credit.events.clear()
    return credit


def _spend(credit: Credit, amounts: list[int]) -> list[CreditUse]:
    return [credit.apply(use_id=f"u{n}", payment_id=f"p{n}", invoice_id=f"i{n}", amount=amount, now=NOW)
            for n, amount in enumerate(amounts)]


@st.composite
def imported_and_used(draw):
    """An imported credit (from either document), what the old company applied of it, and our uses (some voided)."""
    amount = draw(st.integers(min_value=1, max_value=10**9))
    applied = draw(st.integers(min_value=0, max_value=amount - 1))
    credit = _imported(amount, applied, from_payment=draw(st.booleans()))
    left, amounts = amount - applied, []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        if left == 0:
            break
        amounts.append(draw(st.integers(min_value=1, max_value=left)))
        left -= amounts[-1]
    uses = _spend(credit, amounts)
    for use in uses:
        if draw(st.booleans()):
            credit.release(use, now=NOW)
    return credit, uses


@given(imported_and_used())
def test_reissued_its_memo_holds_what_is_left_and_remaining_credit_is_its_remaining(case):
    credit, uses = case
    before = (credit.amount, credit.used, credit.remaining, credit.status)
    old, new = credit.reissue(now=LATER)
    for use in uses:
        use.move_source(old, new)
    assert (credit.amount, credit.used, credit.remaining, credit.status) == before  # no money changed here
    assert not credit.owned_by_qbo and credit.in_our_memo and not credit.in_accountants_payment
    assert memo_plan(credit).total == credit.amount - credit.applied_in_qbo
    linked = sum(part.amount for use in uses if use.active for part in use.parts if part.key == MEMO)
    assert memo_plan(credit).total - linked == credit.remaining  # RemainingCredit once its uses are linked
    kept = kept_in_sources([Holding(credit.id, True, credit.locations, credit.drawn, credit.applied_in_qbo)])
    assert kept == {MEMO: credit.remaining}  # what parity expects of that memo: nothing left on a Payment
    assert all(part.key == MEMO for use in uses for part in use.parts)


def test_reissuing_twice_changes_nothing_and_says_so_once():
    credit = _imported(5000, 1000, from_payment=True)
    assert credit.reissue(now=LATER) == (PAYMENT, MEMO)
    assert credit.reissue(now="2026-05-01T00:00:00Z") is None
    assert credit.reissued_at == LATER and [e.kind for e in credit.events] == ["reissued"]
    assert credit.events[0].details == {"memo_total": 4000, "applied_in_qbo": 1000, "imported_from": "Payment"}
    assert credit.locations == [memo("c1", 5000)]


def test_only_an_active_imported_credit_is_reissued():
    voided = _imported(800)
    rules.void_imported(voided, now=NOW)
    with pytest.raises(CreditNotActive):
        voided.reissue(now=LATER)
    manual = Credit.issue(id="m1", number="CR-2", customer_id="k", source=CreditSource.MANUAL, amount=100, now=NOW)
    assert manual.reissue(now=LATER) is None and manual.reissued_at is None


def test_a_reissued_credit_is_ours_to_edit_cancel_and_delete():
    kept = _imported(3000, 500)
    with pytest.raises(CreditAmountFixed):
        kept.edit(now=NOW, amount=3500)
    with pytest.raises(CreditOwnedByQbo):
        kept.cancel(CancelMode.BALANCE_ONLY, now=NOW)
    kept.reissue(now=LATER)
    kept.edit(now=LATER, amount=3500, external_note="thanks")
    assert memo_plan(kept).total == 3000 and kept.remaining == 3000
    with pytest.raises(CreditBelowUsed):
        kept.edit(now=LATER, amount=400)  # below what was used (the 5.00 the old company applied)
    _spend(kept, [1000])
    kept.cancel(CancelMode.BALANCE_ONLY, now=LATER)
    assert memo_plan(kept).total == 1000  # shrunk to what its use links: RemainingCredit 0
    deleted = _imported(700, 200)
    deleted.reissue(now=LATER)
    deleted.soft_delete(now=LATER)
    assert memo_plan(deleted).action is QboAction.DELETE


def test_an_adjustment_credit_kept_in_a_reissued_memo_may_be_removed():
    adjustment = Credit.issue(id="a1", number="CR-3", customer_id="k", source=CreditSource.INVOICE_ADJUSTMENT,
                              amount=400, now=NOW, locations=[Location(LocationKind.MEMO, "c1", 400)],
                              cuts=[Cut(("use", "c1#u0"), MEMO, 400).as_dict()])
    with pytest.raises(CreditOwnedByQbo):
        adjustment.cancel(CancelMode.BALANCE_ONLY, now=NOW, imported_memos=["c1"])
    adjustment.cancel(CancelMode.BALANCE_ONLY, now=LATER, imported_memos=[])  # c1 reissued: no longer imported


def test_what_named_the_accountants_payment_names_the_memo_after():
    adjustment = Credit.issue(id="a1", number="CR-3", customer_id="k", source=CreditSource.INVOICE_ADJUSTMENT,
                              amount=400, now=NOW, locations=[Location(*PAYMENT, 300), unapplied("p9", 100)],
                              cuts=[Cut(("use", "c1#u0"), PAYMENT, 300).as_dict(),
                                    Cut(("payment", "p9"), (LocationKind.UNAPPLIED, "p9"), 100).as_dict()])
    _spend(adjustment, [350])
    assert adjustment.names_source(PAYMENT) and adjustment.move_source(PAYMENT, MEMO)
    assert adjustment.locations == [Location(*MEMO, 300), unapplied("p9", 100)]
    assert adjustment.drawn == [Location(*MEMO, 300), unapplied("p9", 50)]
    assert [tuple(c["back_to"]) for c in adjustment.cuts] == [("memo", "c1"), ("unapplied", "p9")]
    assert not adjustment.move_source(PAYMENT, MEMO) and not adjustment.names_source(PAYMENT)


@given(st.lists(st.tuples(st.sampled_from([PAYMENT, MEMO, (LocationKind.UNAPPLIED, "p1")]),
                          st.integers(min_value=0, max_value=10**9)), max_size=6))
def test_relocating_a_source_keeps_every_cent(parts):
    locations = [Location(kind, owner, amount) for (kind, owner), amount in parts]
    moved = relocate(locations, PAYMENT, MEMO)
    assert PAYMENT not in {loc.key for loc in moved}
    before, after = held(locations, []), held(moved, [])
    assert after.get(MEMO, 0) == before.get(MEMO, 0) + before.get(PAYMENT, 0)
    assert sum(after.values()) == sum(before.values())
    cuts = [Cut(("use", f"u{n}"), (kind, owner), amount).as_dict() for n, ((kind, owner), amount) in enumerate(parts)]
    assert [c["amount"] for c in relocate_cuts(cuts, PAYMENT, MEMO)] == [c["amount"] for c in cuts]


def test_the_accountant_applying_a_reissued_memo_takes_nothing_from_the_old_companys_share():
    credit = _imported(5000, 1000)
    credit.reissue(now=LATER)
    use = rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=1500, now=LATER)
    assert use.from_qbo and credit.applied_in_qbo == 1000 and credit.remaining == 2500
    with pytest.raises(InvalidInput):
        rules.follow_qbo(credit, rules.QboCreditTerms(5000, 0), now=LATER)  # ours: QBO no longer rewrites it


def test_a_reissued_memo_says_what_it_holds():
    credit = _imported(5000, 1000)
    credit.reissue(now=LATER)
    doc = credit_memo_doc(credit, memo_plan(credit), customer=Ref("7"), item=Ref("1"))
    assert [(line["Amount"], line["Description"]) for line in doc["Line"]] == [(40, "Credit CR-1")]
    assert doc["DocNumber"] == "CR-1" and "[cc:credit:c1]" in doc["PrivateNote"]
