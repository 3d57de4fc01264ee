"""QBO connection lifecycle (issue 11; DESIGN §4): connect and its callback, soft/hard disconnect, mass re-syncs, the
pre-2026-02-25 overpayment memos. Everything but connect and the callback is for support staff."""
from __future__ import annotations

from typing import Literal

from chalice import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from ..domain.connection import DisconnectMode
from ..domain.errors import InvalidInput
from ..domain.money import format_cents
from ..services.sync import connection, legacy
from .csv_export import csv_response, wants_csv
from .routing import Call, endpoint
from .wire.common import Body

bp = Blueprint(__name__)
LEGACY_CSV_COLUMNS = ("Credit Number", "Customer ID", "Customer", "Amount", "Remaining", "QBO CreditMemo ID",
                      "Synced At", "QBO Books Differ", "Repaired At")


class Empty(Body):
    """No fields (the body may be `{}` or absent)."""


class Disconnect(Body):
    mode: Literal["soft", "hard"]


class CallbackQuery(BaseModel):
    """What Intuit's consent redirect carries (an `error` instead of `code` when the user declined)."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    code: str | None = Field(default=None, max_length=2000)
    state: str | None = Field(default=None, max_length=4000)
    realmId: str | None = Field(default=None, max_length=64)
    error: str | None = Field(default=None, max_length=200)


@endpoint(bp, "/qbo/connect", "POST", summary="Intuit's consent URL with a signed, expiring, single-use state",
          body=Empty)
def connect(call: Call):
    return connection.start_connect(call.principal)


@endpoint(bp, "/qbo/callback", "GET", summary="Consent redirect: checks state, exchanges the code, stores the tokens",
          query=CallbackQuery, public=True)
def callback(call: Call):
    query = call.query
    if query.error:
        raise InvalidInput(f"QuickBooks answered {query.error}: nothing was connected", code="consent_declined")
    return connection.complete_connect(code=query.code, state=query.state, realm_id=query.realmId)


@endpoint(bp, "/qbo/disconnect", "POST", summary="Soft or hard disconnect (staff)", body=Disconnect)
def disconnect(call: Call):
    return connection.disconnect(call.principal, DisconnectMode(call.body.mode))


@endpoint(bp, "/qbo/resyncs", "POST", summary="Start a mass re-sync to the connected company (staff)", body=Empty,
          status=202)
def start_resync(call: Call):
    return connection.start_resync(call.principal)


@endpoint(bp, "/qbo/resyncs/{resync_id}", "GET", summary="A mass re-sync's live progress (staff)")
def get_resync(call: Call):
    return connection.get_resync(call.principal, call.params["resync_id"])


@endpoint(bp, "/qbo/jobs/{job_id}", "GET", summary="Any lifecycle job's progress: a hard disconnect or a re-sync (staff)")
def get_job(call: Call):
    return connection.get_job(call.principal, call.params["job_id"])


@endpoint(bp, "/qbo/jobs/{job_id}/resume", "POST", summary="Queue a running job's next step again (staff)", body=Empty,
          status=202)
def resume_job(call: Call):
    return connection.resume_job(call.principal, call.params["job_id"])


@endpoint(bp, "/qbo/legacy-overpayment-credit-memos", "GET",
          summary="Overpayment credits that reached QBO as CreditMemos before 2026-02-25 (staff; JSON or CSV)")
def legacy_memos(call: Call):
    rows = [_legacy_out(row) for row in legacy.list_legacy(call.principal)]
    if not wants_csv(call.headers):
        return {"data": rows}
    return csv_response(LEGACY_CSV_COLUMNS, (
        (r["credit_number"], r["customer_id"], r["customer_name"], r["amount"], r["remaining"],
         r["qbo_credit_memo_id"], r["synced_at"], "" if r["qbo_books_differ"] is None else
         ("yes" if r["qbo_books_differ"] else "no"), r["repaired_at"]) for r in rows),
        "legacy-overpayment-credit-memos.csv")


@endpoint(bp, "/qbo/legacy-overpayment-credit-memos/{credit_id}/repair", "POST",
          summary="Move a legacy memo's amount onto its Payment's UnappliedAmt and delete the memo (staff)", body=Empty)
def repair_legacy_memo(call: Call):
    return legacy.repair(call.principal, call.params["credit_id"])


def _legacy_out(row: dict) -> dict:
    return {**row, "amount": format_cents(row["amount"]), "remaining": format_cents(row["remaining"])}
