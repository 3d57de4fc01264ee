"""Payment rules: what a payment brings, voiding it once, tenders above zero."""
import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.payments import (
    Payment,
    PaymentAlreadyVoided,
    PaymentCreditUse,
    PaymentStatus,
    Tender,
    TenderMethod,
    validate_tenders,
)

T0, T1, T2 = "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z", "2026-01-03T00:00:00.000000Z"


def payment(tenders=(500, 250), uses=((1, 100), (2, 40)), tender_applied=700) -> Payment:
    return Payment(id="P", number="PAY-1", invoice_id="I", customer_id="C",
                   tenders=[Tender(TenderMethod.CASH, a) for a in tenders],
                   credit_uses=[PaymentCreditUse(f"u{i}", f"c{i}", a) for i, a in uses],
                   tender_applied=tender_applied, created_at=T0)


def test_totals_count_active_credit_uses():
    p = payment()
    assert (p.tender_total, p.credits_applied, p.applied, p.total, p.active) == (750, 140, 840, 890, True)
    p.void_credit_use("u1", now=T1)
    assert (p.credits_applied, p.applied, p.total, p.updated_at) == (40, 740, 790, T1)


def test_void_credit_use_keeps_the_first_void_time():
    p = payment()
    assert p.void_credit_use("u2", now=T1).voided_at == T1
    assert p.void_credit_use("u2", now=T2).voided_at == T1 and p.credit_uses[0].voided_at is None


def test_void_releases_active_uses_once():
    p = payment()
    p.void_credit_use("u1", now=T1)
    released = p.void(now=T2)
    assert [u.id for u in released] == ["u2"] and all(u.voided_at for u in p.credit_uses)
    assert p.credit_uses[0].voided_at == T1 and p.credit_uses[1].voided_at == T2
    assert (p.status, p.voided_at, p.updated_at, p.active, p.applied, p.total) == (
        PaymentStatus.VOIDED, T2, T2, False, 0, 0)
    assert p.tender_total == 750
    with pytest.raises(PaymentAlreadyVoided) as refused:
        p.void(now=T2)
    assert refused.value.code == "payment_voided" and refused.value.details == {"payment_id": "P"}


@pytest.mark.parametrize("amounts", [[0], [-1], [100, 0]])
def test_every_tender_brings_something(amounts):
    with pytest.raises(InvalidInput):
        validate_tenders([Tender(TenderMethod.CHECK, a) for a in amounts])


def test_tenders_of_a_cent_or_none_are_valid():
    validate_tenders([Tender(TenderMethod.TRANSFER, 1), Tender(TenderMethod.CASH, 2)])
    validate_tenders([])


def test_tenders_together_stay_within_the_cap():
    from chalicelib.domain.money import MAX_CENTS, AmountTooLarge

    validate_tenders([Tender(TenderMethod.CASH, MAX_CENTS - 1), Tender(TenderMethod.CHECK, 1)])
    with pytest.raises(AmountTooLarge):
        validate_tenders([Tender(TenderMethod.CASH, MAX_CENTS), Tender(TenderMethod.CHECK, 1)])
