"""Read what changed in a realm's QBO company and bring it into the ledger (DESIGN §7 inbound).

A webhook only says "look at this realm" (a pull hint on the queue); the reader then asks CDC for everything
changed since the realm's watermark less an overlap, so one read covers a whole burst of changes, duplicated or
reordered webhooks cost nothing extra, and the scheduled sweep catches what webhooks missed. A watermark past
CDC's 30-day limit (or none yet) means a full re-sync of the realm: every CreditMemo, Payment and Invoice read
with paged queries, and imported credits whose document vanished are voided.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from ...domain import imports as rules
from ...domain import sync_kinds
from ...domain.sync import ConnectionState
from ...domain.sync_modes import reads_qbo
from ...ports.qbo import ClientFactory, QboApi
from ...store import accounts as accounts_store
from ...store import dead_letters
from ...store import inbound as inbound_store
from ...store import qbo_connections as connections
from ...store.ids import parse_utc
from .imports import ImportContext, apply_change

logger = logging.getLogger(__name__)
CREDIT_BEARING = ("CreditMemo", "Payment")  # in this order: a memo is imported before the Payments applying it
ENTITIES = CREDIT_BEARING + tuple(dict.fromkeys(
    k.document for k in sync_kinds.KINDS if k.read_back and k.document not in CREDIT_BEARING))


@dataclass
class PullReport:
    realm_id: str
    account_id: str | None = None
    mode: str = "none"  # none (unknown realm) | skipped (read since the hint) | cdc | full
    outcomes: Counter = field(default_factory=Counter)
    cdc_reads: int = 0
    qbo_requests: int = 0
    watermark: str | None = None
    whole: list[str] = field(default_factory=list)  # entities read whole (full re-sync) rather than by CDC


def _iso(moment: datetime) -> str:
    """UTC with milliseconds, always the same width, so stored watermarks also compare as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _moment(text: str | None) -> datetime | None:
    return parse_utc(text) if text else None


def pull_changes(realm_id: str, *, client: QboApi | None = None, client_factory: ClientFactory | None = None,
                 now: datetime | None = None, hinted_at: datetime | None = None) -> PullReport:
    """Bring the realm's QBO changes into its account; a realm we do not know is logged and dropped.

    `hinted_at` (the queue message's SentTimestamp): a read that started after the hint was sent has already seen
    what the hint names, so the hint costs no QBO call; a burst of webhooks thus shares a handful of CDC reads.
    Raises the client layer's transient errors (throttle, outage) so the queue redelivers the hint; the watermark
    moves only after every change read was handled.
    """
    report = PullReport(realm_id)
    account_id = connections.realm_holder(realm_id)
    if account_id is None:
        logger.warning("qbo pull for unknown realm %s dropped", realm_id)
        return report
    account = accounts_store.get_account(account_id)
    if account.qbo_realm_id != realm_id or account.qbo_state != ConnectionState.CONNECTED.value:
        logger.warning("qbo pull for realm %s dropped: account %s is not connected to it", realm_id, account_id)
        return report
    if not reads_qbo(bool(account.qbo_credit_sync), accounts_store.connection_of(account)):
        logger.info("qbo pull for realm %s dropped: account %s syncs one way (nothing is read)", realm_id, account_id)
        return report
    report.account_id = account_id
    if rules.already_read(_moment(account.qbo_cdc_watermark), hinted_at):
        report.mode = "skipped"
        return report
    if client is None:
        from ...qbo.client import build_client

        client = (client_factory or build_client)(account_id)
    started = now or datetime.now(timezone.utc)
    before = client.session.stats["requests"]
    try:
        changes = _read_changes(client, account.qbo_cdc_watermark, started, report)
        ctx = ImportContext(account_id, client)
        for entity, rows in changes.items():
            ctx.known(entity, rows)
        # Customers and credit sources first, so a payment linking an imported memo finds it.
        for entity in ENTITIES:
            for doc in changes.get(entity, []):
                report.outcomes[apply_change(ctx, entity, doc)] += 1
        _void_vanished(ctx, changes, report)
    finally:
        report.qbo_requests = client.session.stats["requests"] - before
    report.watermark = _iso(started)
    accounts_store.record_pull(account_id, watermark=report.watermark, pulled_at=_iso(datetime.now(timezone.utc)))
    dead_letters.clear(account, f"pull:{realm_id}")
    return report


def _read_changes(client: QboApi, watermark: str | None, now: datetime, report: PullReport) -> dict[str, list[dict]]:
    """CDC from the watermark less the overlap; a full read when too old, never read, or CDC's answer was cut off.

    CDC takes only a lower bound, so a window cannot be split by time: an entity whose answer hit the 1,000-object
    limit is read again whole with paged queries instead (and vanished imports are then found by their absence).
    """
    since = rules.cdc_since(_moment(watermark), now)
    if since is not None:
        report.mode = "cdc"
        report.cdc_reads += 1
        changes = client.cdc(list(ENTITIES), since)
        cut = rules.truncated({entity: len(rows) for entity, rows in changes.items()})
        if not cut:
            return changes
        logger.info("qbo cdc answer cut off for %s: reading them whole", cut)
        for entity in cut:
            changes[entity] = client.query_all(entity)
        report.whole = cut
        return changes
    report.mode, report.whole = "full", list(ENTITIES)
    return {entity: client.query_all(entity) for entity in ENTITIES}


def _void_vanished(ctx: ImportContext, changes: dict[str, list[dict]], report: PullReport) -> None:
    """After a full read: an imported document that is no longer in the company was deleted there."""
    for entity in (e for e in CREDIT_BEARING if e in report.whole):
        present = {str(doc["Id"]) for doc in changes.get(entity, [])}
        for item in inbound_store.mapped(ctx.account_id, entity):
            qbo_id = item.sk.rsplit("#", 1)[1]
            if qbo_id not in present:
                report.outcomes[apply_change(ctx, entity, {"Id": qbo_id, "status": "Deleted"})] += 1


def sweep_realms() -> list[str]:
    """Realms of connected accounts, for the scheduled CDC sweep (it sends one pull hint per realm)."""
    return connections.mapped_realms()


def send_sweep_hints(now: datetime | None = None, send: Callable | None = None) -> list[str]:
    """The scheduled CDC sweep: one pull hint per connected realm, deduplicated per minute; answers the realms."""
    from ...ports import queue

    minute = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M")
    realms = sweep_realms()
    (send or queue.send)([queue.Hint(queue.PULL, realm, f"sweep#{minute}") for realm in realms])
    return realms
