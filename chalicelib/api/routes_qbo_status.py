"""QBO status panel and retry of one object (DESIGN §4)."""
from __future__ import annotations

from chalice import Blueprint

from ..services.sync.status import sync_status
from . import presenters
from .routing import Call, endpoint
from .wire.qbo_status import QboRetryOut, QboStatusOut

bp = Blueprint(__name__)


@endpoint(bp, "/qbo/status", "GET", summary="The QBO status panel: connection, pending count, last push and pull, "
          "errors (answered also when not connected)", response=QboStatusOut)
def qbo_status(call: Call):
    return presenters.qbo_status(sync_status(call.principal))


@endpoint(bp, "/qbo/objects/{object_type}/{object_id}/retry", "POST",
          summary="Push one object (credit, invoice, payment, customer) again now (manage_integration)",
          response=QboRetryOut)
def retry_object(call: Call):
    from ..services.sync.retry import retry_object as retry  # the push machinery only when a retry is asked for

    return presenters.qbo_retry(retry(call.principal, call.params["object_type"], call.params["object_id"]))
