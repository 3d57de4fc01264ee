"""Reads no billing system offers: a cancel's preview, a credit's lineage, and the credit aging report."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.credits import CancelMode
from ..qbo.plans import cancel_changes
from ..services import credits, lineage
from . import presenters, schemas
from .routing import Call, endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/credits/{credit_id}/cancel/preview", "POST",
          summary="What POST /credits/{id}/cancel with this body would do: uses voided, invoices reopened, "
                  "QBO documents changed; commits nothing",
          body=schemas.CancelCredit, response=schemas.CancelPreviewOut)
def preview_cancel(call: Call):
    mode = CancelMode(call.body.mode)
    outcome = credits.preview_cancel(call.principal, call.params["credit_id"], mode)
    qbo = cancel_changes(outcome.credit, mode, outcome.voided_uses, {i.id: i for i, _ in outcome.invoices})
    return presenters.cancel_preview(outcome, mode.value, qbo)


@endpoint(bp, "/credits/{credit_id}/lineage", "GET",
          summary="Return lines or originating invoice and payment → credit → every use and the invoice it paid",
          response=schemas.LineageOut)
def credit_lineage(call: Call):
    return presenters.lineage(lineage.credit_lineage(call.principal, call.params["credit_id"]))
