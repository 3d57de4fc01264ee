"""Credits: issue manually, read, list, edit, cancel, delete, history."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import CancelMode, Credit, CreditEvent, CreditSource, CreditUse
from ..domain.invoices import Invoice
from ..domain.locations import LocationKind
from ..domain.payments import Payment
from ..domain.permissions import Permission, Principal
from ..store import credits as store
from ..store.credit_uses import use_key
from ..store.ids import utc_now
from ..store.ledger import Ledger, ledger_use_case
from ..store.uow import StaleRead, UnitOfWork, dry_run
from .postings import issue_credit, take_back


@ledger_use_case
def issue_manual_credit(principal: Principal, book: Ledger, now: str, *, customer_id: str, amount: int,
                        internal_note: str, external_note: str) -> Credit:
    principal.require_credits(Permission.CREATE_CREDITS)
    book.load(book.customers.key(customer_id))
    book.customers.get(customer_id)
    return issue_credit(book, customer_id=customer_id, source=CreditSource.MANUAL, amount=amount, now=now,
                        internal_note=internal_note, external_note=external_note)


def get_credit(principal: Principal, credit_id: str) -> Credit:
    principal.require_credits()
    return store.CreditRepository(UnitOfWork(principal.account_id)).get(credit_id)


def list_credits(principal: Principal, **filters) -> store.CreditPage:
    principal.require_credits()
    return store.query_credits(principal.account_id, **filters)


@ledger_use_case
def edit_credit(principal: Principal, book: Ledger, now: str, credit_id: str, **changes) -> Credit:
    principal.require_credits(Permission.EDIT_CREDITS)
    credit = book.credits.get(credit_id)
    credit.edit(now=now, **changes)
    return credit


@dataclass(frozen=True)
class CreditChange:
    """Another credit the cancel touches (an invoice's adjustment credit undone or newly issued)."""

    credit: Credit
    status_before: str | None
    remaining_before: int


@dataclass(frozen=True)
class CancelOutcome:
    """Everything one cancel decides: the credit, the uses it voids, the invoices it reopens, other credits."""

    credit: Credit
    voided_uses: list[CreditUse]
    invoices: list[tuple[Invoice, int]]
    credits: list[CreditChange]
    payments: list[Payment]


def _cancel(book: Ledger, credit_id: str, mode: CancelMode, now: str) -> CancelOutcome:
    """The cancel decision on loaded entities; the caller commits it (cancel) or drops it (preview)."""
    credit = book.credits.get(credit_id)
    uses = book.uses.of_credit(credit_id, active_only=True) if mode is CancelMode.REVERT else []
    if sum(use.amount for use in uses) != (credit.uses_total if mode is CancelMode.REVERT else 0):
        raise StaleRead(f"credit {credit.number} changed while its uses were read")
    book.load(*(book.payments.key(u.payment_id) for u in uses), *(book.invoices.key(u.invoice_id) for u in uses))
    invoices = list({u.invoice_id: book.invoices.get(u.invoice_id) for u in uses}.values())
    book.load(*(book.credits.key(c) for i in invoices for c in i.adjustment_credit_ids))
    balances = [(i, i.balance) for i in invoices]
    adjustments = {c: book.credits.get(c) for i in invoices for c in i.adjustment_credit_ids}
    before = {c: (x.status.value, x.remaining) for c, x in adjustments.items()}
    voided = credit.cancel(mode, now=now, active_uses=uses, imported_memos=_imported_memos(book, credit))
    for use in voided:
        book.payments.get(use.payment_id).void_credit_use(use.id, now=now)
        take_back(book, book.invoices.get(use.invoice_id), use.amount, now, links=[("use", use_key(use.credit_id, use.id))])
    changes = []
    for other_id in dict.fromkeys([*adjustments, *(c for i in invoices for c in i.adjustment_credit_ids)]):
        other = book.credits.get(other_id)
        status, remaining = before.get(other_id, (None, 0))
        if (status, remaining) != (other.status.value, other.remaining):
            changes.append(CreditChange(other, status, remaining))
    payments = list({u.payment_id: book.payments.get(u.payment_id) for u in voided}.values())
    return CancelOutcome(credit, voided, balances, changes, payments)


@ledger_use_case
def cancel_credit(principal: Principal, book: Ledger, now: str, credit_id: str, mode: CancelMode) -> Credit:
    """Cancel the balance; `revert` also voids every active use, reopening the invoices it paid."""
    principal.require_credits(Permission.EDIT_CREDITS)
    return _cancel(book, credit_id, mode, now).credit


def preview_cancel(principal: Principal, credit_id: str, mode: CancelMode) -> CancelOutcome:
    """What cancel_credit would do now, decided by the same code on fresh reads and never committed."""
    principal.require_credits(Permission.EDIT_CREDITS)
    return dry_run(principal.account_id, lambda uow: _cancel(Ledger(uow), credit_id, mode, utc_now()))


@ledger_use_case
def delete_credit(principal: Principal, book: Ledger, now: str, credit_id: str) -> Credit:
    principal.require_credits(Permission.DELETE_CREDITS)
    credit = book.credits.get(credit_id)
    credit.soft_delete(now=now, imported_memos=_imported_memos(book, credit))
    return credit


def _imported_memos(book: Ledger, credit: Credit) -> list[str]:
    """The credits imported from QBO whose memos keep part of this (adjustment) credit's money."""
    owners = {loc.owner_id for loc in credit.locations if loc.kind is LocationKind.MEMO and loc.owner_id != credit.id}
    book.load(*(book.credits.key(o) for o in owners))
    return [o for o in owners if book.credits.get(o).owned_by_qbo]


def credit_history(principal: Principal, credit_id: str) -> list[CreditEvent]:
    get_credit(principal, credit_id)
    return store.credit_events(principal.account_id, credit_id)
