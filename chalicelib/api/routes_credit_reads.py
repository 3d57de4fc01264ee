"""Reads no billing system offers: a cancel's and a delete's preview, a credit's lineage, and the credit aging report."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.credits import CancelMode
from ..services import credits, lineage, reports
from . import presenters
from .csv_export import csv_response, wants_csv
from .plain_routes import by_id
from .routing import Call, endpoint
from .wire.credit_reads import AgingOut, AgingQuery, CancelPreviewOut, DeletePreviewOut, LineageOut
from .wire.credits import CancelCredit

bp = Blueprint(__name__)


@endpoint(bp, "/credits/{credit_id}/cancel/preview", "POST",
          summary="What POST /credits/{id}/cancel with this body would do: uses voided, invoices reopened, "
                  "QBO documents changed; commits nothing",
          body=CancelCredit, response=CancelPreviewOut,
          description=("What `POST /credits/{id}/cancel` with the same body would do now, decided by the same code "
                       "and committed never: the credit as it would be left, the uses voided, the invoices "
                       "reopened (balance before and after), adjustment credits changed, and the QuickBooks "
                       "documents that would change.\n\n"
                       "**Who:** as the cancel: `view_credits` and `edit_credits`.\n\n"
                       "**Errors:** whatever the cancel would answer (`409 overpayment_credit_immutable`, `409 "
                       "credit_not_active`, ...); `404 not_found`; the common errors in the introduction."),
          example={"mode": "balance_only"})
def preview_cancel(call: Call):
    mode = CancelMode(call.body.mode)
    outcome = credits.preview_cancel(call.principal, call.params["credit_id"], mode)
    return presenters.cancel_preview(outcome, mode.value, outcome.qbo_documents)


@endpoint(bp, "/credits/{credit_id}/delete/preview", "POST",
          summary="What DELETE /credits/{id} would do: the credit as it would be left and the QBO documents "
                  "changed; commits nothing",
          response=DeletePreviewOut,
          description=("What `DELETE /credits/{id}` would do now, decided by the same code and committed never: the "
                       "credit as the soft delete would leave it, and the QuickBooks documents that would change "
                       "(a synced credit's CreditMemo is deleted: QBO's API has no void for CreditMemo).\n\n"
                       "**Who:** as the delete: `view_credits` and `delete_credits`.\n\n"
                       "**Errors:** whatever the delete would answer (`409 credit_already_used`, `409 "
                       "overpayment_credit_immutable`, `409 credit_not_active`, ...); `404 not_found`; the common "
                       "errors in the introduction."),
          example={"credit": {"id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "number": "CR-1001",
                              "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "source": "manual", "status": "deleted",
                              "amount": "25.00", "used": "0.00", "remaining": "0.00", "internal_note": "",
                              "external_note": "", "origin_invoice_id": None, "origin_payment_id": None,
                              "return_id": None, "line_items": [], "created_at": "2026-11-26T13:20:01.123456Z",
                              "updated_at": "2026-11-27T09:00:00.000000Z", "qbo_id": "145", "sync_status": "synced",
                              "sync_error": None},
                   "qbo_documents": [{"action": "delete", "qbo_type": "CreditMemo", "qbo_id": "145",
                                      "object_type": "credit", "object_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6",
                                      "effect": "deleted (QBO's API has no void for CreditMemo)"}]})
def preview_delete(call: Call):
    credit, qbo = credits.preview_delete(call.principal, call.params["credit_id"])
    return presenters.delete_preview(credit, qbo)


by_id(bp, "GET", "/credits/{credit_id}/lineage", lineage.credit_lineage, presenters.lineage, response=LineageOut,
      summary="Return lines or originating invoice and payment → credit → every use and the invoice it paid",
      description=("Where a credit comes from and where it went: the return lines (product, package, batch) or the "
                   "originating invoice and payment, then every use (voided ones too) with its payment and the "
                   "invoice it paid, each with its QB ID.\n\n"
                   "**Who:** `view_credits`.\n\n"
                   "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
      example={"origin": {"invoice": {"type": "invoice", "id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "number": "INV-1004",
               "qbo_id": "311", "total": "100.00", "balance": "0.00", "status": "fully_paid"},
               "payment": {"type": "payment", "id": "01JF3QPAY000000000000000000", "number": "PAY-1002",
               "qbo_id": "312"}}, "credit": {"id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "number": "CR-1003",
               "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "source": "overpayment", "status": "active",
               "amount": "20.00", "used": "0.00", "remaining": "20.00",
               "internal_note": "overpayment on invoice INV-1004", "external_note": "",
               "origin_invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "origin_payment_id": "01JF3QPAY000000000000000000",
               "return_id": None, "line_items": [], "created_at": "2026-11-26T13:20:01.123456Z", "updated_at": None,
               "qbo_id": "312", "sync_status": "synced", "sync_error": None}, "uses": []})


@endpoint(bp, "/reports/credit-aging", "GET",
          summary="Open credit by source in age buckets (0-30, 31-60, 61-90, 90+ days), per customer and in total; "
                  "Accept: text/csv exports it",
          query=AgingQuery, response=AgingOut,
          description=("Open credit (what is left to spend) by source in 0-30 / 31-60 / 61-90 / 90+ day buckets, "
                       "per customer and in total, on `as_of` (default today, UTC). `Accept: text/csv` exports it.\n\n"
                       "**Who:** `view_credits`.\n\n"
                       "**Errors:** `403 credits_disabled`; `403 forbidden`; `400 invalid_request` for a bad date; "
                       "the common errors in the introduction."),
          example={"as_of": "2026-11-30", "buckets": ["0-30", "31-60", "61-90", "90+"], "customers": [],
                   "total": {"total": "0.00", "buckets": {"0-30": "0.00", "31-60": "0.00", "61-90": "0.00",
                   "90+": "0.00"}, "by_source": {}}})
def credit_aging(call: Call):
    report, names = reports.credit_aging(call.principal, customer_id=call.query.customer_id, as_of=call.query.as_of)
    if not wants_csv(call.headers):
        return presenters.credit_aging(report, names)
    return csv_response(presenters.AGING_CSV_COLUMNS, presenters.credit_aging_rows(report, names), "credit-aging.csv")
