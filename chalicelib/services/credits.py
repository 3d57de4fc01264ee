"""Credits: issue manually, read, list, edit, cancel, delete, history."""
from __future__ import annotations

from ..domain.credits import CancelMode, Credit, CreditEvent, CreditSource
from ..domain.permissions import Permission, Principal
from ..store import credits as store
from ..store.ids import utc_now
from ..store.ledger import Ledger
from ..store.uow import UnitOfWork, run_in_transaction
from .postings import issue_credit, take_back


def issue_manual_credit(principal: Principal, *, customer_id: str, amount: int, internal_note: str,
                        external_note: str) -> Credit:
    principal.require_credits(Permission.CREATE_CREDITS)

    def write(uow) -> Credit:
        book = Ledger(uow)
        book.load(book.customers.key(customer_id))
        book.customers.get(customer_id)
        return issue_credit(book, customer_id=customer_id, source=CreditSource.MANUAL, amount=amount,
                            now=utc_now(), internal_note=internal_note, external_note=external_note)

    return run_in_transaction(principal.account_id, write)


def get_credit(principal: Principal, credit_id: str) -> Credit:
    principal.require_credits()
    return store.CreditRepository(UnitOfWork(principal.account_id)).get(credit_id)


def list_credits(principal: Principal, **filters) -> store.CreditPage:
    principal.require_credits()
    return store.query_credits(principal.account_id, **filters)


def edit_credit(principal: Principal, credit_id: str, **changes) -> Credit:
    principal.require_credits(Permission.EDIT_CREDITS)

    def write(uow) -> Credit:
        credit = store.CreditRepository(uow).get(credit_id)
        credit.edit(now=utc_now(), **changes)
        return credit

    return run_in_transaction(principal.account_id, write)


def cancel_credit(principal: Principal, credit_id: str, mode: CancelMode) -> Credit:
    """Cancel the balance; `revert` also voids every active use, reopening the invoices it paid."""
    principal.require_credits(Permission.EDIT_CREDITS)

    def write(uow) -> Credit:
        book, now = Ledger(uow), utc_now()
        credit = book.credits.get(credit_id)
        uses = credit.active_uses if mode is CancelMode.REVERT else []
        book.load(*(book.payments.key(u.payment_id) for u in uses),
                  *(book.invoices.key(u.invoice_id) for u in uses))
        book.load(*(book.credits.key(c) for u in uses for c in book.invoices.get(u.invoice_id).adjustment_credit_ids))
        for use in credit.cancel(mode, now=now):
            book.payments.get(use.payment_id).void_credit_use(use.id, now=now)
            take_back(book, book.invoices.get(use.invoice_id), use.amount, now)
        return credit

    return run_in_transaction(principal.account_id, write)


def delete_credit(principal: Principal, credit_id: str) -> Credit:
    principal.require_credits(Permission.DELETE_CREDITS)

    def write(uow) -> Credit:
        credit = store.CreditRepository(uow).get(credit_id)
        credit.soft_delete(now=utc_now())
        return credit

    return run_in_transaction(principal.account_id, write)


def credit_history(principal: Principal, credit_id: str) -> list[CreditEvent]:
    get_credit(principal, credit_id)
    return store.credit_events(principal.account_id, credit_id)
