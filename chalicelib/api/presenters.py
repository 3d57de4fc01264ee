"""Domain objects and items to the public response shapes (amounts as two-decimal strings)."""
from __future__ import annotations

from ..domain.credits import Credit, CreditEvent
from ..domain.customers import CreditSummary
from ..domain.money import format_cents
from ..domain.permissions import Principal
from ..domain.settings import AccountSettings
from ..store.models import AccountItem, CustomerItem, RoleItem, UserItem
from . import schemas


def _id(item) -> str:
    return item.sk.split("#", 1)[1]


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def account(item: AccountItem) -> dict:
    return schemas.AccountOut(id=item.pk.split("#", 1)[1], name=item.name, owner_user_id=item.owner_user_id,
                              created_at=item.created_at).model_dump()


def settings(value: AccountSettings) -> dict:
    return schemas.SettingsOut(credits_enabled=value.credits_enabled, qbo_credit_sync=value.qbo_credit_sync,
                               credit_balance_warning_threshold=_money(value.credit_balance_warning_threshold)
                               ).model_dump()


def role(item: RoleItem) -> dict:
    return schemas.RoleOut(id=_id(item), name=item.name, permissions=sorted(item.permissions or ())).model_dump()


def user(item: UserItem) -> dict:
    return schemas.UserOut(user_id=_id(item), role_id=item.role_id).model_dump()


def customer(item: CustomerItem) -> dict:
    return schemas.CustomerOut(id=item.id, name=item.name, created_at=item.created_at, qbo_id=item.qbo_id).model_dump()


def credit(value: Credit) -> dict:
    return schemas.CreditOut(
        id=value.id, number=value.number, customer_id=value.customer_id, source=value.source.value,
        status=value.status.value, amount=format_cents(value.amount), used=format_cents(value.used),
        remaining=format_cents(value.remaining), internal_note=value.internal_note,
        external_note=value.external_note, origin_invoice_id=value.origin_invoice_id,
        origin_payment_id=value.origin_payment_id, return_id=value.return_id, line_items=value.line_items,
        created_at=value.created_at, updated_at=value.updated_at, qbo_id=value.qbo_id,
        sync_status=value.sync_status, sync_error=value.sync_error).model_dump()


def credit_event(event: CreditEvent) -> dict:
    return schemas.CreditEventOut(kind=event.kind, at=event.at, amount=format_cents(event.amount),
                                  details=event.details).model_dump()


def credit_summary(value: CreditSummary, principal: Principal) -> dict:
    payload = schemas.CreditSummaryOut(
        customer_id=value.customer_id,
        available_credit=format_cents(value.available_credit) if principal.sees_credits else None,
        outstanding_balance=format_cents(value.outstanding_balance),
        warning_threshold=_money(value.warning_threshold), warning=value.warning).model_dump()
    if not principal.sees_credits:
        del payload["available_credit"]
    return payload
