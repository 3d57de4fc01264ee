"""Balances as they stood at a moment, replayed from what the ledger keeps (times are ISO 8601 UTC strings)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

TERMINAL = {"canceled", "deleted", "voided"}
QBO_APPLIED = "applied_in_qbo"  # an imported credit's creation and edit lines: what the accountant applied in QBO


@dataclass(frozen=True)
class HistoryLine:
    """One credit event (see domain.credits.CreditEvent) with the credit it belongs to."""

    credit_id: str
    kind: str
    at: str
    amount: int
    details: dict[str, Any] = field(default_factory=dict)


def available_credit_as_of(lines: Iterable[HistoryLine], at: str) -> int:
    """Sum of what active credits had left to spend at `at` (their `remaining` then): created amount (or the last
    edit's), minus uses applied and not yet voided then, minus what the accountant had applied in QBO of an imported
    credit (`applied_in_qbo`: in its creation line, then in the edits that follow QBO); canceled, deleted and voided
    credits count nothing from their event on. A credit whose creation is not among the lines is not counted (its
    history predates the by-customer index)."""
    amount: dict[str, int] = {}
    used: dict[str, int] = {}
    in_qbo: dict[str, int] = {}
    closed: set[str] = set()
    for line in sorted((x for x in lines if x.at <= at), key=lambda x: x.at):
        if line.kind == "created":
            amount[line.credit_id] = line.amount
            in_qbo[line.credit_id] = int(line.details.get(QBO_APPLIED, 0))
        elif line.kind == "applied":
            used[line.credit_id] = used.get(line.credit_id, 0) + line.amount
        elif line.kind == "use_voided":
            used[line.credit_id] = used.get(line.credit_id, 0) - line.amount
        elif line.kind == "edited":
            if "amount" in line.details:
                amount[line.credit_id] = int(line.details["amount"]["to"])
            if QBO_APPLIED in line.details:
                in_qbo[line.credit_id] = int(line.details[QBO_APPLIED]["to"])
        elif line.kind in TERMINAL:
            closed.add(line.credit_id)
    return sum(value - used.get(credit_id, 0) - in_qbo.get(credit_id, 0) for credit_id, value in amount.items()
               if credit_id not in closed)


@dataclass(frozen=True)
class PaymentAt:
    """What a payment put on its invoice, and when (credit uses carry their own void time)."""

    created_at: str
    voided_at: str | None
    tender_applied: int
    credit_uses: list[tuple[int, str | None]]


def _live(created_at: str, voided_at: str | None, at: str) -> bool:
    return created_at <= at and (voided_at is None or voided_at > at)


def invoice_balance_as_of(*, total: int, adjusted_to_credit: int, created_at: str, payments: list[PaymentAt],
                          at: str) -> int:
    """What the invoice still owed at `at`: payments and credit uses live then count, with today's total and
    adjustment (invoice edits are not historied); nothing before the invoice existed."""
    if created_at > at:
        return 0
    allocated = sum(p.tender_applied + sum(amount for amount, voided in p.credit_uses
                                           if voided is None or voided > at)
                    for p in payments if _live(p.created_at, p.voided_at, at))
    return min(total, max(0, total - allocated + adjusted_to_credit))
