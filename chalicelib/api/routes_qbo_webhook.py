"""POST /qbo/webhook: QBO says something changed in a company; verify, enqueue one pull hint per realm, answer 200.

No bearer token: the `intuit-signature` HMAC over the raw body (constant time) authenticates the call, before its
media type or its shape are looked at (a signed body of another shape is a 400, never a 500). Nothing is
read from QBO here (the answer must come within 3 s): the pull worker reads the changes with CDC. A realm we do
not know is acknowledged and dropped (logged), or QBO would keep retrying it.
"""
from __future__ import annotations

import hashlib
import logging

from chalice import Blueprint
from pydantic import BaseModel

from ..domain.errors import InvalidInput
from ..ports import queue
from ..qbo.webhooks import WebhookPayloadError, parse_events, verify_signature
from ..store.qbo_connections import realm_holder
from .auth import Unauthenticated
from .routing import JSON_MEDIA_TYPE, Call, endpoint, require_media_type

logger = logging.getLogger(__name__)
bp = Blueprint(__name__)
# Intuit's legacy payloads come as JSON; CloudEvents deliveries as a batch (an array) or one structured event.
MEDIA_TYPES = (JSON_MEDIA_TYPE, "application/cloudevents-batch+json", "application/cloudevents+json")


class WebhookAccepted(BaseModel):
    """Which realms were hinted for a change read, and which were unknown and dropped."""

    queued: list[str]
    dropped: list[str]


class BadWebhookPayload(InvalidInput):
    code = "bad_webhook_payload"


@endpoint(bp, "/qbo/webhook", "POST", summary="QBO change notification (signed by Intuit; legacy or CloudEvents)",
          response=WebhookAccepted, public=True, raw_body=True,
          description=("QuickBooks' change notification (legacy `eventNotifications` or CloudEvents). The "
                       "`intuit-signature` header (base64 HMAC-SHA256 of the raw body with the webhook verifier) "
                       "is checked in constant time before anything else; one pull hint per known realm is queued "
                       "and the answer comes at once.\n\n"
                       "**Who:** QuickBooks (no bearer token: the signature authenticates).\n\n"
                       "**Errors:** `401 unauthenticated` for a missing or wrong signature; `400 "
                       "bad_webhook_payload` for a signed body of another shape; `415 "
                       "unsupported_media_type` for a signed body that is not JSON."),
          example={"queued": ["9130000000000001"], "dropped": []})
def qbo_webhook(call: Call) -> dict:
    if not verify_signature(call.raw_body, call.headers.get("intuit-signature")):
        raise Unauthenticated("the intuit-signature header is missing or does not match the body")
    require_media_type(call.headers.get("content-type"), MEDIA_TYPES)
    try:
        events = parse_events(call.raw_body)
    except WebhookPayloadError as error:
        raise BadWebhookPayload(str(error)) from None
    realms = list(dict.fromkeys(event.realm_id for event in events if event.realm_id))
    known = [realm for realm in realms if realm_holder(realm) is not None]
    dropped = [realm for realm in realms if realm not in known]
    if dropped:
        logger.warning("qbo webhook for unknown realms dropped: %s", dropped)
    delivery = hashlib.sha256(call.raw_body).hexdigest()  # a redelivered body is deduplicated by SQS
    queue.send([queue.Hint(queue.PULL, realm, f"webhook#{delivery}") for realm in known])
    return {"queued": known, "dropped": dropped}
