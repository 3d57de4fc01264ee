"""As-of replay and aging buckets (pure domain, no DynamoDB)."""
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from chalicelib.domain.aging import BUCKETS, OpenCredit, aging, bucket_of
from chalicelib.domain.credits import CancelMode, Credit, CreditSource
from chalicelib.domain.errors import DomainError
from chalicelib.domain.history import HistoryLine, PaymentAt, available_credit_as_of, invoice_balance_as_of


def _at(step: int) -> str:
    return f"2026-01-01T00:00:{step // 1000:02d}.{step % 1000:03d}000Z"


OPS = st.lists(st.tuples(st.sampled_from(["apply", "release", "edit", "cancel_balance", "cancel_revert", "delete"]),
                         st.integers(1, 5_000)), max_size=25)


@given(st.integers(1, 10_000), OPS)
@example(100, [("apply", 10), ("release", 0), ("edit", 50), ("apply", 20), ("cancel_balance", 0)])
@example(100, [("apply", 10), ("apply", 5), ("cancel_revert", 0)])
def test_replaying_history_gives_what_the_credit_had_left_at_every_moment(amount, ops):
    """Drive the real Credit through random moves; at every step the replay of its events equals `remaining`."""
    credit = Credit.issue(id="c1", number="CR-1", customer_id="k", source=CreditSource.MANUAL, amount=amount,
                          now=_at(0))
    lines, expected, active = [], {_at(0): credit.remaining}, []
    for step, (op, value) in enumerate(ops, start=1):
        now = _at(step)
        try:
            if op == "apply":
                amount_ = 1 + value % max(credit.remaining, 1)  # mostly within what is left: uses happen
                active.append(credit.apply(use_id=f"u{step}", payment_id="p", invoice_id="i", amount=amount_, now=now))
            elif op == "release" and active:
                credit.release(active.pop(value % len(active)), now=now)
            elif op == "edit":
                credit.edit(now=now, amount=value)
            elif op.startswith("cancel"):
                credit.cancel(CancelMode.REVERT if op == "cancel_revert" else CancelMode.BALANCE_ONLY, now=now,
                              active_uses=active)
            elif op == "delete":
                credit.soft_delete(now=now)
        except DomainError:
            pass
        expected[now] = credit.remaining
    lines = [HistoryLine("c1", e.kind, e.at, e.amount, e.details) for e in credit.events]
    for at, remaining in expected.items():
        assert available_credit_as_of(lines, at) == remaining


def test_a_credit_without_its_creation_line_is_not_counted():
    assert available_credit_as_of([HistoryLine("c", "applied", _at(1), 5)], _at(2)) == 0
    assert available_credit_as_of([HistoryLine("c", "created", _at(3), 5)], _at(2)) == 0


def test_invoice_balance_as_of_counts_what_was_live_then():
    paid = PaymentAt(_at(2), _at(6), 30_00, [(10_00, _at(4))])
    later = PaymentAt(_at(5), None, 5_00, [])
    balance = lambda at: invoice_balance_as_of(total=100_00, adjusted_to_credit=0, created_at=_at(1),  # noqa: E731
                                               payments=[paid, later], at=at)
    assert [balance(_at(s)) for s in (0, 1, 2, 4, 5, 6)] == [0, 100_00, 60_00, 70_00, 65_00, 95_00]
    overpaid = invoice_balance_as_of(total=10_00, adjusted_to_credit=5_00, created_at=_at(1),
                                     payments=[PaymentAt(_at(1), None, 15_00, [])], at=_at(2))
    assert overpaid == 0


def test_bucket_edges():
    assert [bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 4000)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+"]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["manual", "return", "qbo"]),
                          st.integers(-30, 400), st.integers(0, 10_000)), max_size=40))
def test_aging_totals_add_up_per_customer_source_and_bucket(rows):
    today = date(2026, 11, 26)
    credits = [OpenCredit(c, s, today - timedelta(days=d), r) for c, s, d, r in rows]
    report = aging(credits, today)
    assert report.total.total == sum(r for *_, r in rows)
    assert sum(row.total for row in report.customers.values()) == report.total.total
    for bucket in BUCKETS:
        assert report.total.buckets[bucket] == sum(
            r for _, _, d, r in rows if bucket_of(max(0, d)) == bucket)


def test_a_customer_with_nothing_left_is_not_in_the_aging_report():
    today = date(2026, 11, 26)
    report = aging([OpenCredit("spent", "manual", today, 0), OpenCredit("open", "manual", today, 1)], today)
    assert list(report.customers) == ["open"] and report.total.cells == {"manual": {**dict.fromkeys(BUCKETS, 0),
                                                                                   "0-30": 1}}


def test_a_payment_voided_since_still_counts_against_the_balance_it_left_then():
    """Reduced to 100.00 after a 60.00 + 60.00 payment (20.00 went to an adjustment credit), then one payment voided."""
    first = PaymentAt(_at(2), None, 60_00, [])
    second = PaymentAt(_at(3), _at(5), 60_00, [])
    balance = lambda at: invoice_balance_as_of(total=100_00, adjusted_to_credit=20_00, created_at=_at(1),  # noqa: E731
                                               payments=[first, second], at=at)
    assert [balance(_at(s)) for s in (2, 3, 5)] == [60_00, 0, 60_00]


def test_an_invoice_reduced_below_a_payment_voided_since_owed_nothing_then():
    """Paid 150.00, reduced to 100.00, the payment voided later: today's total is below what was live then."""
    assert invoice_balance_as_of(total=100_00, adjusted_to_credit=0, created_at=_at(1),
                                 payments=[PaymentAt(_at(2), _at(4), 150_00, [])], at=_at(3)) == 0


@given(total=st.integers(0, 10_000), adjusted=st.integers(0, 10_000),
       payments=st.lists(st.tuples(st.integers(0, 9), st.one_of(st.none(), st.integers(0, 9)), st.integers(0, 10_000),
                                   st.lists(st.tuples(st.integers(1, 10_000), st.one_of(st.none(), st.integers(0, 9))),
                                            max_size=3)), max_size=4),
       at=st.integers(0, 9))
def test_an_as_of_balance_lies_between_nothing_and_the_total(total, adjusted, payments, at):
    lines = [PaymentAt(_at(c), None if v is None else _at(v), t, [(a, None if u is None else _at(u)) for a, u in uses])
             for c, v, t, uses in payments]
    balance = invoice_balance_as_of(total=total, adjusted_to_credit=adjusted, created_at=_at(0), payments=lines,
                                    at=_at(at))
    assert 0 <= balance <= total


def test_an_edit_of_notes_leaves_the_replayed_amount_alone():
    lines = [HistoryLine("c", "created", _at(1), 100), HistoryLine("c", "edited", _at(2), 100,
                                                                  {"internal_note": {"from": "", "to": "n"}})]
    assert available_credit_as_of(lines, _at(3)) == 100


QBO_OPS = st.lists(st.tuples(st.sampled_from(["apply", "release", "follow", "accountant_applies"]),
                             st.integers(0, 5_000), st.integers(0, 5_000)), max_size=20)


@given(st.integers(1, 10_000), st.integers(0, 10_000), QBO_OPS)
@example(100, 30, [("accountant_applies", 20, 0)])
@example(100, 30, [("follow", 120, 50), ("apply", 10, 0)])
def test_the_replay_of_an_imported_credit_counts_what_the_accountant_applied_in_qbo(amount, applied, ops):
    """A credit imported with part of it already applied in QBO (`applied_in_qbo`), then following QBO's amount and
    applications, used here, and applied by the accountant to our invoices (recorded as uses): at every step the
    replay of its events equals its `remaining`, as the summary shows it now (before: the applied part was
    counted as available)."""
    from chalicelib.domain.imports import QboCreditTerms, follow_qbo, record_qbo_application

    applied = min(applied, amount - 1)
    credit = Credit.issue(id="q1", number="CR-1", customer_id="k", source=CreditSource.QBO, amount=amount,
                          now=_at(0), applied_in_qbo=applied)
    expected, active = {_at(0): credit.remaining}, []
    for step, (op, first, second) in enumerate(ops, start=1):
        now = _at(step)
        try:
            if op == "apply":
                active.append(credit.apply(use_id=f"u{step}", payment_id="p", invoice_id="i",
                                           amount=1 + first % max(credit.remaining, 1), now=now))
            elif op == "release" and active:
                credit.release(active.pop(first % len(active)), now=now)
            elif op == "follow":
                total = max(1, first)
                follow_qbo(credit, QboCreditTerms(total, min(second, total)), now=now)
            elif op == "accountant_applies":
                active.append(record_qbo_application(credit, use_id=f"u{step}", payment_id="p", invoice_id="i",
                                                     amount=1 + first % max(credit.remaining + credit.applied_in_qbo,
                                                                            1), now=now))
        except DomainError:
            pass
        expected[now] = credit.remaining
    lines = [HistoryLine("q1", e.kind, e.at, e.amount, e.details) for e in credit.events]
    for at, remaining in expected.items():
        assert available_credit_as_of(lines, at) == remaining, at
