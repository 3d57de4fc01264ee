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
          body=CancelCredit, response=CancelPreviewOut)
def preview_cancel(call: Call):
    mode = CancelMode(call.body.mode)
    outcome = credits.preview_cancel(call.principal, call.params["credit_id"], mode)
    return presenters.cancel_preview(outcome, mode.value, outcome.qbo_documents)


@endpoint(bp, "/credits/{credit_id}/delete/preview", "POST",
          summary="What DELETE /credits/{id} would do: the credit as it would be left and the QBO documents "
                  "changed; commits nothing",
          response=DeletePreviewOut)
def preview_delete(call: Call):
    credit, qbo = credits.preview_delete(call.principal, call.params["credit_id"])
    return presenters.delete_preview(credit, qbo)


by_id(bp, "GET", "/credits/{credit_id}/lineage", lineage.credit_lineage, presenters.lineage, response=LineageOut,
      summary="Return lines or originating invoice and payment → credit → every use and the invoice it paid")


@endpoint(bp, "/reports/credit-aging", "GET",
          summary="Open credit by source in age buckets (0-30, 31-60, 61-90, 90+ days), per customer and in total; "
                  "Accept: text/csv exports it",
          query=AgingQuery, response=AgingOut)
def credit_aging(call: Call):
    report, names = reports.credit_aging(call.principal, customer_id=call.query.customer_id, as_of=call.query.as_of)
    if not wants_csv(call.headers):
        return presenters.credit_aging(report, names)
    return csv_response(presenters.AGING_CSV_COLUMNS, presenters.credit_aging_rows(report, names), "credit-aging.csv")
