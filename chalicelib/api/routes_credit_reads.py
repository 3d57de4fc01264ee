"""Reads no billing system offers: a cancel's preview, a credit's lineage, and the credit aging report."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.credits import CancelMode
from ..qbo.plans import cancel_changes
from ..services import credits, lineage, reports
from . import presenters
from .csv_export import csv_response, wants_csv
from .plain_routes import by_id
from .routing import Call, endpoint
from .wire.credit_reads import AgingOut, AgingQuery, CancelPreviewOut, LineageOut
from .wire.credits import CancelCredit

bp = Blueprint(__name__)


@endpoint(bp, "/credits/{credit_id}/cancel/preview", "POST",
          summary="What POST /credits/{id}/cancel with this body would do: uses voided, invoices reopened, "
                  "QBO documents changed; commits nothing",
          body=CancelCredit, response=CancelPreviewOut)
def preview_cancel(call: Call):
    mode = CancelMode(call.body.mode)
    outcome = credits.preview_cancel(call.principal, call.params["credit_id"], mode)
    qbo = cancel_changes(outcome.credit, mode, outcome.voided_uses, {i.id: i for i, _ in outcome.invoices})
    return presenters.cancel_preview(outcome, mode.value, qbo)


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
