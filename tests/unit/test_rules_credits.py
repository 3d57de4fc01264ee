"""Credit rules one by one: issuing, spending, the same-invoice rule, edits, deletes, cancels, voids and their history."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.credits import (
    CancelMode,
    Credit,
    CreditAmountFixed,
    CreditEvent,
    CreditFromSameInvoice,
    CreditInUse,
    CreditSource,
    CreditStatus,
    CreditUse,
    InsufficientCredit,
)
from chalicelib.domain.errors import (
    CreditAlreadyUsed,
    CreditBelowUsed,
    CreditNotActive,
    InvalidInput,
    OverpaymentCreditImmutable,
)
from chalicelib.domain.locations import memo, unapplied

T0, T1, T2 = "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z", "2026-01-03T00:00:00.000000Z"


def issue(amount=1000, source=CreditSource.MANUAL, **lineage) -> Credit:
    return Credit.issue(id="c1", number="CR-1", customer_id="cu", source=source, amount=amount, now=T0, **lineage)


def spend(credit: Credit, amount: int, use_id="u1", invoice_id="i1") -> CreditUse:
    return credit.apply(use_id=use_id, payment_id="p-" + use_id, invoice_id=invoice_id, amount=amount, now=T1)


def test_issue_records_creation():
    credit = issue(1, internal_note="in", external_note="out", origin_invoice_id="I")
    assert (credit.amount, credit.status, credit.created_at, credit.updated_at) == (1, CreditStatus.ACTIVE, T0, T0)
    assert (credit.internal_note, credit.external_note, credit.origin_invoice_id) == ("in", "out", "I")
    assert credit.events == [CreditEvent("created", T0, 1, {"source": "manual"})]
    assert credit.remaining == 1 and credit.used == 0


@pytest.mark.parametrize("amount", [0, -1])
def test_issue_refuses_nothing(amount):
    with pytest.raises(InvalidInput):
        issue(amount)


def test_used_counts_only_active_uses_and_remaining_is_zero_once_inactive():
    credit = issue(1000)
    first = spend(credit, 300, "u1")
    second = spend(credit, 200, "u2")
    assert credit.used == 500 and credit.remaining == 500 and credit.use_count == 2
    credit.release(first, now=T2)
    assert credit.used == 200 and credit.remaining == 800 and credit.use_count == 2
    assert not first.active and second.active
    credit.status = CreditStatus.CANCELED
    assert credit.remaining == 0 and credit.used == 200


def test_use_is_active_until_voided():
    use = CreditUse("u", "c", "p", "i", 5, T0)
    assert use.active
    use.voided_at = T1
    assert not use.active


def test_the_same_invoice_rule():
    credit = issue(origin_invoice_id="I")
    assert not credit.may_pay("I") and credit.may_pay("J")
    with pytest.raises(CreditFromSameInvoice) as refused:
        credit.require_may_pay("I")
    assert refused.value.code == "credit_from_same_invoice" and refused.value.details == {"credit_id": "c1"}
    credit.require_may_pay("J")
    assert issue().may_pay("I")


def test_require_remaining_edges():
    credit = issue(500)
    credit.require_remaining(500)
    with pytest.raises(InsufficientCredit) as short:
        credit.require_remaining(501)
    assert short.value.code == "insufficient_credit"
    assert short.value.details == {"credit_id": "c1", "remaining": 500}


def test_apply_spends_exactly_what_remains_and_records_it():
    credit = issue(500)
    use = spend(credit, 500)
    assert (use.id, use.payment_id, use.invoice_id, use.amount, use.at, use.voided_at) == ("u1", "p-u1", "i1", 500,
                                                                                          T1, None)
    assert use.credit_id == "c1" and use.parts == [memo("c1", 500)]
    assert not use.from_qbo  # our own use: the sync pushes it (only the accountant's uses come from QBO)
    assert credit.use_count == 1 and credit.remaining == 0 and credit.updated_at == T1
    assert credit.events[-1] == CreditEvent("applied", T1, 500, {"payment_id": "p-u1", "invoice_id": "i1",
                                                                 "use_id": "u1"})


def test_apply_never_spends_more_than_remains():
    credit = issue(500)
    spend(credit, 200)
    with pytest.raises(InsufficientCredit):
        spend(credit, 301, "u2")
    assert credit.used == 200 and credit.use_count == 1 and len(credit.events) == 2


@pytest.mark.parametrize("amount", [0, -5])
def test_apply_refuses_nothing(amount):
    credit = issue(500)
    with pytest.raises(InvalidInput):
        spend(credit, amount)
    assert credit.use_count == 0


def test_apply_never_pays_its_own_invoice():
    credit = issue(500, origin_invoice_id="i1")
    with pytest.raises(CreditFromSameInvoice):
        spend(credit, 1, invoice_id="i1")
    assert credit.use_count == 0
    spend(credit, 1, invoice_id="i2")


@pytest.mark.parametrize("status", [CreditStatus.CANCELED, CreditStatus.DELETED, CreditStatus.VOIDED])
def test_apply_needs_an_active_credit(status):
    credit = issue(500)
    credit.status = status
    with pytest.raises(CreditNotActive) as refused:
        spend(credit, 1)
    assert refused.value.details == {"credit_id": "c1"}


@given(amount=st.integers(1, 10_000), spends=st.lists(st.integers(-10, 10_000), max_size=6))
def test_apply_keeps_used_within_amount(amount, spends):
    credit = issue(amount)
    for i, want in enumerate(spends):
        before = credit.remaining
        try:
            spend(credit, want, f"u{i}")
        except InsufficientCredit:
            assert want > before
        except InvalidInput:
            assert want <= 0
        else:
            assert 0 < want <= before and credit.remaining == before - want
        assert 0 <= credit.used <= credit.amount and credit.remaining == credit.amount - credit.used


def test_edit_amount_and_notes_records_what_changed():
    credit = issue(1000, internal_note="a", external_note="b")
    credit.edit(now=T1, amount=1200, internal_note="A", external_note="b")
    assert credit.amount == 1200 and credit.internal_note == "A" and credit.updated_at == T1
    assert credit.events[-1] == CreditEvent("edited", T1, 1200, {"amount": {"from": 1000, "to": 1200},
                                                                "internal_note": {"from": "a", "to": "A"}})
    credit.edit(now=T2, external_note="B")
    assert credit.external_note == "B"
    assert credit.events[-1] == CreditEvent("edited", T2, 1200, {"external_note": {"from": "b", "to": "B"}})


def test_edit_that_changes_nothing_records_nothing():
    credit = issue(1000, internal_note="a")
    credit.edit(now=T1, amount=1000, internal_note="a")
    credit.edit(now=T1)
    assert credit.updated_at == T0 and len(credit.events) == 1


def test_edit_amount_down_to_what_is_used_but_not_below():
    credit = issue(1000)
    spend(credit, 600)
    with pytest.raises(CreditBelowUsed) as refused:
        credit.edit(now=T2, amount=599)
    assert refused.value.details == {"used": 600, "requested": 599} and credit.amount == 1000
    credit.edit(now=T2, amount=600)
    assert credit.amount == 600 and credit.remaining == 0


def test_edit_amount_must_stay_positive():
    credit = issue(1000)
    with pytest.raises(InvalidInput):
        credit.edit(now=T1, amount=0)
    assert credit.amount == 1000 and len(credit.events) == 1
    credit.edit(now=T1, amount=1)
    assert credit.amount == 1


@pytest.mark.parametrize("source", [CreditSource.RETURN, CreditSource.INVOICE_ADJUSTMENT, CreditSource.QBO])
def test_only_manual_amounts_change(source):
    credit = issue(1000, source=source)
    with pytest.raises(CreditAmountFixed) as refused:
        credit.edit(now=T1, amount=900)
    assert refused.value.details == {"source": source.value}
    credit.edit(now=T1, amount=1000, internal_note="fine")
    assert credit.amount == 1000 and credit.internal_note == "fine"


def test_overpayment_credits_are_immutable():
    credit = issue(1000, source=CreditSource.OVERPAYMENT, origin_payment_id="P")
    assert credit.is_overpayment and not issue().is_overpayment
    for action in (lambda: credit.edit(now=T1, internal_note="x"), lambda: credit.soft_delete(now=T1),
                   lambda: credit.cancel(CancelMode.BALANCE_ONLY, now=T1)):
        with pytest.raises(OverpaymentCreditImmutable) as refused:
            action()
        assert refused.value.details == {"origin_payment_id": "P"}
    assert credit.status is CreditStatus.ACTIVE and len(credit.events) == 1


@pytest.mark.parametrize("status", [CreditStatus.CANCELED, CreditStatus.DELETED, CreditStatus.VOIDED])
def test_inactive_credits_cannot_be_edited_deleted_or_canceled(status):
    credit = issue(1000)
    credit.status = status
    for action in (lambda: credit.edit(now=T1, internal_note="x"), lambda: credit.soft_delete(now=T1),
                   lambda: credit.cancel(CancelMode.REVERT, now=T1)):
        with pytest.raises(CreditNotActive) as refused:
            action()
        assert refused.value.details == {"status": status.value}


def test_soft_delete_of_an_unused_credit():
    credit = issue(1000)
    credit.soft_delete(now=T1)
    assert credit.status is CreditStatus.DELETED and credit.updated_at == T1 and credit.remaining == 0
    assert credit.events[-1] == CreditEvent("deleted", T1, 1000)


def test_soft_delete_refused_once_used_even_if_the_use_was_voided():
    credit = issue(1000)
    credit.release(spend(credit, 10), now=T1)
    with pytest.raises(CreditAlreadyUsed) as refused:
        credit.soft_delete(now=T2)
    assert refused.value.details == {"used": 0, "uses": 1} and credit.status is CreditStatus.ACTIVE


def test_release_gives_the_amount_back_once():
    credit = issue(1000)
    first = spend(credit, 400)
    second = spend(credit, 100, "u2")
    use = credit.release(first, now=T2)
    assert use.voided_at == T2 and credit.remaining == 900 and credit.updated_at == T2
    assert credit.events[-1] == CreditEvent("use_voided", T2, 400, {"payment_id": "p-u1", "invoice_id": "i1",
                                                                    "use_id": "u1"})
    events = len(credit.events)
    assert credit.release(first, now="later").voided_at == T2
    assert len(credit.events) == events and credit.updated_at == T2 and credit.used == 100
    assert second.active
    with pytest.raises(ValueError):
        credit.release(CreditUse("x", "another-credit", "p", "i", 1, T1), now=T2)


def test_cancel_balance_only_keeps_the_uses():
    credit = issue(1000)
    spend(credit, 300)
    assert credit.cancel(CancelMode.BALANCE_ONLY, now=T2) == []
    assert credit.status is CreditStatus.CANCELED and credit.used == 300 and credit.updated_at == T2
    assert credit.events[-1] == CreditEvent("canceled", T2, 700, {"mode": "balance_only", "reverted_uses": []})


def test_cancel_revert_voids_every_active_use():
    credit = issue(1000)
    first = spend(credit, 300)
    second = spend(credit, 200, "u2")
    credit.release(first, now=T1)
    with pytest.raises(ValueError):  # the caller must hand over every active use
        credit.cancel(CancelMode.REVERT, now=T2, active_uses=[])
    reverted = credit.cancel(CancelMode.REVERT, now=T2, active_uses=[first, second])
    assert [u.id for u in reverted] == ["u2"] and credit.used == 0 and credit.status is CreditStatus.CANCELED
    assert [e.kind for e in credit.events[-2:]] == ["use_voided", "canceled"]
    assert credit.events[-1] == CreditEvent("canceled", T2, 1000, {"mode": "revert", "reverted_uses": ["u2"]})


def test_void_with_origin_refused_while_the_credit_pays_others():
    credit = issue(1000, source=CreditSource.OVERPAYMENT, origin_payment_id="P")
    use = spend(credit, 250)
    assert use.parts == [unapplied("P", 250)]
    with pytest.raises(CreditInUse) as refused:
        credit.void_with_origin(now=T2, reason="payment_voided")
    assert refused.value.code == "credit_in_use"
    assert refused.value.details == {"credit_id": "c1", "used": 250, "uses": []}
    with pytest.raises(CreditInUse) as named:
        credit.void_with_origin(now=T2, reason="payment_voided", active_uses=[use])
    assert named.value.details["uses"] == [{"payment_id": "p-u1", "invoice_id": "i1", "amount": 250}]
    credit.release(use, now=T2)
    credit.void_with_origin(now=T2, reason="payment_voided")
    assert credit.status is CreditStatus.VOIDED and credit.updated_at == T2
    assert credit.events[-1] == CreditEvent("voided", T2, 1000, {"reason": "payment_voided"})


def test_void_with_origin_takes_a_status_and_leaves_inactive_credits_alone():
    credit = issue(1000)
    credit.void_with_origin(now=T1, reason="order_deleted", status=CreditStatus.DELETED)
    assert credit.status is CreditStatus.DELETED
    assert credit.events[-1] == CreditEvent("deleted", T1, 1000, {"reason": "order_deleted"})
    events = len(credit.events)
    credit.void_with_origin(now=T2, reason="again")
    assert credit.status is CreditStatus.DELETED and credit.updated_at == T1 and len(credit.events) == events


def test_a_released_use_gives_its_parts_back_to_their_sources():
    """DESIGN §5: a use draws on the credit's QBO sources in order; voiding it frees those sources again."""
    credit = issue(100, locations=[memo("c1", 60), unapplied("p9", 40)])
    first = spend(credit, 50)
    assert first.parts == [memo("c1", 50)] and credit.drawn == [memo("c1", 50)]
    credit.release(first, now=T2)
    assert credit.drawn == []
    second = spend(credit, 70, "u2")
    assert second.parts == [memo("c1", 60), unapplied("p9", 10)]
    assert credit.drawn == [memo("c1", 60), unapplied("p9", 10)]


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 100)), max_size=30))
def test_what_a_credit_has_drawn_is_what_its_active_uses_take_from_each_source(steps):
    credit = issue(150, locations=[memo("c1", 100), unapplied("p9", 50)])
    active: list[CreditUse] = []
    for index, (apply, value) in enumerate(steps):
        if apply and credit.remaining:
            use = spend(credit, 1 + value % credit.remaining, f"u{index}")
            assert sum(part.amount for part in use.parts) == use.amount
            active.append(use)
        elif active:
            credit.release(active.pop(value % len(active)), now=T2)
        taken: dict = {}
        for use in active:
            for part in use.parts:
                taken[part.key] = taken.get(part.key, 0) + part.amount
        assert {part.key: part.amount for part in credit.drawn} == {k: v for k, v in taken.items() if v}
        assert taken.get(memo("c1", 0).key, 0) <= 100 and taken.get(unapplied("p9", 0).key, 0) <= 50
