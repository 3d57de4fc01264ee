"""Sales orders, invoices, payments and returns as items."""
from __future__ import annotations

from dataclasses import asdict

from ..domain.invoices import Charge, Invoice, Line, SalesOrder
from ..domain.payments import Payment, PaymentCreditUse, PaymentStatus, Tender, TenderMethod
from ..domain.returns import CustomerReturn, ReturnLine, ReturnStatus
from .models import (
    InvoiceItem,
    PaymentItem,
    ReturnItem,
    SalesOrderItem,
    customer_gsi_pk,
    invoice_payments_gsi_pk,
)
from .repository import Repository
from .sync_state import read_state
from .synced import SyncedRepository


def _copy(entity, item, names: tuple[str, ...]) -> None:
    for name in names:
        setattr(item, name, getattr(entity, name))


def _values(item, names: tuple[str, ...]) -> dict:
    return {name: getattr(item, name) for name in names}


class SalesOrders(Repository[SalesOrder]):
    model, prefix, noun = SalesOrderItem, "SO", "sales_order"
    FIELDS = ("id", "number", "customer_id", "invoice_id", "created_at", "updated_at", "deleted")

    def to_item(self, entity: SalesOrder, item: SalesOrderItem) -> None:
        _copy(entity, item, self.FIELDS)

    def from_item(self, item: SalesOrderItem) -> SalesOrder:
        return SalesOrder(version=item.version or 0, **_values(item, self.FIELDS))


INVOICE_FIELDS = ("id", "number", "sales_order_id", "customer_id", "paid", "adjusted_to_credit", "deleted",
                  "created_at", "updated_at")


def to_invoice(item: InvoiceItem) -> Invoice:
    """The domain invoice an item holds (read by the repository and by the customer's balance)."""
    values = _values(item, INVOICE_FIELDS)
    values["paid"], values["adjusted_to_credit"] = int(values["paid"]), int(values["adjusted_to_credit"])
    return Invoice(lines=[Line(**line) for line in item.lines or []],
                   charges=[Charge(**charge) for charge in item.charges or []],
                   adjustment_credit_ids=list(item.adjustment_credit_ids or []),
                   payment_ids=list(item.payment_ids or []), version=item.version or 0, sync=read_state(item),
                   **values)


class Invoices(SyncedRepository[Invoice]):
    model, prefix, noun = InvoiceItem, "INV", "invoice"
    FIELDS = INVOICE_FIELDS

    def to_item(self, entity: Invoice, item: InvoiceItem) -> None:
        _copy(entity, item, self.FIELDS)
        item.lines = [asdict(line) for line in entity.lines] or None
        item.charges = [asdict(charge) for charge in entity.charges] or None
        item.adjustment_credit_ids = entity.adjustment_credit_ids or None
        item.payment_ids = entity.payment_ids or None
        item.total = entity.total
        item.status = "deleted" if entity.deleted else entity.status.value
        item.gsi1pk, item.gsi1sk = customer_gsi_pk(self.uow.account_id, entity.customer_id), f"INV#{entity.id}"
        self.write_sync(entity, item)

    def qbo_view(self, entity: Invoice) -> tuple:
        """The QBO Invoice's customer, number and lines (its balance follows from the Payments linking it)."""
        return entity.customer_id, entity.number, tuple(entity.lines), tuple(entity.charges), entity.deleted

    def from_item(self, item: InvoiceItem) -> Invoice:
        return to_invoice(item)


class Payments(SyncedRepository[Payment]):
    model, prefix, noun = PaymentItem, "PAY", "payment"
    FIELDS = ("id", "number", "invoice_id", "customer_id", "tender_applied", "overpayment_credit_id", "voided_at",
              "created_at", "updated_at")

    def to_item(self, entity: Payment, item: PaymentItem) -> None:
        _copy(entity, item, self.FIELDS)
        item.status = entity.status.value
        item.tenders = [{"method": t.method.value, "amount": t.amount} for t in entity.tenders] or None
        item.credit_uses = [asdict(use) for use in entity.credit_uses] or None
        item.gsi1pk, item.gsi1sk = customer_gsi_pk(self.uow.account_id, entity.customer_id), f"PAY#{entity.id}"
        item.gsi3pk, item.gsi3sk = invoice_payments_gsi_pk(self.uow.account_id, entity.invoice_id), f"PAY#{entity.id}"
        self.write_sync(entity, item)

    def qbo_view(self, entity: Payment) -> tuple:
        """The tender Payment's amounts, number and customer, and which credit uses are still active."""
        uses = tuple((use.id, use.voided_at is None) for use in entity.credit_uses)
        return entity.status, tuple(entity.tenders), entity.tender_applied, entity.number, entity.customer_id, uses

    def from_item(self, item: PaymentItem) -> Payment:
        values = _values(item, self.FIELDS)
        values["tender_applied"] = int(values["tender_applied"])
        return Payment(status=PaymentStatus(item.status),
                       tenders=[Tender(TenderMethod(t["method"]), t["amount"]) for t in item.tenders or []],
                       credit_uses=[PaymentCreditUse(**u) for u in item.credit_uses or []],
                       version=item.version or 0, sync=read_state(item), **values)


class Returns(Repository[CustomerReturn]):
    model, prefix, noun = ReturnItem, "RET", "return"
    FIELDS = ("id", "number", "customer_id", "credit_id", "created_at", "completed_at")

    def to_item(self, entity: CustomerReturn, item: ReturnItem) -> None:
        _copy(entity, item, self.FIELDS)
        item.status = entity.status.value
        item.lines = [asdict(line) for line in entity.lines]
        item.gsi1pk, item.gsi1sk = customer_gsi_pk(self.uow.account_id, entity.customer_id), f"RET#{entity.id}"

    def from_item(self, item: ReturnItem) -> CustomerReturn:
        return CustomerReturn(status=ReturnStatus(item.status), lines=[ReturnLine(**line) for line in item.lines],
                              version=item.version or 0, **_values(item, self.FIELDS))
