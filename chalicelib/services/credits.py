"""Credits: issue manually, read, list, edit, cancel, delete, history."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..domain.credits import CancelMode, Credit, CreditEvent, CreditSource, CreditUse
from ..domain.invoices import Invoice
from ..domain.locations import Location, LocationKind, after_cut
from ..domain.payments import Payment
from ..domain.permissions import Permission, Principal
from ..domain.qbo_changes import Moved, QboChange, Reverted, kept_in_memos, removal_changes
from ..domain.sync_kinds import use_key
from ..store import credits as store
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
    kept_before: dict[str, int] = field(default_factory=dict)  # cents it kept in each CreditMemo (qbo_changes)


@dataclass(frozen=True)
class CancelOutcome:
    """Everything one cancel decides: the credit, the uses it voids, the invoices it reopens, other credits; and what
    each voided use's documents linked in QBO just before (`links`, by use id)."""

    credit: Credit
    voided_uses: list[CreditUse]
    invoices: list[tuple[Invoice, int]]
    credits: list[CreditChange]
    payments: list[Payment]
    links: dict[str, list[Location]] = field(default_factory=dict)
    qbo_documents: list[QboChange] = field(default_factory=list)


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
    before = {c: (x.status.value, x.remaining, kept_in_memos(x)) for c, x in adjustments.items()}
    links = {use.id: _linked(use, adjustments.values()) for use in uses}
    voided = credit.cancel(mode, now=now, active_uses=uses, imported_memos=_imported_memos(book, credit))
    for use in voided:
        book.payments.get(use.payment_id).void_credit_use(use.id, now=now)
        take_back(book, book.invoices.get(use.invoice_id), use.amount, now, links=[("use", use_key(use.credit_id, use.id))])
    changes = []
    for other_id in dict.fromkeys([*adjustments, *(c for i in invoices for c in i.adjustment_credit_ids)]):
        other = book.credits.get(other_id)
        status, remaining, kept = before.get(other_id, (None, 0, {}))
        if (status, remaining) != (other.status.value, other.remaining):
            changes.append(CreditChange(other, status, remaining, kept))
    payments = list({u.payment_id: book.payments.get(u.payment_id) for u in voided}.values())
    return CancelOutcome(credit, voided, balances, changes, payments, links)


def _linked(use: CreditUse, adjustments) -> list[Location]:
    """What the use's QBO documents link now: its parts less what its invoice's reductions cut from it."""
    doc = ["use", use_key(use.credit_id, use.id)]
    return after_cut(use.parts, sum(c["amount"] for x in adjustments for c in x.cuts if list(c["doc"]) == doc))


@ledger_use_case
def cancel_credit(principal: Principal, book: Ledger, now: str, credit_id: str, mode: CancelMode) -> Credit:
    """Cancel the balance; `revert` also voids every active use, reopening the invoices it paid."""
    principal.require_credits(Permission.EDIT_CREDITS)
    return _cancel(book, credit_id, mode, now).credit


def preview_cancel(principal: Principal, credit_id: str, mode: CancelMode) -> CancelOutcome:
    """What cancel_credit would do now, decided by the same code on fresh reads and never committed, with the QBO
    documents the push will then change (`qbo_changes`, read from the table the push reads)."""
    principal.require_credits(Permission.EDIT_CREDITS)

    def decide(uow: UnitOfWork) -> CancelOutcome:
        book = Ledger(uow)
        outcome = _cancel(book, credit_id, mode, utc_now())
        moved = [Moved(c.credit, c.kept_before) for c in outcome.credits if c.status_before is not None]
        reverted = [Reverted(u, outcome.links[u.id]) for u in outcome.voided_uses]
        documents = _qbo_documents(book, outcome.credit, reverted, {i.id: i for i, _ in outcome.invoices}, moved)
        return replace(outcome, qbo_documents=documents)

    return dry_run(principal.account_id, decide)


def preview_delete(principal: Principal, credit_id: str) -> tuple[Credit, list[QboChange]]:
    """What delete_credit would do now (the credit as it would be left, and the QBO documents the push then
    changes); commits nothing and refuses what delete refuses."""
    principal.require_credits(Permission.DELETE_CREDITS)

    def decide(uow: UnitOfWork) -> tuple[Credit, list[QboChange]]:
        book = Ledger(uow)
        credit = book.credits.get(credit_id)
        credit.soft_delete(now=utc_now(), imported_memos=_imported_memos(book, credit))
        return credit, _qbo_documents(book, credit, [], {}, [])

    return dry_run(principal.account_id, decide)


def _qbo_documents(book: Ledger, credit: Credit, reverted: list[Reverted], invoices: dict[str, Invoice],
                   moved: list[Moved]) -> list[QboChange]:
    """Read the credits whose memos keep the removed money, then ask the table what QBO does."""
    owners = {loc.owner_id for loc in credit.locations if loc.kind is LocationKind.MEMO}
    owners |= {owner for each in moved for owner in each.kept_before}
    book.load(*(book.credits.key(o) for o in owners))
    return removal_changes(credit, reverted=reverted, invoices=invoices,
                           memos={o: book.credits.get(o) for o in owners}, moved=moved)


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
