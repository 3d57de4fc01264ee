"""The QBO status panel and the retry of a parked object (routes_qbo_status)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...domain import sync_kinds
from .common import Out, SyncStatusName

SyncObjectType = Literal[sync_kinds.NAMES]  # the registry's kinds (a use's id: "<credit id>#<use id>")


class QboErrorOut(Out):
    """An object whose push failed: refused by QBO (parked until a retry: the sweeper's on backoff, or
    POST /qbo/objects/{type}/{id}/retry), still retried on its own after 3 failures or 5 minutes (`retrying`: QBO
    unreachable or throttling, a refused token, a wait for something of ours), or drifted (code `qbo_drift`)."""

    object_type: SyncObjectType
    object_id: str
    number: str | None = Field(description="credit, invoice or payment number; a customer's name")
    code: str | None = Field(description="QBO's Fault code (e.g. 6240) or HTTP status, `waiting`, `qbo_drift`, or "
                                         "the name of our own refusal")
    message: str
    at: str | None = Field(description="the last attempt (for a drift: when it was read)")
    attempts: int
    retrying: bool = Field(default=False, description="the engine keeps trying it on its own")
    last_attempt_at: str | None = Field(default=None, description="the last attempt (as `at`)")
    next_retry_at: str | None = Field(default=None, description="when it is tried again on its own; null: only when "
                                                                "someone acts (a drift: parity repair)")


class DeadLetterOut(Out):
    """A sync message that failed its last allowed receive and sits in the dead-letter queue."""

    hint: str = Field(description='what it asked for: "push:<account>", "pull:<realm>", "job:<job id>", '
                                  '"revoke:<account>"')
    at: str
    receives: int
    message: str


class QboStatusOut(Out):
    """The QBO status panel: answered also when the account is not connected."""

    connected: bool
    realm_id: str | None
    sync_mode: Literal["two_way", "one_way", "paused", "off"] = Field(
        description="two_way: connected, qbo_credit_sync on (everything, both ways); one_way: connected, "
                    "qbo_credit_sync off (customers, invoices and payments pushed, credits stay here, nothing read); "
                    "paused: softly disconnected (changes wait); off: not connected")
    pending: int = Field(description="objects waiting for a push, failures still retried included (refused ones are "
                                     "under errors)")
    last_push_at: str | None
    last_pull_at: str | None
    cdc_watermark: str | None
    errors: list[QboErrorOut] = Field(description="oldest change first; credits only for users who may view them")
    note: str | None = Field(default=None, description="what the mode leaves out, in words (one-way)")
    invoices_open_for_credits: int | None = Field(
        default=None, description="one-way: invoices whose part paid by credits stays open in QuickBooks until "
                                  "two-way credit sync pushes the uses (a credit field)")
    dead_letters: list[DeadLetterOut] = Field(default_factory=list, description="messages of this account in the "
                                              "sync dead-letter queue (`ops dlq redrive` moves them back)")


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
