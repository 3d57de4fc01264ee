"""Manual credits: issue, read, list, edit, delete, history."""
from __future__ import annotations

from ..domain.credits import Credit, CreditEvent, CreditSource
from ..domain.permissions import Permission, Principal
from ..store import accounts as accounts_store
from ..store import credits as store
from ..store.ids import new_id, utc_now
from ..store.uow import UnitOfWork, run_in_transaction


def credit_number(account_id: str) -> str:
    return f"CR-{1000 + accounts_store.next_number(account_id, 'credit')}"


def issue_manual_credit(principal: Principal, *, customer_id: str, amount: int, internal_note: str,
                        external_note: str) -> Credit:
    principal.require_credits(Permission.CREATE_CREDITS)
    accounts_store.get_customer(principal.account_id, customer_id)
    credit = Credit.issue(id=new_id(), number=credit_number(principal.account_id), customer_id=customer_id,
                          source=CreditSource.MANUAL, amount=amount, now=utc_now(), internal_note=internal_note,
                          external_note=external_note)

    def write(uow):
        store.CreditRepository(uow).add(credit)
        return credit

    return run_in_transaction(principal.account_id, write, attempts=1)


def get_credit(principal: Principal, credit_id: str) -> Credit:
    principal.require_credits()
    return store.CreditRepository(UnitOfWork(principal.account_id)).get(credit_id)


def list_credits(principal: Principal, **filters) -> store.CreditPage:
    principal.require_credits()
    return store.query_credits(principal.account_id, **filters)


def edit_credit(principal: Principal, credit_id: str, **changes) -> Credit:
    principal.require_credits(Permission.EDIT_CREDITS)

    def write(uow):
        credit = store.CreditRepository(uow).get(credit_id)
        credit.edit(now=utc_now(), **changes)
        return credit

    return run_in_transaction(principal.account_id, write)


def delete_credit(principal: Principal, credit_id: str) -> Credit:
    principal.require_credits(Permission.DELETE_CREDITS)

    def write(uow):
        credit = store.CreditRepository(uow).get(credit_id)
        credit.soft_delete(now=utc_now())
        return credit

    return run_in_transaction(principal.account_id, write)


def credit_history(principal: Principal, credit_id: str) -> list[CreditEvent]:
    get_credit(principal, credit_id)
    return store.credit_events(principal.account_id, credit_id)
