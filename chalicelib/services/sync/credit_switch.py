"""Switching two-way credit sync on for a one-way account (staff, guide: "Enable and confirm the two-way sync"): the
retroactive push, applied to credits. A job with progress (services/sync/credit_push.py) pushes what
two-way adds, every credit and its uses, so each invoice paid by credits closes in QBO; the CDC watermark starts at
the switch, so only the accountant's later CreditMemos import. Switching it off again goes back to one-way: nothing is
deleted in QBO and later credit changes stay here.
"""
from __future__ import annotations

from ...domain.connection import LifecycleBusy
from ...domain.permissions import Principal
from ...domain.settings import AccountSettings
from ...domain.sync import ConnectionState
from ...store import account_items
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store.models import JobItem
from .. import accounts
from . import jobs


def start(account_id: str, realm_id: str | None) -> JobItem:
    """The switch's job, in the account's job slot (409 `job_running` while another one holds it)."""
    return jobs.start(account_id, jobs.CREDIT_SYNC, realm_id=realm_id,
                      total=account_items.count(account_id, "CREDIT#") + account_items.count(account_id, "USE#"))


def change_settings(principal: Principal, changes: dict) -> tuple[AccountSettings, dict | None]:
    """`PATCH /settings`: the settings change, and when it switches two-way credit sync on for an account that keeps
    a company (connected, or softly disconnected: its marks then wait for the reconnect), the job that pushes its
    credits (checked first: one job at a time per account, so a running one refuses the switch before anything
    changes). The CDC watermark starts at the switch in the same transaction."""
    account = accounts_store.get_account(principal.account_id)
    before = accounts_store.settings_of(account)
    switching_on = bool(changes.get("qbo_credit_sync")) and not before.qbo_credit_sync
    keeps_company = accounts_store.connection_of(account) is not ConnectionState.NONE
    if switching_on and keeps_company and job_store.active(principal.account_id):
        raise LifecycleBusy("a QuickBooks job of this account is running: switch two-way credit sync on once it is "
                            "done", details={"job_id": job_store.active(principal.account_id).job_id})
    settings = accounts.update_settings(principal, changes, cdc_from_now=switching_on and keeps_company)
    if not (switching_on and keeps_company):
        return settings, None
    return settings, jobs.view(start(principal.account_id, account.qbo_realm_id))
