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
          response=CreditOut, status=201)
def create_credit(call: Call):
    body = call.body
    credit = credits.issue_manual_credit(call.principal, customer_id=body.customer_id,
                                         amount=parse_cents(body.amount, allow_zero=False),
                                         internal_note=body.internal_note, external_note=body.external_note)
    return presenters.credit(credit)


@endpoint(bp, "/credits", "GET", summary="List credits oldest first; Accept: text/csv exports them",
          query=CreditListQuery, response=CreditList)
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
      summary="Read a credit")


@endpoint(bp, "/credits/{credit_id}", "PATCH", summary="Edit amount or notes (never below used)",
          body=EditCredit, response=CreditOut)
def edit_credit(call: Call):
    changes = call.body.model_dump(exclude_unset=True)
    if changes.get("amount") is not None:
        changes["amount"] = parse_cents(changes["amount"], allow_zero=False)
    changes = {k: v for k, v in changes.items() if v is not None}
    return presenters.credit(credits.edit_credit(call.principal, call.params["credit_id"], **changes))


by_id(bp, "DELETE", "/credits/{credit_id}", credits.delete_credit, presenters.credit, response=CreditOut,
      summary="Soft-delete a credit that was never used")


@endpoint(bp, "/credits/{credit_id}/transactions", "GET", summary="A credit's history",
          response=CreditHistory)
def credit_history(call: Call):
    events = credits.credit_history(call.principal, call.params["credit_id"])
    return {"data": [presenters.credit_event(e) for e in events]}


@endpoint(bp, "/credits/{credit_id}/cancel", "POST", summary="Cancel: balance_only, or revert (void its uses too)",
          body=CancelCredit, response=CreditOut)
def cancel_credit(call: Call):
    credit = credits.cancel_credit(call.principal, call.params["credit_id"], CancelMode(call.body.mode))
    return presenters.credit(credit)
