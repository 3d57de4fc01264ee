"""The QBO status panel (DESIGN §4): connection, sync mode, what waits for a push, and what QBO refused."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...domain.permissions import Principal
from ...domain.sync import ConnectionState, drift_text
from ...domain.sync_modes import SyncMode, sync_mode, synced_kinds
from ...store import accounts as accounts_store
from ...store import dead_letters
from ...store.account_items import invoices_paid_by_credits
from ...store.inbound import drifts
from ...store.ledger import Ledger
from ...store.models import DriftItem
from ...store.sync_state import ParkedObject, sync_overview
from .record import KINDS, repository

DRIFT_CODE = "qbo_drift"  # an accountant's change to a document we own (DESIGN §7): listed until a repair pushes ours


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
    dead_letters: list[dict]
    note: str | None = None  # what the mode leaves out, in words (one-way: credits stay here)
    invoices_open_for_credits: int = 0  # one-way: invoices whose part paid by credits is still open in QBO


def sync_status(principal: Principal) -> SyncStatusView:
    """Any user of the account reads the panel; parked credits are listed only to those who may see credits.

    Three reads: the account item, one paged Query of the account's pending index (gsi4), one of its drift (and
    a credit use's payment per drifted use).
    """
    account = accounts_store.get_account(principal.account_id)
    settings = accounts_store.settings_of(account)
    connection = accounts_store.connection_of(account)
    mode = sync_mode(settings.qbo_credit_sync, connection)
    overview = sync_overview(principal.account_id, kinds=synced_kinds(settings.qbo_credit_sync, connection))
    book = Ledger.reading(principal.account_id)
    drifted = [_drift_row(book, d) for d in drifts(principal.account_id)
               if d.kind not in ("credit", "use") or principal.sees_credits]
    errors = [_numbered(book, e) for e in overview.parked if e.kind not in ("credit", "use") or principal.sees_credits]
    errors += drifted
    return SyncStatusView(
        connected=connection is ConnectionState.CONNECTED,
        realm_id=account.qbo_realm_id if connection is not ConnectionState.NONE else None,
        sync_mode=mode, pending=overview.pending,
        last_push_at=account.qbo_last_push_at, last_pull_at=account.qbo_last_pull_at,
        cdc_watermark=account.qbo_cdc_watermark, errors=errors, dead_letters=dead_letters.entries(account),
        **(_one_way_view(principal) if mode is SyncMode.ONE_WAY else {}))


def _numbered(book: Ledger, error: ParkedObject) -> ParkedObject:
    """A credit use has no number of its own: its line names the payment that made it (one read per such line)."""
    if error.kind != "use" or error.number:
        return error
    use = book.uses.find(error.object_id)
    payment = book.payments.find(use.payment_id) if use is not None else None
    return replace(error, number=payment.number) if payment is not None else error


def _one_way_view(principal: Principal) -> dict:
    """What one-way sync leaves out: credits and their uses stay here, so each invoice partly paid by credits shows
    that part open in QBO (switching two-way credit sync on, a staff action, pushes them)."""
    open_for_credits = invoices_paid_by_credits(principal.account_id) if principal.sees_credits else 0
    return {"note": "one-way sync: customers, invoices and payments go to QuickBooks; credits and their uses stay "
                    "here (nothing is read back). Staff switch two-way credit sync on to push them.",
            "invoices_open_for_credits": open_for_credits}


def _drift_row(book: Ledger, drift: DriftItem) -> ParkedObject:
    """A drift as the panel lists it: the object it concerns, with its number (a credit use's is the payment that
    made it)."""
    kind, object_id, what = drift.kind, drift.object_id, ""
    if kind == "use":
        use = book.uses.find(object_id)
        payment = book.payments.find(use.payment_id) if use is not None else None
        if payment is not None:
            kind, object_id, what = "payment", payment.id, "the credit use's "
    found = repository(book, kind).find(object_id) if kind in KINDS else None
    number = getattr(found, "number", None) or getattr(found, "name", None)
    return ParkedObject(kind, object_id, number, DRIFT_CODE,
                        drift_text(drift.qbo_type, drift.qbo_id, drift.ours, drift.theirs, what), drift.at, 0)
