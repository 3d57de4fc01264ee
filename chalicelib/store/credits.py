"""Credits and their history in DynamoDB."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import Credit, CreditEvent, CreditSource, CreditStatus
from ..domain.locations import Location
from .ids import new_id
from .models import CreditEventItem, CreditItem, account_pk, customer_gsi_pk, customer_history_gsi_pk
from .sync_state import read_state
from .synced import SyncedRepository

_FIELDS = ("id", "number", "customer_id", "amount", "internal_note", "external_note", "origin_invoice_id",
           "origin_payment_id", "return_id", "created_at", "updated_at", "applied_in_qbo", "reissued_at")


def _to_item(account_id: str, credit: Credit, item: CreditItem) -> None:
    for name in _FIELDS:
        setattr(item, name, getattr(credit, name))
    item.source, item.status, item.used = credit.source.value, credit.status.value, credit.used
    item.uses_total, item.use_count = credit.uses_total, credit.use_count
    item.line_items = credit.line_items or None
    item.locations = [loc.as_dict() for loc in credit.locations] or None
    item.drawn = [loc.as_dict() for loc in credit.drawn] or None
    item.cuts = credit.cuts or None
    item.search_text = f"{credit.internal_note}\n{credit.external_note}".lower()
    item.gsi1pk, item.gsi1sk = customer_gsi_pk(account_id, credit.customer_id), f"CREDIT#{credit.id}"
    spendable = credit.remaining > 0
    item.open_pk = customer_gsi_pk(account_id, credit.customer_id) if spendable else None
    item.open_sk = f"{credit.created_at}#{credit.id}" if spendable else None


def to_credit(item: CreditItem) -> Credit:
    values = {name: getattr(item, name) for name in _FIELDS}
    return Credit(source=CreditSource(item.source), status=CreditStatus(item.status),
                  line_items=item.line_items or [], uses_total=int(item.uses_total or 0),
                  use_count=int(item.use_count or 0),
                  locations=_locations(item.locations), drawn=_locations(item.drawn), cuts=list(item.cuts or []),
                  version=item.version or 0, sync=read_state(item), **values)


def _locations(raw: list[dict] | None) -> list[Location]:
    return [Location.from_dict(loc) for loc in raw or []]


def credit_events(account_id: str, credit_id: str) -> list[CreditEvent]:
    """A credit's history, oldest first."""
    items = CreditEventItem.query(account_pk(account_id), CreditEventItem.sk.startswith(f"CREDITEV#{credit_id}#"))
    return [CreditEvent(i.kind, i.at, int(i.amount or 0), i.details or {}) for i in items]


@dataclass
class CreditPage:
    credits: list[Credit]
    last_key: str | None


class CreditRepository(SyncedRepository[Credit]):
    """Credits, plus a history line for every event the domain recorded."""

    model, prefix, noun = CreditItem, "CREDIT", "credit"

    def to_item(self, entity: Credit, item: CreditItem) -> None:
        _to_item(self.uow.account_id, entity, item)
        self.write_sync(entity, item)

    def qbo_view(self, entity: Credit) -> tuple:
        """A CreditMemo (or the Payment holding an overpayment) shows these; `used` matters once canceled."""
        used = entity.used if entity.status is not CreditStatus.ACTIVE else None
        return (entity.customer_id, entity.amount, entity.status, entity.internal_note, entity.external_note, used)

    def from_item(self, item: CreditItem) -> Credit:
        return to_credit(item)

    def of_customer(self, customer_id: str) -> list[Credit]:
        """The customer's credits with something left to spend, oldest first (the sparse open-credits index)."""
        items = CreditItem.open_by_customer.query(customer_gsi_pk(self.uow.account_id, customer_id))
        return [self.adopt(item) for item in items]

    def after_flush(self) -> None:
        pk = account_pk(self.uow.account_id)
        for credit, _, _ in self._seen.values():
            history_pk = customer_history_gsi_pk(self.uow.account_id, credit.customer_id)
            for event in credit.events:
                event_id = new_id()
                self.uow.put_new(CreditEventItem(pk, f"CREDITEV#{credit.id}#{event_id}", kind=event.kind,
                                                 at=event.at, amount=event.amount, details=event.details or None,
                                                 gsi3pk=history_pk, gsi3sk=f"{event.at}#{credit.id}#{event_id}"))
            credit.events.clear()


def query_credits(account_id: str, *, customer_id: str | None, status: str | None, source: str | None,
                  q: str | None, limit: int, start_after: str | None) -> CreditPage:
    """Oldest-first page of credits matching the filters; start_after is the last credit id of the previous page."""
    condition = None
    for attribute, value in ((CreditItem.status, status), (CreditItem.source, source)):
        if value:
            condition = (attribute == value) if condition is None else condition & (attribute == value)
    if not status:
        hidden = CreditItem.status != CreditStatus.DELETED.value
        condition = hidden if condition is None else condition & hidden
    if q:
        match = CreditItem.search_text.contains(q.lower())
        condition = match if condition is None else condition & match

    if customer_id:
        pk, index, key = customer_gsi_pk(account_id, customer_id), CreditItem.by_customer, CreditItem.gsi1sk
    else:
        pk, index, key = account_pk(account_id), CreditItem, CreditItem.sk
    low = f"CREDIT#{start_after}\x00" if start_after else "CREDIT#"
    items = index.query(pk, key.between(low, "CREDIT#~"), filter_condition=condition, page_size=100)
    found: list[Credit] = []
    for item in items:
        found.append(to_credit(item))
        if len(found) == limit + 1:
            break
    more = len(found) > limit
    found = found[:limit]
    return CreditPage(found, found[-1].id if more and found else None)
