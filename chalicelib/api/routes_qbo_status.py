"""QBO status panel and retry of one object (DESIGN §4)."""
from __future__ import annotations

from chalice import Blueprint

from ..services.sync.status import sync_status
from . import presenters
from .routing import Call, endpoint
from .wire.qbo_status import QboRetryOut, QboStatusOut

bp = Blueprint(__name__)


@endpoint(bp, "/qbo/status", "GET", summary="The QBO status panel: connection, pending count, last push and pull, "
          "errors (answered also when not connected)", response=QboStatusOut,
          description=("The QBO status panel: connection, `sync_mode` (`two_way`, `paused` while softly "
                       "disconnected, `off`), how many objects wait for a push, when the last push and pull ran, "
                       "and the objects QuickBooks refused (parked, with QBO's code and message, when and how "
                       "often tried). Answered also when never connected.\n\n"
                       "**Who:** any user of the account; parked credits only for those who may view credits.\n\n"
                       "**Errors:** none of its own (the common errors in the introduction)."),
          example={"connected": True, "realm_id": "9130000000000001", "sync_mode": "two_way", "pending": 3,
                   "last_push_at": "2026-11-26T13:20:01.123456Z", "last_pull_at": None, "cdc_watermark": None,
                   "errors": [{"object_type": "invoice", "object_id": "01JF3QA1B2C3D4E5F6G7H8J9K0",
                   "number": "INV-1004", "code": "2500", "message": "Invalid Reference Id (Item 999)",
                   "at": "2026-11-26T13:19:58.000001Z", "attempts": 2}]})
def qbo_status(call: Call):
    return presenters.qbo_status(sync_status(call.principal))


@endpoint(bp, "/qbo/objects/{object_type}/{object_id}/retry", "POST",
          summary="Push one object (credit, invoice, payment, customer) again now (manage_integration)",
          response=QboRetryOut,
          description=("Marks one object (`credit`, `invoice`, `payment`, `customer`) pending again and pushes it "
                       "now, dependencies first; `outcome` says what happened: `pushed`, `parked` (refused again), "
                       "`waiting` (what it links is not in QuickBooks yet), `deferred` (QuickBooks unreachable: "
                       "the workers push it) or `paused` (softly disconnected).\n\n"
                       "**Who:** `manage_integration` (a credit also needs `view_credits`).\n\n"
                       "**Errors:** `404 unknown_object_type`; `404 not_found`; `409 qbo_sync_off` (the account "
                       "records no sync); `403 forbidden`; the common errors in the introduction."),
          example={"object_type": "invoice", "object_id": "01JF3QA1B2C3D4E5F6G7H8J9K0", "number": "INV-1004",
                   "qbo_id": "311", "sync_status": "synced", "sync_error": None, "attempts": 0, "outcome": "pushed",
                   "message": None})
def retry_object(call: Call):
    from ..services.sync.retry import retry_object as retry  # the push machinery only when a retry is asked for

    return presenters.qbo_retry(retry(call.principal, call.params["object_type"], call.params["object_id"]))
