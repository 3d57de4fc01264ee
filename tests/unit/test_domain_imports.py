"""Inbound rules: how QBO documents become and change imported credits, echo/drift verdicts, the CDC window."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from chalicelib.domain import imports as rules
from chalicelib.domain.credits import (Credit, CreditEvent, CreditInUse, CreditSource, CreditStatus,
                                       InsufficientCredit)
from chalicelib.domain.errors import CreditNotActive, InvalidInput
from chalicelib.domain.locations import memo

NOW = "2026-03-01T00:00:00Z"
cents = st.integers(min_value=0, max_value=10**11)


def _imported(amount: int, applied: int = 0) -> Credit:
    credit = Credit.issue(id="c1", number="CR-1", customer_id="k", source=CreditSource.QBO, amount=amount, now=NOW,
                          applied_in_qbo=applied)
    credit.events.clear()
    return credit


@given(total=cents, data=st.data())
def test_a_memo_is_its_total_and_what_is_not_remaining_was_applied(total, data):
    remaining = data.draw(st.integers(min_value=0, max_value=total))
    terms = rules.memo_terms(total, remaining)
    assert terms.amount == total and terms.amount - terms.applied == remaining and terms.applied >= 0


def test_a_memo_whose_remaining_exceeds_its_total_is_refused():
    with pytest.raises(InvalidInput):
        rules.memo_terms(100, 101)


@given(first=st.integers(min_value=1, max_value=10**9), total=cents, data=st.data())
def test_a_payment_credit_is_its_money_the_accountant_did_not_apply(first, total, data):
    """`free` (UnappliedAmt plus our own lines) is always the credit's value; what the accountant applied since the
    import is applied in QBO, never more than their own lines hold; a lower TotalAmt alone lowers the amount."""
    free = data.draw(st.integers(min_value=0, max_value=10**9))
    terms = rules.unapplied_terms(total, free, imported_amount=first)
    assert terms.amount - terms.applied == free
    assert 0 <= terms.applied <= max(total - free, 0) and terms.applied <= max(first - free, 0)
    assert rules.unapplied_terms(free, free, imported_amount=first) == rules.QboCreditTerms(free, 0)


@given(imported=st.integers(min_value=1, max_value=10**9), data=st.data())
def test_what_the_accountant_applies_after_the_import_counts_as_applied_and_the_amount_stays(imported, data):
    total = imported + data.draw(st.integers(min_value=0, max_value=10**9))  # their lines when imported
    applied = data.draw(st.integers(min_value=0, max_value=imported))
    assert rules.unapplied_terms(total, imported - applied, imported_amount=imported) == rules.QboCreditTerms(
        imported, applied)


@given(amount=st.integers(min_value=1, max_value=10**9), data=st.data())
def test_an_imported_credit_follows_qbo_and_keeps_remaining_equal_to_qbos(amount, data):
    credit = _imported(amount)
    new_total = data.draw(st.integers(min_value=1, max_value=10**9))
    remaining = data.draw(st.integers(min_value=0, max_value=new_total))
    rules.follow_qbo(credit, rules.memo_terms(new_total, remaining), now=NOW)
    assert credit.amount == new_total and credit.remaining == remaining and credit.used == new_total - remaining
    assert 0 <= credit.used <= credit.amount


def test_following_qbo_never_takes_away_what_our_own_uses_spent():
    credit = _imported(3000)
    credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=2000, now=NOW)
    with pytest.raises(rules.ImportedCreditInUse):
        rules.follow_qbo(credit, rules.memo_terms(1500, 1500), now=NOW)
    assert credit.amount == 3000
    rules.follow_qbo(credit, rules.memo_terms(2500, 2500), now=NOW)  # 2500 left in QBO still covers our 2000
    assert (credit.amount, credit.used, credit.remaining) == (2500, 2000, 500)


def test_only_imported_credits_follow_qbo():
    manual = Credit.issue(id="m", number="CR-2", customer_id="k", source=CreditSource.MANUAL, amount=100, now=NOW)
    with pytest.raises(InvalidInput):
        rules.follow_qbo(manual, rules.memo_terms(50, 50), now=NOW)


def test_a_qbo_delete_voids_an_imported_credit_unless_we_used_it():
    credit = _imported(1000)
    rules.void_imported(credit, now=NOW)
    assert credit.status is CreditStatus.VOIDED and credit.remaining == 0
    used = _imported(1000)
    used.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=10, now=NOW)
    with pytest.raises(CreditInUse):
        rules.void_imported(used, now=NOW)
    assert used.status is CreditStatus.ACTIVE


@pytest.mark.parametrize("ours_id, ours_token, theirs_token, same, verdict", [
    (None, None, "0", False, rules.Verdict.ECHO),  # the webhook beat our push's bookkeeping
    ("7", "3", "3", False, rules.Verdict.ECHO),  # our own push, even if we changed it again since
    ("7", "3", "2", False, rules.Verdict.STALE),
    ("7", "3", "4", True, rules.Verdict.SAME),  # QBO moved something we do not own (remaining credit)
    ("7", "3", "4", False, rules.Verdict.DRIFT),
    ("7", "3", "10", False, rules.Verdict.DRIFT),  # tokens compare as numbers, not text
])
def test_own_document_verdicts(ours_id, ours_token, theirs_token, same, verdict):
    theirs = {"total": 1} if same else {"total": 2}
    assert rules.judge_own_document(our_qbo_id=ours_id, our_sync_token=ours_token, their_sync_token=theirs_token,
                                    ours={"total": 1}, theirs=theirs) is verdict


def test_a_newer_version_differing_from_our_change_still_on_its_way_waits_for_its_echo():
    """Our state now is not what we pushed while a change of ours is pending: the difference proves no drift."""
    judge = dict(our_qbo_id="7", our_sync_token="3", their_sync_token="4", ours={"exists": False},
                 theirs={"exists": True, "total": 3000})
    assert rules.judge_own_document(**judge, ours_pending=True) is rules.Verdict.WAITING
    assert rules.judge_own_document(**judge, ours_pending=False) is rules.Verdict.DRIFT
    assert rules.judge_own_document(**{**judge, "their_sync_token": "3"}, ours_pending=True) is rules.Verdict.ECHO


@given(age=st.integers(min_value=0, max_value=40 * 24 * 3600))
def test_cdc_reads_from_the_watermark_less_the_overlap_or_a_full_resync_past_the_limit(age):
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    watermark = now - timedelta(seconds=age)
    since = rules.cdc_since(watermark, now)
    if since is None:
        assert watermark - rules.CDC_OVERLAP < now - rules.CDC_LOOKBACK + rules.CDC_LOOKBACK_MARGIN
    else:
        assert since == watermark - rules.CDC_OVERLAP and since > now - rules.CDC_LOOKBACK
    assert rules.cdc_since(None, now) is None


def test_a_cdc_answer_at_the_limit_is_truncated():
    assert rules.truncated({"CreditMemo": 1000, "Payment": 999}) == ["CreditMemo"]


def test_a_hint_sent_before_the_last_read_started_needs_no_new_read():
    start = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert rules.already_read(start, start - timedelta(seconds=30))
    assert not rules.already_read(start, start)  # within the clock margin: read again
    assert not rules.already_read(start, start + timedelta(seconds=5))
    assert not rules.already_read(start, start - timedelta(milliseconds=100))
    assert not rules.already_read(None, start) and not rules.already_read(start, None)


def test_a_memo_with_negative_remaining_credit_is_refused():
    with pytest.raises(InvalidInput):
        rules.memo_terms(100, -1)


@pytest.mark.parametrize("total, free", [(100, -1), (-1, 0)])
def test_a_payment_with_a_negative_amount_is_refused(total, free):
    with pytest.raises(InvalidInput):
        rules.unapplied_terms(total, free, imported_amount=None)


def test_a_payment_first_seen_with_nothing_unapplied_holds_no_credit():
    assert rules.unapplied_terms(500, 0, imported_amount=None) == rules.QboCreditTerms(0, 0)


def test_following_qbo_records_what_changed_once_and_nothing_when_nothing_did():
    credit = _imported(1000)
    assert rules.follow_qbo(credit, rules.memo_terms(1200, 900, internal_note="n"), now="later")
    assert credit.updated_at == "later" and credit.events == [CreditEvent("edited", "later", 1200, {
        "by": "qbo", "amount": {"from": 1000, "to": 1200}, "applied_in_qbo": {"from": 0, "to": 300},
        "internal_note": {"from": "", "to": "n"}})]
    assert not rules.follow_qbo(credit, rules.memo_terms(1200, 900, internal_note="n"), now="even later")
    assert credit.updated_at == "later" and len(credit.events) == 1


def test_applications_already_recorded_as_uses_are_not_counted_twice_when_following_qbo():
    """QBO applied 300 of the memo; 200 of that is the accountant's application we recorded as a use."""
    credit = _imported(1000)
    credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=200, now=NOW)
    rules.follow_qbo(credit, rules.memo_terms(1000, 700), now=NOW, recorded=200)
    assert (credit.applied_in_qbo, credit.used, credit.remaining) == (100, 300, 700)


def test_an_application_made_in_qbo_moves_from_applied_in_qbo_into_a_use():
    credit = _imported(1000, applied=300)  # the memo was read first: QBO's application counted as applied there
    use = rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=200, now=NOW)
    assert use.from_qbo and use.amount == 200
    assert (credit.applied_in_qbo, credit.uses_total, credit.remaining) == (100, 200, 700)


@pytest.mark.parametrize("applied, amount, moved", [(300, 200, 200), (100, 200, 100)])
def test_the_history_says_what_moved_from_applied_in_qbo_just_before_the_use(applied, amount, moved):
    """Replaying the history (domain.history) must not count the moved amount twice: an edit line names it, just
    before the use it moved into, after every earlier line."""
    credit = Credit.issue(id="c1", number="CR-1", customer_id="k", source=CreditSource.QBO, amount=1000, now=NOW,
                          applied_in_qbo=applied)
    credit.events.append(CreditEvent("edited", NOW, 1000, {"by": "qbo", "internal_note": {"from": "", "to": "x"}}))
    earlier = list(credit.events)
    rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=amount, now=NOW)
    assert credit.events == [*earlier,
        CreditEvent("edited", NOW, 1000, {"by": "qbo", "applied_in_qbo": {"from": applied, "to": applied - moved}}),
        CreditEvent("applied", NOW, amount, {"payment_id": "p1", "invoice_id": "i1", "use_id": "u1"})]


def test_an_application_in_qbo_that_moves_nothing_writes_no_edit_line():
    credit = _imported(1000)
    rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=200, now=NOW)
    assert [e.kind for e in credit.events] == ["applied"]


def test_an_application_in_qbo_of_one_of_our_credits_is_a_use_and_nothing_else():
    credit = Credit.issue(id="m", number="CR-2", customer_id="k", source=CreditSource.MANUAL, amount=1000, now=NOW)
    use = rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=200, now=NOW)
    assert use.from_qbo and (credit.applied_in_qbo, credit.used, credit.remaining) == (0, 200, 800)


def test_a_refused_application_leaves_what_qbo_applied_as_it_was():
    credit = _imported(1000, applied=300)
    with pytest.raises(InsufficientCredit):
        rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=1001, now=NOW)
    assert (credit.applied_in_qbo, credit.uses_total, credit.use_count) == (300, 0, 0)


@pytest.mark.parametrize("ours_id, ours_token", [(None, "3"), ("7", None)])
def test_our_document_is_our_echo_until_our_push_has_recorded_both_its_id_and_token(ours_id, ours_token):
    assert rules.judge_own_document(our_qbo_id=ours_id, our_sync_token=ours_token, their_sync_token="5",
                                    ours={"total": 1}, theirs={"total": 2}) is rules.Verdict.ECHO


def test_an_unreadable_sync_token_in_qbos_answer_counts_as_older_than_ours():
    for theirs in ("", "x1"):
        assert rules.judge_own_document(our_qbo_id="7", our_sync_token="0", their_sync_token=theirs,
                                        ours={"total": 1}, theirs={"total": 2}) is rules.Verdict.STALE


def test_the_cdc_window_is_qbos_30_days_less_an_hour_and_reads_5_minutes_back():
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    edge = now - timedelta(days=29, hours=22, minutes=55)  # less the 5-minute overlap: 30 days less 1 hour back
    assert rules.cdc_since(edge, now) == now - timedelta(days=29, hours=23)
    assert rules.cdc_since(edge - timedelta(seconds=1), now) is None


def test_a_hint_is_covered_only_by_a_read_started_a_quarter_second_after_it():
    start = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert rules.already_read(start, start - timedelta(milliseconds=250))
    assert not rules.already_read(start, start - timedelta(milliseconds=249))


def test_following_qbo_keeps_room_for_our_uses_not_yet_in_qbo_to_the_cent():
    """Imported with 100 applied in QBO; we used 400 of it, 100 of that pushed (QBO counts it as applied)."""
    def credit_with_uses() -> Credit:
        credit = _imported(1000, applied=100)
        credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=400, now=NOW)
        return credit

    exact = credit_with_uses()  # the accountant applied 500 more: QBO leaves 300, what our unpushed uses need
    rules.follow_qbo(exact, rules.memo_terms(1000, 300), now=NOW, recorded=100)
    assert (exact.applied_in_qbo, exact.used, exact.remaining) == (600, 1000, 0)
    short = credit_with_uses()
    with pytest.raises(rules.ImportedCreditInUse) as refused:
        rules.follow_qbo(short, rules.memo_terms(1000, 299), now=NOW, recorded=100)
    assert "QuickBooks leaves 299 cents" in str(refused.value) and refused.value.details["used"] == 300
    assert (short.applied_in_qbo, short.used) == (100, 500)


def test_a_new_amount_in_qbo_becomes_the_credits_one_memo():
    credit = _imported(1000)
    rules.follow_qbo(credit, rules.memo_terms(1000, 600), now=NOW)
    assert credit.locations == [memo("c1", 1000)]
    rules.follow_qbo(credit, rules.memo_terms(1500, 1100), now=NOW)
    assert credit.locations == [memo("c1", 1500)]


def test_an_application_in_qbo_of_a_credit_no_longer_active_is_refused_and_changes_nothing():
    credit = _imported(1000)
    rules.void_imported(credit, now=NOW)  # QBO voided its memo (an imported credit is never canceled here)
    with pytest.raises(CreditNotActive):
        rules.record_qbo_application(credit, use_id="u1", payment_id="p1", invoice_id="i1", amount=250, now=NOW)
    assert (credit.applied_in_qbo, credit.uses_total, credit.use_count) == (0, 0, 0)


def test_qbo_showing_less_applied_than_our_recorded_uses_never_counts_a_negative_application():
    """QBO lost one of our pushed uses (applied 100 there, 200 recorded here): nothing is applied outside our uses."""
    credit = _imported(1000)
    credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=200, now=NOW)
    rules.follow_qbo(credit, rules.memo_terms(1000, 900), now=NOW, recorded=200)
    assert (credit.applied_in_qbo, credit.used, credit.remaining) == (0, 200, 800)
# a credit imported from the accountant's Payment (its UnappliedAmt) -----------------------------------------------

def _from_payment(amount: int) -> Credit:
    credit = Credit.issue(id="c1", number="CR-1", customer_id="k", source=CreditSource.QBO, amount=amount, now=NOW,
                          imported_from="Payment")
    credit.events.clear()
    return credit


def test_a_credit_imported_from_a_payment_lives_in_its_unapplied_amount_not_in_a_memo():
    from chalicelib.domain.locations import LocationKind

    credit = _from_payment(8000)
    assert credit.in_accountants_payment and [(loc.kind, loc.owner_id) for loc in credit.locations] == [
        (LocationKind.UNAPPLIED, "c1")]
    use = credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=3000, now=NOW)
    assert [(part.kind, part.owner_id, part.amount) for part in use.parts] == [(LocationKind.UNAPPLIED, "c1", 3000)]
    assert not _imported(100).in_accountants_payment  # a memo's credit stays in its memo


def test_following_the_payment_keeps_the_credit_in_that_payment():
    from chalicelib.domain.locations import LocationKind

    credit = _from_payment(8000)
    assert rules.follow_qbo(credit, rules.unapplied_terms(9000, 9000, imported_amount=8000), now=NOW)
    assert [(loc.kind, loc.amount) for loc in credit.locations] == [(LocationKind.UNAPPLIED, 9000)]


@given(amount=st.integers(min_value=1, max_value=10**6), data=st.data())
def test_our_uses_of_a_payment_credit_are_never_counted_as_applied_in_qbo(amount, data):
    """Our lines on the Payment are part of what the accountant did not apply (`free`), landed or not yet, so the
    credit is exact whenever it is read."""
    used = data.draw(st.integers(min_value=0, max_value=amount))
    theirs = data.draw(st.integers(min_value=0, max_value=amount - used))  # the accountant's own applications
    credit = _from_payment(amount)
    uses = [credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=used, now=NOW)] if used else []
    rules.follow_qbo(credit, rules.unapplied_terms(amount, amount - theirs, imported_amount=amount), now=NOW,
                     recorded=rules.recorded_in_qbo(credit, uses))
    assert (credit.amount, credit.used, credit.remaining) == (amount, used + theirs, amount - used - theirs)


def test_the_accountant_lowering_their_payment_lowers_the_credit_and_uses_none_of_it():
    credit = _from_payment(4595)
    rules.follow_qbo(credit, rules.unapplied_terms(985, 985, imported_amount=4595), now=NOW)
    assert (credit.amount, credit.used, credit.remaining) == (985, 0, 985)


@given(links=st.lists(st.tuples(st.sampled_from(["i1", "i2", "i3"]), st.integers(min_value=1, max_value=10**6)),
                      max_size=6),
       ours=st.dictionaries(st.sampled_from(["i1", "i2", "i4"]), st.integers(min_value=0, max_value=10**6)))
@example(links=[("i1", 5), ("i1", 5)], ours={"i1": 7})  # our line spread over two of the Payment's lines
def test_the_accountants_links_are_the_payments_links_less_our_lines(links, ours):
    """Per invoice, whatever the order and repetition of the Payment's lines."""
    theirs = rules.accountants_links(links, ours)
    for invoice in {"i1", "i2", "i3"}:
        total = sum(a for i, a in links if i == invoice)
        assert sum(a for i, a in theirs if i == invoice) == max(0, total - ours.get(invoice, 0))
    assert all(amount > 0 for _, amount in theirs)


def test_a_memo_credits_recorded_uses_are_those_qbo_knows():
    credit = _imported(5000)
    pushed = credit.apply(use_id="u1", payment_id="p1", invoice_id="i1", amount=1000, now=NOW)
    pushed.sync.pushed(pushed.sync.version, qbo_id="9", sync_token="0")
    waiting = credit.apply(use_id="u2", payment_id="p2", invoice_id="i2", amount=700, now=NOW)
    waiting.sync.touch()
    never_pushed = credit.apply(use_id="u3", payment_id="p3", invoice_id="i3", amount=300, now=NOW)  # e.g. no sync
    assert rules.recorded_in_qbo(credit, [pushed, waiting, never_pushed]) == 1000


# ----- the accountant's Payment against our invoices: which part is money, which part credits -------------------

@given(st.integers(0, 10_000), st.lists(st.integers(0, 5_000), max_size=5))
def test_a_payments_money_pays_its_links_in_order_and_memos_cover_the_rest(cash, amounts):
    split = rules.split_cash(cash, [(f"Q{n}", a) for n, a in enumerate(amounts)])
    assert [(key, tender + rest) for key, tender, rest in split] == [(f"Q{n}", a) for n, a in enumerate(amounts)]
    assert sum(tender for _, tender, _ in split) == min(cash, sum(amounts))
    paid_before = 0
    for (_, tender, rest), amount in zip(split, amounts):
        assert tender == min(amount, max(cash - paid_before, 0)) and rest >= 0
        paid_before += tender


def test_memos_give_in_order_until_covered_and_only_those_with_our_credit_behind_them():
    looked = []

    def behind(qbo_memo_id: str) -> str | None:
        looked.append(qbo_memo_id)
        return None if qbo_memo_id == "M2" else f"K-{qbo_memo_id}"

    takes = rules.memo_takes([("M1", 3_00), ("M2", 5_00), ("M3", 4_00), ("M4", 9_00)], 6_00, behind)
    assert takes == [("K-M1", 3_00), ("K-M3", 3_00)]
    assert looked == ["M1", "M2", "M3"]  # covered: M4 is never looked up
    assert rules.memo_takes([("M1", 3_00)], 0, behind) == [] and looked == ["M1", "M2", "M3"]


def test_an_application_never_pays_past_the_balance_and_needs_money_or_credit():
    assert rules.application(10_00, [5_00, 2_00], 20_00) == rules.Application(17_00, 10_00)
    assert rules.application(10_00, [5_00], 8_00) == rules.Application(8_00, 3_00)
    assert rules.application(10_00, [5_00], 8_00).recordable
    assert not rules.application(0, [5_00], 3_00).recordable  # the credits alone take more than the balance
    assert not rules.application(0, [], 30_00).recordable
    assert rules.application(1, [], 30_00).recordable
    assert rules.Application(1, 0).recordable and rules.Application(1, 1).recordable
    assert not rules.Application(0, 0).recordable and not rules.Application(5, -1).recordable
    try:
        rules.Application(1, 0).applied = 2
    except AttributeError:
        pass
    else:
        raise AssertionError("an application can be changed after it was decided")


def test_our_landed_lines_are_the_payments_links_less_the_accountants():
    links = [("31", 10_00), ("32", 4_00)]
    assert rules.ours_landed(links, {"31": 6_00}) == 6_00
    assert rules.ours_landed(links, {"31": 60_00, "32": 1_00}) == 11_00
    assert rules.ours_landed(links, {}) == 0


def test_our_landed_lines_count_as_free_money_of_the_accountants_payment():
    assert rules.unapplied_terms(100_00, 30_00, imported_amount=None, landed=20_00) == rules.QboCreditTerms(50_00, 0)
    assert rules.unapplied_terms(100_00, 30_00, imported_amount=None) == rules.QboCreditTerms(30_00, 0)


def test_a_document_with_nothing_to_credit_is_not_imported():
    assert rules.QboCreditTerms(0, 0).nothing_to_credit
    assert not rules.QboCreditTerms(1, 0).nothing_to_credit
    assert not rules.QboCreditTerms(5_00, 5_00).nothing_to_credit  # applied in QBO: still an imported credit
