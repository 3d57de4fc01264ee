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
          body=Empty,
          description=("Starts connecting QuickBooks: answers Intuit's consent URL, whose `state` is a signed, "
                       "10-minute, single-use token naming the account and user. Open it in the browser; after "
                       "consent QuickBooks redirects to `GET /qbo/callback`.\n\n"
                       "**Who:** `manage_integration` (or staff).\n\n"
                       "**Errors:** `403 forbidden`; `409 job_running` while a hard disconnect clears the account; "
                       "the common errors in the introduction."),
          example={"authorization_url": "https://appcenter.intuit.com/connect/oauth2?client_id=...&redirect_uri=..."
                                        "&response_type=code&scope=com.intuit.quickbooks.accounting&state=..."})
def connect(call: Call):
    return connection.start_connect(call.principal)


@endpoint(bp, "/qbo/callback", "GET", summary="Consent redirect: checks state, exchanges the code, stores the tokens",
          query=CallbackQuery, public=True,
          description=("Where QuickBooks' consent page redirects the browser: checks `state`, exchanges the code, "
                       "proves the token opens `realmId` (a CompanyInfo read), refuses a company connected to "
                       "another account, then stores the tokens, the connection and the realm mapping in one "
                       "transaction.\n\n"
                       "**Who:** the browser returning from consent (no bearer token: `state` authenticates).\n\n"
                       "**Errors:** `400 invalid_state` (forged, expired or used before, or its user may no longer "
                       "connect: nothing is stored); `400 consent_declined`; `400 code_refused`; `400 "
                       "invalid_request` without code or realmId; `409 realm_mismatch` (the account keeps another "
                       "company's QB IDs)."),
          example={"connected": True, "account_id": "01JF3Q6ACCOUNT0000000000000", "realm_id": "9130000000000001"})
def callback(call: Call):
    query = call.query
    if query.error:
        raise InvalidInput(f"QuickBooks answered {query.error}: nothing was connected", code="consent_declined")
    return connection.complete_connect(code=query.code, state=query.state, realm_id=query.realmId)


@endpoint(bp, "/qbo/disconnect", "POST", summary="Soft or hard disconnect (staff)", body=Disconnect,
          description=("`soft`: revokes and drops the tokens, keeps every QB ID; changes wait and sync on "
                       "reconnecting to the same company. `hard`: also clears every QB ID, mapping and watermark "
                       "of the account in a background job (`job`), with no automatic re-sync afterwards.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `409 not_connected`; `409 job_running`; the common errors in "
                       "the introduction."),
          example={"mode": "soft"})
def disconnect(call: Call):
    return connection.disconnect(call.principal, DisconnectMode(call.body.mode))


@endpoint(bp, "/qbo/resyncs", "POST", summary="Start a mass re-sync to the connected company (staff)", body=Empty,
          status=202,
          description=("Starts a mass re-sync to the connected company (after a hard disconnect and reconnect): "
                       "customers, invoices, payments, credits, then credit uses, paced to QuickBooks' limits. "
                       "Follow it with `GET /qbo/resyncs/{id}`.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `409 not_connected`; `409 qbo_sync_off`; `409 job_running` "
                       "(one at a time); the common errors in the introduction."),
          example={"id": "01JF3Q6ACCOUNT0000000000000-01JF3QJOB000000000000000000", "status": "running",
                   "total": 120, "done": 0, "failed": 0, "errors": []})
def start_resync(call: Call):
    return connection.start_resync(call.principal)


@endpoint(bp, "/qbo/resyncs/{resync_id}", "GET", summary="A mass re-sync's live progress (staff)",
          description=("A mass re-sync's live progress: status (`running`, `done`, `failed`), `done` and `failed` "
                       "of `total`, and the objects QuickBooks refused.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `404 not_found`; the common errors in the introduction."),
          example={"id": "01JF3Q6ACCOUNT0000000000000-01JF3QJOB000000000000000000", "status": "running",
                   "total": 120, "done": 60, "failed": 1, "errors": [{"object_type": "invoice",
                   "object_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "code": "6070",
                   "message": "Amount is not equal to UnitPrice * Qty"}]})
def get_resync(call: Call):
    return connection.get_resync(call.principal, call.params["resync_id"])


@endpoint(bp, "/qbo/jobs/{job_id}", "GET", summary="Any lifecycle job's progress: a hard disconnect or a re-sync (staff)",
          description=("Any lifecycle job's progress: a hard disconnect's clearing or a re-sync.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `404 not_found`; the common errors in the introduction."),
          example={"id": "01JF3Q6ACCOUNT0000000000000-01JF3QJOB000000000000000000", "kind": "forget",
                   "status": "done", "stopped": None, "total": 340, "done": 340, "failed": 0, "errors": []})
def get_job(call: Call):
    return connection.get_job(call.principal, call.params["job_id"])


@endpoint(bp, "/qbo/jobs/{job_id}/resume", "POST", summary="Queue a running job's next step again (staff)", body=Empty,
          status=202,
          description=("Queues a running job's next step again (e.g. after its message reached the dead-letter "
                       "queue); harmless when one is still queued.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `404 not_found`; `409 job_not_running`; the common errors in "
                       "the introduction."),
          example={"id": "01JF3Q6ACCOUNT0000000000000-01JF3QJOB000000000000000000", "status": "running",
                   "total": 120, "done": 60, "failed": 0, "errors": []})
def resume_job(call: Call):
    return connection.resume_job(call.principal, call.params["job_id"])


@endpoint(bp, "/qbo/legacy-overpayment-credit-memos", "GET",
          summary="Overpayment credits that reached QBO as CreditMemos before 2026-02-25 (staff; JSON or CSV)",
          description=("Overpayment credits that reached QuickBooks as CreditMemos before 2026-02-25 (the guide's "
                       "warning): the list support hands to the customer, as JSON or, with `Accept: text/csv`, "
                       "CSV.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; the common errors in the introduction."),
          example={"data": [{"credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "credit_number": "CR-1003",
                   "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "customer_name": "Green Leaf Dispensary",
                   "amount": "20.00", "remaining": "20.00", "qbo_credit_memo_id": "171",
                   "synced_at": "2026-01-15T10:00:00Z", "repaired_at": None, "qbo_books_differ": True}]})
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
          summary="Move a legacy memo's amount onto its Payment's UnappliedAmt and delete the memo (staff)", body=Empty,
          description=("Beyond the guide: moves a legacy memo's amount onto its original Payment's UnappliedAmt "
                       "and deletes the memo, each step recorded first so a retry never raises the Payment twice.\n\n"
                       "**Who:** vendor staff.\n\n"
                       "**Errors:** `403 staff_only`; `404 not_a_legacy_overpayment`; `409 legacy_repair_refused` "
                       "(QuickBooks applied part of the memo); `409 legacy_repair_raced`; `409 not_connected`; the "
                       "common errors in the introduction."),
          example={"credit_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "repaired_at": "2026-11-27T09:00:00.000000Z"})
def repair_legacy_memo(call: Call):
    return legacy.repair(call.principal, call.params["credit_id"])


def _legacy_out(row: dict) -> dict:
    return {**row, "amount": format_cents(row["amount"]), "remaining": format_cents(row["remaining"])}
