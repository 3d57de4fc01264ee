"""The QBO status panel (DESIGN §4): connection, sync mode, what waits for a push, and what QBO refused."""
from __future__ import annotations

from dataclasses import dataclass

from ...domain.permissions import Principal
from ...domain.sync import ConnectionState, SyncMode, sync_mode
from ...store import accounts as accounts_store
from ...store.sync_state import ParkedObject, sync_overview


@dataclass(frozen=True)
class SyncStatusView:
    connected: bool
    realm_id: str | None
    sync_mode: SyncMode
    pending: int
    last_push_at: str | None
    last_pull_at: str | None
    cdc_watermark: str | None
    errors: list[ParkedObject]


def sync_status(principal: Principal) -> SyncStatusView:
    """Any user of the account reads the panel; parked credits are listed only to those who may see credits.

    Two reads: the account item, and one paged Query of the account's pending index (gsi4).
    """
    account = accounts_store.get_account(principal.account_id)
    settings = accounts_store.settings_of(account)
    connection = accounts_store.connection_of(account)
    overview = sync_overview(principal.account_id)
    errors = [e for e in overview.parked if e.kind != "credit" or principal.sees_credits]
    return SyncStatusView(
        connected=connection is ConnectionState.CONNECTED,
        realm_id=account.qbo_realm_id if connection is not ConnectionState.NONE else None,
        sync_mode=sync_mode(settings.qbo_credit_sync, connection), pending=overview.pending,
        last_push_at=account.qbo_last_push_at, last_pull_at=account.qbo_last_pull_at,
        cdc_watermark=account.qbo_cdc_watermark, errors=errors)
