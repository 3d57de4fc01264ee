"""The list reads of the API: which key range of which index answers each list, and its filters."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.invoices import Invoice
from ..domain.payments import Payment
from ..domain.returns import CustomerReturn
from .ledger import Ledger
from .models import (
    CustomerItem,
    InvoiceItem,
    PaymentItem,
    ReturnItem,
    RoleItem,
    UserItem,
    account_pk,
    customer_gsi_pk,
    customer_name_gsi_pk,
    invoice_payments_gsi_pk,
)
from .pages import RawPage, query_page

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_position: str | None
    requests: int


def _page(raw: RawPage, convert) -> Page:
    return Page([convert(item) for item in raw.items], raw.next_position, raw.requests)


def customer_name_key(name: str, customer_id: str) -> str:
    """gsi3 sort key of a customer: lowercased name (case-insensitive search), then id (unique)."""
    return f"{name.casefold()}#{customer_id}"


def index_customer_name(account_id: str, item: CustomerItem) -> None:
    item.gsi3pk, item.gsi3sk = customer_name_gsi_pk(account_id), customer_name_key(item.name, item.id)


def customers(account_id: str, *, name_prefix: str | None, limit: int, after: str | None) -> Page[CustomerItem]:
    """Customers by name (A→Z); `name_prefix` matches the start of the name, case-insensitively."""
    raw = query_page(pk=customer_name_gsi_pk(account_id), index="gsi3", prefix=(name_prefix or "").casefold(),
                     limit=limit, after=after)
    return _page(raw, CustomerItem.from_raw_data)


def invoices(account_id: str, *, customer_id: str | None, status: str | None, limit: int,
             after: str | None) -> Page[Invoice]:
    """Oldest first; deleted invoices only when asked for by status."""
    pk, index = (customer_gsi_pk(account_id, customer_id), "gsi1") if customer_id else (account_pk(account_id), None)
    raw = query_page(pk=pk, index=index, prefix="INV#", limit=limit, after=after,
                     equals={"status": status} if status else None,
                     not_equals=None if status else {"status": "deleted"})
    repo = Ledger.reading(account_id).invoices
    return _page(raw, lambda r: repo.from_item(InvoiceItem.from_raw_data(r)))


def payments(account_id: str, *, invoice_id: str | None, customer_id: str | None, status: str | None, limit: int,
             after: str | None) -> Page[Payment]:
    """Oldest first, from the invoice's or the customer's index (the other filters narrow that range)."""
    equals = {"status": status} if status else {}
    if invoice_id:
        pk, index = invoice_payments_gsi_pk(account_id, invoice_id), "gsi3"
        if customer_id:
            equals["customer_id"] = customer_id
    elif customer_id:
        pk, index = customer_gsi_pk(account_id, customer_id), "gsi1"
    else:
        pk, index = account_pk(account_id), None
    raw = query_page(pk=pk, index=index, prefix="PAY#", limit=limit, after=after, equals=equals or None)
    repo = Ledger.reading(account_id).payments
    return _page(raw, lambda r: repo.from_item(PaymentItem.from_raw_data(r)))


def returns(account_id: str, *, customer_id: str | None, status: str | None, limit: int,
            after: str | None) -> Page[CustomerReturn]:
    pk, index = (customer_gsi_pk(account_id, customer_id), "gsi1") if customer_id else (account_pk(account_id), None)
    raw = query_page(pk=pk, index=index, prefix="RET#", limit=limit, after=after,
                     equals={"status": status} if status else None)
    repo = Ledger.reading(account_id).returns
    return _page(raw, lambda r: repo.from_item(ReturnItem.from_raw_data(r)))


def roles(account_id: str, *, limit: int, after: str | None) -> Page[RoleItem]:
    raw = query_page(pk=account_pk(account_id), index=None, prefix="ROLE#", limit=limit, after=after)
    return _page(raw, RoleItem.from_raw_data)


def users(account_id: str, *, limit: int, after: str | None) -> Page[UserItem]:
    raw = query_page(pk=account_pk(account_id), index=None, prefix="USER#", limit=limit, after=after)
    return _page(raw, UserItem.from_raw_data)
