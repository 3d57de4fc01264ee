"""Balances as of a moment and the credit aging report."""
from __future__ import annotations

from datetime import date, datetime, timezone

from ..domain.aging import AgingReport, OpenCredit, aging
from ..domain.customers import CreditSummary
from ..domain.history import PaymentAt, available_credit_as_of, invoice_balance_as_of
from ..domain.permissions import Principal
from ..store import accounts as accounts_store
from ..store import history
from ..store.ids import utc_now
from ..store.ledger import Ledger


def moment(value: date | datetime) -> str:
    """A date means the end of that day (UTC); a time without zone is UTC. Same format as stored timestamps."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{value.isoformat()}T23:59:59.999999Z"


def credit_summary_as_of(principal: Principal, customer_id: str, at: str, *,
                         warning_threshold: int | None) -> CreditSummary:
    """Available credit replayed from credit history; outstanding from invoices and the payments live then."""
    principal.require_customer_reader()
    accounts_store.get_customer(principal.account_id, customer_id)
    available = 0
    if principal.sees_credits:
        available = available_credit_as_of(history.history_until(principal.account_id, customer_id, at), at)
    outstanding = 0
    for invoice, payments in history.invoices_with_payments(principal.account_id, customer_id):
        if invoice.deleted:
            continue
        outstanding += invoice_balance_as_of(
            total=invoice.total, adjusted_to_credit=invoice.adjusted_to_credit, created_at=invoice.created_at, at=at,
            payments=[PaymentAt(p.created_at, p.voided_at, p.tender_applied,
                                [(u.amount, u.voided_at) for u in p.credit_uses]) for p in payments])
    return CreditSummary(customer_id, available, outstanding, warning_threshold)


def credit_aging(principal: Principal, *, customer_id: str | None, as_of: date | None) -> tuple[AgingReport,
                                                                                                 dict[str, str]]:
    """Open credit by source and age bucket, per customer and in total; with the customers' names."""
    principal.require_credits()
    if customer_id:
        accounts_store.get_customer(principal.account_id, customer_id)
    today = as_of or date.fromisoformat(utc_now()[:10])
    credits = history.open_credits(principal.account_id, customer_id)
    report = aging([OpenCredit(c.customer_id, c.source.value, date.fromisoformat(c.created_at[:10]), c.remaining)
                    for c in credits], today)
    book = Ledger.reading(principal.account_id)
    book.load(*(book.customers.key(c) for c in report.customers))
    names = {c: found.name for c in report.customers if (found := book.customers.find(c))}
    return report, names
