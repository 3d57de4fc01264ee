"""Parity of the ledger with the connected QBO company (issue 12; DESIGN §4, §5, §7): see every difference, repair
them. Both routes need `manage_integration` and `view_credits` (every difference is credit money) and a connected
account (409 `not_connected` otherwise)."""
from __future__ import annotations

import json
from typing import Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field

from .routing import Call, endpoint
from .wire.common import Body, Out

bp = Blueprint(__name__)


class ParityQuery(BaseModel):
    model_config = ConfigDict(defer_build=True)
    fresh: bool = Field(default=False, description="large accounts: start a new background check even if the last "
                                                   "report is recent")


class RepairOut(Out):
    action: Literal["push_ours", "recreate", "relink", "accept_qbo", "import", "delete_in_qbo", "follows", "manual"]
    automatic: bool = Field(description="false: POST /qbo/parity/repair refuses it (why says why)")
    why: str
    targets: list[list[str]] = Field(description="[object type, id] pushed (or [QBO type, id] read/deleted)")


class DifferenceOut(Out):
    id: str = Field(description="stable while the difference lasts: pick it for POST /qbo/parity/repair")
    kind: Literal["credit_source", "invoice_balance", "payment_amount", "payment_ref", "customer_credit",
                  "missing_in_qbo", "unlinked", "voided_in_qbo", "extra_in_qbo", "duplicate_in_qbo", "unknown_here",
                  "not_imported", "drift"]
    object_type: str | None
    object_id: str | None
    qbo_type: str | None
    qbo_id: str | None
    ours: str | None = Field(description="our amount (two decimals); null where we have none")
    theirs: str | None = Field(description="QBO's amount (two decimals); null where QBO has none")
    repair: RepairOut
    customer_id: str | None
    sync_status: str | None = Field(description="our object's sync status (pending ones are on their way)")


class ParityOut(Out):
    """200: the finished report; 202: a background check runs (`done` of `total`, then GET again)."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    status: Literal["running", "done"]
    checked_at: str | None
    differences: list[DifferenceOut]


class RepairBody(Body):
    differences: list[str] | None = Field(default=None, max_length=5000,
                                          description="ids from GET /qbo/parity; absent: repair all")


class RepairAnswerOut(Out):
    model_config = ConfigDict(extra="allow", defer_build=True)
    repaired: list[str]
    refused: list[dict]
    failed: list[dict]
    already_resolved: list[str]


@endpoint(bp, "/qbo/parity", "GET", summary="Ledger vs the QBO company: every difference with both values and its "
          "repair (manage_integration; 202 while a large account is checked in the background)",
          query=ParityQuery, response=ParityOut,
          description=("Compares the ledger with the connected QuickBooks company: every difference with our "
                       "amount, theirs, and its repair. A large account is checked in the background (202 with "
                       "`status: running`; ask again); `fresh=true` starts a new check.\n\n"
                       "**Who:** `manage_integration` and `view_credits`.\n\n"
                       "**Errors:** `409 not_connected`; `503 qbo_unavailable`; `403 forbidden`; the common errors "
                       "in the introduction."),
          example={"status": "done", "checked_at": "2026-11-27T09:00:00.000000Z",
                   "differences": [{"id": "missing_in_qbo:credit:01JF3Q8ZP7K2M4N6R8T0V2X4Y6",
                   "kind": "missing_in_qbo", "object_type": "credit", "object_id": "01JF3Q8ZP7K2M4N6R8T0V2X4Y6",
                   "qbo_type": "CreditMemo", "qbo_id": "148", "ours": "25.00", "theirs": None,
                   "repair": {"action": "push_ours", "automatic": True,
                   "why": "its QuickBooks document was deleted: push ours again", "targets": [["credit",
                   "01JF3Q8ZP7K2M4N6R8T0V2X4Y6"]]}, "customer_id": "01JF3Q7W0C1D2E3F4G5H6J7K8M",
                   "sync_status": "synced"}]})
def get_parity(call: Call):
    from ..services.sync.parity import parity  # the check's machinery only when a check is asked for

    answer = parity(call.principal, fresh=call.query.fresh)
    return Response(body=json.dumps(answer.body, separators=(",", ":")), status_code=answer.status,
                    headers={"Content-Type": "application/json"})


@endpoint(bp, "/qbo/parity/repair", "POST", summary="Repair all differences ({}) or the chosen ones: push ours, or "
          "follow QBO where it owns the document (manage_integration)", body=RepairBody, response=RepairAnswerOut,
          description=("Repairs every difference (`{}`) or the chosen ones (`{\"differences\": [ids]}`): pushes ours "
                       "again, or follows QuickBooks where it owns the document; what needs a person is refused "
                       "with why.\n\n"
                       "**Who:** `manage_integration` and `view_credits`.\n\n"
                       "**Errors:** `409 parity_not_checked` (check first); `409 parity_not_repairable`; `409 "
                       "not_connected`; `403 forbidden`; the common errors in the introduction."),
          example={"differences": ["missing_in_qbo:credit:01JF3Q8ZP7K2M4N6R8T0V2X4Y6"]})
def repair_parity(call: Call):
    from ..services.sync.parity_repair import repair

    return repair(call.principal, call.body.differences)
