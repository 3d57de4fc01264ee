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
          query=ParityQuery, response=ParityOut)
def get_parity(call: Call):
    from ..services.sync.parity import parity  # the check's machinery only when a check is asked for

    answer = parity(call.principal, fresh=call.query.fresh)
    return Response(body=json.dumps(answer.body, separators=(",", ":")), status_code=answer.status,
                    headers={"Content-Type": "application/json"})


@endpoint(bp, "/qbo/parity/repair", "POST", summary="Repair all differences ({}) or the chosen ones: push ours, or "
          "follow QBO where it owns the document (manage_integration)", body=RepairBody, response=RepairAnswerOut)
def repair_parity(call: Call):
    from ..services.sync.parity_repair import repair

    return repair(call.principal, call.body.differences)
