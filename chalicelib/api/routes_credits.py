"""Credits: create, list (JSON or CSV), read, edit, delete, history."""
from __future__ import annotations

from chalice import Blueprint

from ..domain.credits import CancelMode
from ..domain.money import format_cents, parse_cents
from ..services import credits
from ..store.cursor import decode_cursor, encode_cursor
from . import presenters
from .csv_export import csv_response, wants_csv
from .plain_routes import by_id
from .routing import Call, endpoint
from .wire.credits import CancelCredit, CreateCredit, CreditHistory, CreditList, CreditListQuery, CreditOut, EditCredit

bp = Blueprint(__name__)
CSV_COLUMNS = ("Number", "Customer ID", "Source", "Status", "Amount", "Used", "Remaining", "Internal Notes",
               "External Notes", "Created At", "QB ID", "Sync Status", "Sync Error")
CSV_PAGE = 100


@endpoint(bp, "/credits", "POST", summary="Issue a manual credit", body=CreateCredit,
          response=CreditOut, status=201,
          description=("Issues a manual credit for a customer. Internal and external notes are searchable (`GET "
                       "/credits?q=`) and go to QuickBooks as the CreditMemo's PrivateNote and CustomerMemo.\n\n"
                       "**Who:** `view_credits` and `create_credits`, with credits switched on for the account.\n\n"
                       "**Errors:** `403 credits_disabled`; `403 forbidden`; `404 not_found` for an unknown "
                       "customer; `400 invalid_amount` / `400 amount_too_large`; the common errors in the "
                       "introduction."),
          example={"customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "amount": "25.00", "internal_note": "damaged case",
                   "external_note": "Sorry for the dented cans"})
def create_credit(call: Call):
    body = call.body
    credit = credits.issue_manual_credit(call.principal, customer_id=body.customer_id,
                                         amount=parse_cents(body.amount, allow_zero=False),
                                         internal_note=body.internal_note, external_note=body.external_note)
    return presenters.credit(credit)


@endpoint(bp, "/credits", "GET", summary="List credits oldest first; Accept: text/csv exports them",
          query=CreditListQuery, response=CreditList,
          description=("One page of credits, oldest first, filtered by `customer_id`, `status`, `source` and `q` "
                       "(words of the internal or external note). With `Accept: text/csv` the whole filtered list "
                       "comes back as CSV (columns as in the Credits table, formula-safe cells).\n\n"
                       "**Who:** `view_credits`, with credits switched on.\n\n"
                       "**Errors:** `403 credits_disabled`; `403 forbidden`; `400 invalid_request` for a bad "
                       "filter or cursor; the common errors in the introduction."),
          example={"data": [{"id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "number": "CR-1001",
                   "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M", "source": "manual", "status": "active",
                   "amount": "25.00", "used": "10.00", "remaining": "15.00", "internal_note": "damaged case",
                   "external_note": "", "origin_invoice_id": None, "origin_payment_id": None, "return_id": None,
                   "line_items": [], "created_at": "2026-11-26T13:20:01.123456Z", "updated_at": None,
                   "qbo_id": "148", "sync_status": "synced", "sync_error": None}], "next_cursor": None})
def list_credits(call: Call):
    query = call.query
    filters = dict(customer_id=query.customer_id, status=query.status, source=query.source, q=query.q)
    if wants_csv(call.headers):
        return csv_response(CSV_COLUMNS, _csv_rows(call, filters), "credits.csv")
    page = credits.list_credits(call.principal, limit=query.limit, start_after=decode_cursor(query.cursor), **filters)
    return {"data": [presenters.credit(c) for c in page.credits], "next_cursor": encode_cursor(page.last_key)}


def _csv_rows(call: Call, filters: dict):
    """The whole filtered list (pages are read until the end)."""
    after = decode_cursor(call.query.cursor)
    while True:
        page = credits.list_credits(call.principal, limit=CSV_PAGE, start_after=after, **filters)
        for c in page.credits:
            yield (c.number, c.customer_id, c.source.value, c.status.value, format_cents(c.amount),
                   format_cents(c.used), format_cents(c.remaining), c.internal_note, c.external_note, c.created_at,
                   c.qbo_id, c.sync_status, c.sync_error)
        if page.last_key is None:
            return
        after = page.last_key


by_id(bp, "GET", "/credits/{credit_id}", credits.get_credit, presenters.credit, response=CreditOut,
      summary="Read a credit",
      description=("One credit: amounts, notes, origin (invoice and payment, or return with its line items), QB ID "
                   "and sync status.\n\n"
                   "**Who:** `view_credits`.\n\n"
                   "**Errors:** `403 credits_disabled`; `403 forbidden`; `404 not_found`; the common errors in the "
                   "introduction."),
      example={"id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "number": "CR-1001", "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M",
               "source": "return", "status": "active", "amount": "30.00", "used": "0.00", "remaining": "30.00",
               "internal_note": "", "external_note": "", "origin_invoice_id": None, "origin_payment_id": None,
               "return_id": "01JF3QRET000000000000000000", "line_items": [{"product_id": "SKU-12",
               "package_id": "PKG-7", "batch_id": "B-2026-11", "quantity": "2", "unit_price": "15.00",
               "total": "30.00"}], "created_at": "2026-11-26T13:20:01.123456Z", "updated_at": None, "qbo_id": None,
               "sync_status": "pending", "sync_error": None})


@endpoint(bp, "/credits/{credit_id}", "PATCH", summary="Edit amount or notes (never below used)",
          body=EditCredit, response=CreditOut,
          description=("Edits a manual credit's amount or notes. The amount never goes below what is already used; "
                       "overpayment credits are never edited (void the payment instead).\n\n"
                       "**Who:** `view_credits` and `edit_credits`.\n\n"
                       "**Errors:** `409 credit_below_used`; `409 overpayment_credit_immutable`; `409 "
                       "credit_amount_fixed` (an adjustment credit); `409 credit_not_active`; `404 not_found`; "
                       "`403 forbidden`; the common errors in the introduction."),
          example={"amount": "30.00", "internal_note": "damaged case, two more found"})
def edit_credit(call: Call):
    changes = call.body.model_dump(exclude_unset=True)
    if changes.get("amount") is not None:
        changes["amount"] = parse_cents(changes["amount"], allow_zero=False)
    changes = {k: v for k, v in changes.items() if v is not None}
    return presenters.credit(credits.edit_credit(call.principal, call.params["credit_id"], **changes))


by_id(bp, "DELETE", "/credits/{credit_id}", credits.delete_credit, presenters.credit, response=CreditOut,
      summary="Soft-delete a credit that was never used",
      description=("Soft-deletes a credit that was never used (it stays readable with status `deleted`).\n\n"
                   "**Who:** `view_credits` and `delete_credits`.\n\n"
                   "**Errors:** `409 credit_already_used`; `409 overpayment_credit_immutable`; `409 "
                   "credit_not_active`; `409 credit_held_by_payment` / `409 credit_owned_by_qbo`; `404 not_found`; "
                   "`403 forbidden`; the common errors in the introduction."),
      example={"id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6", "number": "CR-1001", "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M",
               "source": "manual", "status": "deleted", "amount": "25.00", "used": "0.00", "remaining": "0.00",
               "internal_note": "", "external_note": "", "origin_invoice_id": None, "origin_payment_id": None,
               "return_id": None, "line_items": [], "created_at": "2026-11-26T13:20:01.123456Z",
               "updated_at": "2026-11-27T09:00:00.000000Z", "qbo_id": None, "sync_status": "not_synced",
               "sync_error": None})


@endpoint(bp, "/credits/{credit_id}/transactions", "GET", summary="A credit's history",
          response=CreditHistory,
          description=("The credit's Transaction History: created, applied, use voided, edited, canceled, deleted, "
                       "voided (each with its amount and the payment and invoice it concerns).\n\n"
                       "**Who:** `view_credits`.\n\n"
                       "**Errors:** `403 forbidden`; `404 not_found`; the common errors in the introduction."),
          example={"data": [{"kind": "created", "at": "2026-11-26T13:20:01.123456Z", "amount": "25.00",
                   "details": {}}, {"kind": "applied", "at": "2026-11-27T10:02:11.000001Z", "amount": "10.00",
                   "details": {"payment_id": "01JF3QPAY000000000000000000",
                   "invoice_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "use_id": "01JF3QUSE000000000000000000"}}]})
def credit_history(call: Call):
    events = credits.credit_history(call.principal, call.params["credit_id"])
    return {"data": [presenters.credit_event(e) for e in events]}


@endpoint(bp, "/credits/{credit_id}/cancel", "POST", summary="Cancel: balance_only, or revert (void its uses too)",
          body=CancelCredit, response=CreditOut,
          description=("Cancels a credit. `balance_only` removes the unused balance and keeps its uses (with "
                       "QuickBooks: the CreditMemo shrinks to what its uses link); `revert` also voids every use, "
                       "reopening the invoices they paid. Preview it first with `POST "
                       "/credits/{id}/cancel/preview`.\n\n"
                       "**Who:** `view_credits` and `edit_credits`.\n\n"
                       "**Errors:** `409 overpayment_credit_immutable`; `409 credit_not_active`; `409 "
                       "credit_held_by_payment` / `409 credit_owned_by_qbo`; `404 not_found`; `403 forbidden`; the "
                       "common errors in the introduction."),
          example={"mode": "revert"})
def cancel_credit(call: Call):
    credit = credits.cancel_credit(call.principal, call.params["credit_id"], CancelMode(call.body.mode))
    return presenters.credit(credit)
