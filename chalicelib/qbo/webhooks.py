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


def parse_events(raw_body: bytes) -> list[WebhookEvent]:
    """Events from a legacy eventNotifications body or a CloudEvents array (may mix realms)."""
    try:
        payload = json.loads(raw_body)
    except ValueError as exc:
        raise WebhookPayloadError("webhook body is not JSON") from exc
    events: list[WebhookEvent] = []
    if isinstance(payload, dict) and "eventNotifications" in payload:
        for note in payload["eventNotifications"] or []:
            realm = str(note.get("realmId", ""))
            for ent in (note.get("dataChangeEvent") or {}).get("entities") or []:
                events.append(WebhookEvent(realm, _entity(ent.get("name", "")), str(ent.get("id", "")),
                                           ent.get("operation", "")))
        return events
    items = payload if isinstance(payload, list) else [payload] if isinstance(payload, dict) else None
    if items is None:
        raise WebhookPayloadError("unknown webhook payload shape")
    for item in items:
        parts = str(item.get("type", "")).split(".")
        if len(parts) < 3 or parts[0] != "qbo":
            raise WebhookPayloadError(f"unknown CloudEvent type {item.get('type')!r}")
        events.append(WebhookEvent(str(item.get("intuitaccountid", "")), _entity(parts[1]),
                                   str(item.get("intuitentityid", "")),
                                   _OPERATIONS.get(parts[2], parts[2].capitalize())))
    return events
