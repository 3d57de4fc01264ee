"""Domain objects and items to the public response shapes (amounts as two-decimal strings).

Every field is presented; which credit fields a caller sees is decided at the edge (visibility.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.money import format_cents
from ..store.sync_state import read_state
from . import wire

if TYPE_CHECKING:  # annotations only: a route that shows one resource need not load every resource's domain module
    from ..domain.credits import Credit, CreditEvent
    from ..domain.customers import CreditSummary
    from ..domain.invoices import Invoice, SalesOrder
    from ..domain.payments import Payment
    from ..domain.permissions import Principal
    from ..domain.returns import CustomerReturn
    from ..domain.settings import AccountSettings
    from ..services.payments import PaymentPreview, PaymentResult
    from ..services.sales import InvoiceView, OrderView
    from ..store.models import AccountItem, CustomerItem, RoleItem, UserItem

def _id(item) -> str:
    return item.sk.split("#", 1)[1]


def _money(cents: int | None) -> str | None:
    return None if cents is None else format_cents(cents)


def account(item: AccountItem) -> dict:
    return wire.accounts.AccountOut(id=item.pk.split("#", 1)[1], name=item.name, owner_user_id=item.owner_user_id,
                                    created_at=item.created_at).model_dump()


def settings(value: AccountSettings) -> dict:
    return wire.accounts.SettingsOut(credits_enabled=value.credits_enabled, qbo_credit_sync=value.qbo_credit_sync,
                                     credit_balance_warning_threshold=_money(value.credit_balance_warning_threshold)
                                     ).model_dump()


def me(principal: Principal, value: AccountSettings | None) -> dict:
    return wire.accounts.MeOut(
        user_id=principal.user_id, account_id=principal.account_id, staff=principal.staff,
        permissions=sorted(p.value for p in principal.permissions), credits_enabled=principal.credits_enabled,
        sees_credits=principal.sees_credits, qbo_credit_sync=bool(value and value.qbo_credit_sync)).model_dump()


def role(item: RoleItem) -> dict:
    return wire.accounts.RoleOut(id=_id(item), name=item.name, permissions=sorted(item.permissions or ())).model_dump()


def user(item: UserItem) -> dict:
    return wire.accounts.UserOut(user_id=_id(item), role_id=item.role_id).model_dump()


def customer(item: CustomerItem) -> dict:
    state = read_state(item)
    return wire.customers.CustomerOut(id=item.id, name=item.name, created_at=item.created_at, qbo_id=state.qbo_id,
                                      sync_status=state.status.value, sync_error=state.shown_error).model_dump()


def credit(value: Credit) -> dict:
    return wire.credits.CreditOut(
        id=value.id, number=value.number, customer_id=value.customer_id, source=value.source.value,
        status=value.status.value, amount=format_cents(value.amount), used=format_cents(value.used),
        remaining=format_cents(value.remaining), internal_note=value.internal_note,
        external_note=value.external_note, origin_invoice_id=value.origin_invoice_id,
        origin_payment_id=value.origin_payment_id, return_id=value.return_id,
        line_items=[_money_fields(line) for line in value.line_items],
        created_at=value.created_at, updated_at=value.updated_at, qbo_id=value.qbo_id,
        sync_status=value.sync_status, sync_error=value.sync_error).model_dump()


def _money_fields(line: dict) -> dict:
    """Lineage lines keep cents inside; on the wire their unit price and total are amounts."""
    return {k: format_cents(v) if k in ("unit_price", "total") and isinstance(v, int) else v for k, v in line.items()}


def invoice_summary(value: Invoice) -> dict:
    return wire.sales.InvoiceSummaryOut(id=value.id, total=format_cents(value.total), paid=format_cents(value.paid),
                                        balance=format_cents(value.balance), status=value.status.value).model_dump()


def payment(value: Payment, invoice: Invoice | None = None) -> dict:
    payload = wire.sales.PaymentOut(
        id=value.id, number=value.number, invoice_id=value.invoice_id, status=value.status.value,
        tenders=[wire.sales.TenderOut(method=t.method.value, amount=format_cents(t.amount)) for t in value.tenders],
        credit_uses=[_credit_use(u, (value.use_states or {}).get(u.id)) for u in value.credit_uses],
        total=format_cents(value.total), applied=format_cents(value.applied),
        overpayment_credit_id=value.overpayment_credit_id, created_at=value.created_at, voided_at=value.voided_at,
        qbo_id=value.qbo_id, sync_status=value.sync_status, sync_error=value.sync_error,
        invoice=wire.sales.InvoiceSummaryOut(**invoice_summary(invoice)) if invoice else None).model_dump()
    if invoice is None:
        del payload["invoice"]
    return payload


def _credit_use(use, state):
    """A payment's credit use, with its own QBO document when the reader attached its sync state."""
    return wire.sales.CreditUseOut(id=use.id, credit_id=use.credit_id, amount=format_cents(use.amount),
                                   voided_at=use.voided_at, qbo_id=state.qbo_id if state else None,
                                   sync_status=state.status.value if state else None)


def invoice(value: Invoice, payments: list[Payment]) -> dict:
    payload = wire.sales.InvoiceOut(
        id=value.id, number=value.number, sales_order_id=value.sales_order_id, customer_id=value.customer_id,
        lines=[wire.sales.LineOut(description=line.description, quantity=line.quantity,
                                  unit_price=format_cents(line.unit_price),
                                  total=format_cents(line.total)) for line in value.lines],
        charges=[wire.sales.ChargeOut(description=c.description, amount=format_cents(c.amount))
                 for c in value.charges],
        total=format_cents(value.total), paid=format_cents(value.paid), balance=format_cents(value.balance),
        status=value.status.value, deleted=value.deleted, adjusted_to_credit=format_cents(value.adjusted_to_credit),
        adjustment_credit_ids=value.adjustment_credit_ids,
        payments=[], created_at=value.created_at, qbo_id=value.qbo_id, sync_status=value.sync_status,
        sync_error=value.sync_error).model_dump()
    payload["payments"] = [payment(p) for p in payments]
    return payload


def sales_order(order: SalesOrder, invoice_value: Invoice) -> dict:
    return wire.sales.SalesOrderOut(id=order.id, number=order.number, customer_id=order.customer_id,
                                    invoice_id=order.invoice_id, deleted=order.deleted, created_at=order.created_at,
                                    invoice=wire.sales.InvoiceSummaryOut(**invoice_summary(invoice_value))
                                    ).model_dump()


def order_view(view: OrderView) -> dict:
    """A sales-order use case's answer: the order with its invoice's summary."""
    return sales_order(view.sales_order, view.invoice)


def invoice_view(view: InvoiceView) -> dict:
    """An invoice use case's answer: the invoice with its payments."""
    return invoice(view.invoice, view.payments)


def payment_preview(view: PaymentPreview) -> dict:
    plan = view.plan
    return wire.sales.PaymentPreviewOut(
        invoice_id=view.invoice.id, balance=format_cents(view.invoice.balance),
        tenders_total=format_cents(plan.tender_total), tender_applied=format_cents(plan.tender_applied),
        credit_uses=[wire.sales.PreviewCreditOut(credit_id=c.id, number=c.number, amount=format_cents(amount),
                                             remaining_after=format_cents(c.remaining - amount))
                 for c, amount in plan.credit_amounts],
        credits_total=format_cents(plan.credits_total), applied=format_cents(plan.applied),
        balance_after=format_cents(view.invoice.balance - plan.applied),
        overpayment=format_cents(plan.overpayment)).model_dump()


def payment_view(view: PaymentResult) -> dict:
    """A payment use case's answer: the payment with its invoice's summary."""
    return payment(view.payment, view.invoice)


def customer_return(value: CustomerReturn) -> dict:
    return wire.returns.ReturnOut(
        id=value.id, number=value.number, customer_id=value.customer_id, status=value.status.value,
        lines=[wire.returns.ReturnLineOut(**_money_fields(line.lineage())) for line in value.lines],
        total=format_cents(value.total), credit_id=value.credit_id, created_at=value.created_at,
        completed_at=value.completed_at).model_dump()


def credit_event(event: CreditEvent) -> dict:
    return wire.credits.CreditEventOut(kind=event.kind, at=event.at, amount=format_cents(event.amount),
                                       details=event.details).model_dump()


def credit_summary(value: CreditSummary) -> dict:
    return wire.customers.CreditSummaryOut(
        customer_id=value.customer_id, available_credit=format_cents(value.available_credit),
        outstanding_balance=format_cents(value.outstanding_balance),
        warning_threshold=_money(value.warning_threshold), warning=value.warning).model_dump()


def invoice_row(value: Invoice) -> dict:
    """An invoice in a list (no embedded payments)."""
    return wire.sales.InvoiceRowOut(
        id=value.id, number=value.number, sales_order_id=value.sales_order_id, customer_id=value.customer_id,
        total=format_cents(value.total), paid=format_cents(value.paid), balance=format_cents(value.balance),
        status=value.status.value, deleted=value.deleted, adjusted_to_credit=format_cents(value.adjusted_to_credit),
        payment_ids=value.payment_ids, created_at=value.created_at, updated_at=value.updated_at, qbo_id=value.qbo_id,
        sync_status=value.sync_status, sync_error=value.sync_error).model_dump()


def payment_row(value: Payment) -> dict:
    return {**payment(value), "customer_id": value.customer_id}


def user_row(item: UserItem) -> dict:
    return wire.accounts.UserRowOut(user_id=_id(item), role_id=item.role_id, updated_at=item.updated_at).model_dump()


def cancel_preview(outcome, mode: str, qbo_changes) -> dict:
    """The preview of a cancel (services.credits.CancelOutcome) and the QBO documents it would change."""
    shapes = wire.credit_reads
    return shapes.CancelPreviewOut(
        mode=mode, credit=wire.credits.CreditOut(**credit(outcome.credit)),
        voided_uses=[shapes.VoidedUseOut(id=u.id, payment_id=u.payment_id, invoice_id=u.invoice_id,
                                         amount=format_cents(u.amount)) for u in outcome.voided_uses],
        invoices=[shapes.ReopenedInvoiceOut(id=i.id, number=i.number, balance_before=format_cents(before),
                                            balance_after=format_cents(i.balance), status_after=i.status.value)
                  for i, before in outcome.invoices],
        credits=[shapes.ChangedCreditOut(id=c.credit.id, number=c.credit.number, source=c.credit.source.value,
                                         status_before=c.status_before, status_after=c.credit.status.value,
                                         remaining_before=format_cents(c.remaining_before),
                                         remaining_after=format_cents(c.credit.remaining)) for c in outcome.credits],
        qbo_documents=_qbo_changes(qbo_changes)).model_dump()


def delete_preview(value: Credit, qbo_changes) -> dict:
    """The preview of a delete: the credit as it would be left and the QBO documents it would change."""
    return wire.credit_reads.DeletePreviewOut(credit=wire.credits.CreditOut(**credit(value)),
                                              qbo_documents=_qbo_changes(qbo_changes)).model_dump()


def _qbo_changes(changes) -> list:
    """domain.qbo_changes.QboChange on the wire."""
    return [wire.credit_reads.QboChangeOut(**{**vars(change), "action": change.action.value}) for change in changes]


def _doc(kind: str, value) -> dict:
    return {"type": kind, "id": value.id, "number": value.number, "qbo_id": getattr(value, "qbo_id", None)}


def _lineage_invoice(value: Invoice) -> dict:
    return {**_doc("invoice", value), "total": format_cents(value.total), "balance": format_cents(value.balance),
            "status": value.status.value}


def lineage(value) -> dict:
    """services.lineage.Lineage on the wire (credit routes only: the caller sees credits)."""
    ret, inv, pay = value.customer_return, value.origin_invoice, value.origin_payment
    origin = {
        "return": {**_doc("return", ret), "lines": [_money_fields(line.lineage()) for line in ret.lines]}
        if ret else None,
        "invoice": _lineage_invoice(inv) if inv else None,
        "payment": _doc("payment", pay) if pay else None,
    }
    uses = [{"id": u.id, "amount": format_cents(u.amount), "at": u.at, "voided_at": u.voided_at,
             "payment": _doc("payment", value.payments[u.payment_id]),
             "invoice": _lineage_invoice(value.invoices[u.invoice_id])} for u in value.uses]
    checked = wire.credit_reads.LineageOut.model_validate({"origin": origin, "credit": credit(value.credit),
                                                           "uses": uses})
    return checked.model_dump(by_alias=True)


def credit_summary_as_of(value: CreditSummary, at: str) -> dict:
    return {**credit_summary(value), "as_of": at}


def _aging_row(row) -> dict:
    def cells(per_bucket: dict[str, int]) -> dict:
        return {bucket: format_cents(cents) for bucket, cents in per_bucket.items()}

    return {"total": format_cents(row.total), "buckets": cells(row.buckets),
            "by_source": {source: cells(per_bucket) for source, per_bucket in sorted(row.cells.items())}}


def credit_aging(report, names: dict[str, str]) -> dict:
    """domain.aging.AgingReport on the wire (credit routes only)."""
    from ..domain.aging import BUCKETS

    payload = {"as_of": report.as_of.isoformat(), "buckets": list(BUCKETS),
               "customers": [{"customer_id": c, "name": names.get(c), **_aging_row(row)}
                             for c, row in report.customers.items()],
               "total": _aging_row(report.total)}
    return wire.credit_reads.AgingOut.model_validate(payload).model_dump(by_alias=True)


AGING_CSV_COLUMNS = ("Customer ID", "Customer", "Source", "0-30", "31-60", "61-90", "90+", "Total")


def credit_aging_rows(report, names: dict[str, str]) -> list[tuple]:
    """One CSV row per customer and source, then the totals per source and overall."""
    from ..domain.aging import BUCKETS

    rows = []
    for label, name, row in [*((c, names.get(c, ""), r) for c, r in report.customers.items()),
                             ("TOTAL", "", report.total)]:
        for source, per_bucket in sorted(row.cells.items()):
            rows.append((label, name, source, *(format_cents(per_bucket[b]) for b in BUCKETS),
                         format_cents(sum(per_bucket.values()))))
        rows.append((label, name, "all", *(format_cents(row.buckets[b]) for b in BUCKETS), format_cents(row.total)))
    return rows


def qbo_status(view) -> dict:
    """services.sync.status.SyncStatusView on the wire."""
    return wire.qbo_status.QboStatusOut(
        connected=view.connected, realm_id=view.realm_id, sync_mode=view.sync_mode.value, pending=view.pending,
        last_push_at=view.last_push_at, last_pull_at=view.last_pull_at, cdc_watermark=view.cdc_watermark,
        errors=[wire.qbo_status.QboErrorOut(object_type=e.kind, object_id=e.object_id, number=e.number, code=e.code,
                                            message=e.message, at=e.at, attempts=e.attempts, retrying=e.retrying,
                                            last_attempt_at=e.at, next_retry_at=e.next_retry_at)
                for e in view.errors],
        dead_letters=[wire.qbo_status.DeadLetterOut(**d) for d in view.dead_letters], note=view.note,
        invoices_open_for_credits=view.invoices_open_for_credits if view.note else None).model_dump()


def qbo_retry(outcome) -> dict:
    """services.sync.retry.RetryOutcome on the wire."""
    state = outcome.sync
    return wire.qbo_status.QboRetryOut(
        object_type=outcome.kind, object_id=outcome.object_id, number=outcome.number, qbo_id=state.qbo_id,
        sync_status=state.status.value, sync_error=state.shown_error, attempts=state.attempts, outcome=outcome.outcome,
        message=outcome.message).model_dump()
