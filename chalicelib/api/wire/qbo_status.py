"""The QBO status panel and the retry of a parked object (routes_qbo_status)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Out, SyncStatusName


SyncObjectType = Literal["customer", "invoice", "payment", "credit", "use"]  # a use's id: "<credit id>#<use id>"


class QboErrorOut(Out):
    """An object QBO refused for good: parked until it is retried (POST /qbo/objects/{type}/{id}/retry)."""

    object_type: SyncObjectType
    object_id: str
    number: str | None = Field(description="credit, invoice or payment number; a customer's name")
    code: str | None = Field(description="QBO's Fault code (e.g. 6240), or the name of our own refusal")
    message: str
    at: str | None = Field(description="when it was parked (last failure)")
    attempts: int


class QboStatusOut(Out):
    """The QBO status panel: answered also when the account is not connected."""

    connected: bool
    realm_id: str | None
    sync_mode: Literal["two_way", "paused", "off"] = Field(
        description="two_way: sync on and connected; paused: softly disconnected (changes wait); off: otherwise")
    pending: int = Field(description="objects waiting for a push (parked ones are under errors)")
    last_push_at: str | None
    last_pull_at: str | None
    cdc_watermark: str | None
    errors: list[QboErrorOut] = Field(description="oldest change first; credits only for users who may view them")


class QboRetryOut(Out):
    """The object after the retry, and what the push did now."""

    object_type: SyncObjectType
    object_id: str
    number: str | None
    qbo_id: str | None
    sync_status: SyncStatusName
    sync_error: str | None
    attempts: int
    outcome: Literal["pushed", "parked", "waiting", "deferred", "paused"] = Field(
        description="deferred (QBO unreachable) and paused (soft disconnect) leave it pending for the workers")
    message: str | None
