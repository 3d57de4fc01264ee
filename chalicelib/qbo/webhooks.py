"""Webhook signature check (constant time on raw bytes) and a parser for legacy and CloudEvents payloads."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

_ENTITY_NAMES = {n.lower(): n for n in ("Customer", "Invoice", "Payment", "CreditMemo", "Account", "Item",
                                        "SalesReceipt", "RefundReceipt", "Estimate", "Vendor", "Bill",
                                        "JournalEntry", "Deposit")}
_OPERATIONS = {"created": "Create", "updated": "Update", "deleted": "Delete", "voided": "Void",
               "merged": "Merge", "emailed": "Emailed"}


@dataclass(frozen=True)
class WebhookEvent:
    """One change hint: which object in which company changed how."""

    realm_id: str
    entity: str
    entity_id: str
    operation: str


class WebhookPayloadError(ValueError):
    """The body is not a QBO webhook payload we understand."""


def verify_signature(raw_body: bytes, signature: str | None, verifier: str | None = None) -> bool:
    """True if intuit-signature is base64(HMAC-SHA256(verifier, raw body)); $QBO_WEBHOOK_VERIFIER by default."""
    key = verifier if verifier is not None else os.environ.get("QBO_WEBHOOK_VERIFIER", "")
    if not key or not signature:
        return False
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(key.encode(), raw_body, hashlib.sha256).digest()
    return hmac.compare_digest(expected, given)


def _entity(name: str) -> str:
    return _ENTITY_NAMES.get(name.lower(), name)


def _shapes():
    """The two payload shapes as pydantic models (built on the first webhook, not at import)."""
    from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr

    Ident = StrictStr | StrictInt  # QBO sends ids and realm ids as strings; numbers are accepted, nothing else

    class Open(BaseModel):
        model_config = ConfigDict(extra="allow")

    class Entity(Open):
        name: StrictStr
        id: Ident
        operation: StrictStr = ""

    class DataChange(Open):
        entities: list[Entity] = []

    class Notification(Open):
        realmId: Ident
        dataChangeEvent: DataChange | None = None

    class Legacy(Open):
        eventNotifications: list[Notification]

    class CloudEvent(Open):
        type: StrictStr
        intuitaccountid: Ident
        intuitentityid: Ident = ""

    return Legacy, CloudEvent


def parse_events(raw_body: bytes) -> list[WebhookEvent]:
    """Events from a legacy eventNotifications body or CloudEvents (an array, or one event); may mix realms.

    Anything else, however it is nested, is a WebhookPayloadError (the route's 400), never a crash."""
    from pydantic import ValidationError

    try:
        payload = json.loads(raw_body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser goes
        raise WebhookPayloadError("webhook body is not JSON") from None
    legacy, cloud_event = _shapes()
    try:
        if isinstance(payload, dict) and "eventNotifications" in payload:
            return [WebhookEvent(str(note.realmId), _entity(ent.name), str(ent.id), ent.operation)
                    for note in legacy.model_validate(payload).eventNotifications
                    for ent in (note.dataChangeEvent.entities if note.dataChangeEvent else [])]
        if isinstance(payload, dict):
            payload = [payload]
        if not isinstance(payload, list):
            raise WebhookPayloadError("unknown webhook payload shape")
        return [_cloud_event(cloud_event.model_validate(item)) for item in payload]
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "body"
        raise WebhookPayloadError(f"unexpected webhook payload at {where}: {problem['msg']}") from None
    except RecursionError:
        raise WebhookPayloadError("webhook body is nested too deeply") from None


def _cloud_event(event) -> WebhookEvent:
    parts = event.type.split(".")
    if len(parts) < 3 or parts[0] != "qbo":
        raise WebhookPayloadError(f"unknown CloudEvent type {event.type[:100]!r}")
    return WebhookEvent(str(event.intuitaccountid), _entity(parts[1]), str(event.intuitentityid),
                        _OPERATIONS.get(parts[2], parts[2].capitalize()))
