"""Connection lifecycle use cases (issue 11): connect through Intuit's consent, soft and hard disconnect, and the
staff's mass re-sync. Rules in chalicelib/domain/connection.py; OAuth pieces in chalicelib/qbo/consent.py."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from ...domain import connection as rules
from ...domain.connection import Connection, DisconnectMode, NotConnected
from ...domain.errors import Conflict, InvalidInput, NotFound
from ...domain.permissions import Permission, Principal
from ...domain.sync import ConnectionState
from ...qbo import consent
from ...store import account_items, accounts as accounts_store
from ...store import jobs as job_store
from ...store import oauth_states
from ...store.ids import new_id
from ...store.qbo_connections import DynamoTokenStore, establish, set_state
from . import jobs

logger = logging.getLogger(__name__)


class InvalidConsentState(InvalidInput):
    """The callback's `state` is forged, expired, already used, or names a user who may no longer connect."""

    code = "invalid_state"


class SyncOff(Conflict):
    code = "qbo_sync_off"


def _connection(account) -> Connection:
    return Connection(accounts_store.connection_of(account), account.qbo_realm_id)


def start_connect(principal: Principal) -> dict:
    """Intuit's consent URL for this account and user (`manage_integration`)."""
    principal.require(Permission.MANAGE_INTEGRATION)
    state = consent.sign_state(principal.account_id, principal.user_id, new_id(), staff=principal.staff)
    return {"authorization_url": consent.authorization_url(state)}


def complete_connect(*, code: str | None, state: str | None, realm_id: str | None) -> dict:
    """The consent redirect: check `state` (once), then the realm rule, then exchange the code and store the tokens
    and the account's connection in one transaction. Nothing is stored for a bad state or a refused realm."""
    try:
        claims = consent.read_state(state or "")
    except consent.InvalidState as error:
        raise InvalidConsentState(f"the connect link is not valid ({error}); start again from Connect") from None
    if not code or not realm_id:
        raise InvalidInput("the callback needs code and realmId")
    membership = accounts_store.load_membership(claims.account_id, claims.user_id)
    if membership is None or not (claims.staff or Permission.MANAGE_INTEGRATION in membership.permissions):
        raise InvalidConsentState("the user who started this connection may no longer connect QuickBooks")
    try:
        oauth_states.use_once(claims.account_id, claims.nonce, claims.user_id, claims.expires_at)
    except oauth_states.StateAlreadyUsed:
        raise InvalidConsentState("this connect link was already used; start again from Connect") from None
    account = membership.account
    target = rules.connect(_connection(account), realm_id)
    try:
        auth = consent.exchange_code(code, realm_id)
    except consent.CodeRefused as error:
        raise InvalidInput(f"QuickBooks refused the authorization code ({error}); start again from Connect",
                           code="code_refused") from None
    establish(account, target, auth.access_token, auth.refresh_token,
              datetime.now(timezone.utc) + timedelta(seconds=int(auth.expires_in or 3600)))
    return {"connected": True, "account_id": claims.account_id, "realm_id": realm_id}


def disconnect(principal: Principal, mode: DisconnectMode) -> dict:
    """Soft: revoke and drop the tokens, keep every QB ID (reconnect to the same company only). Hard: the same, then
    a job clears every QB ID, mapping, sync status and watermark. A running mass re-sync is stopped first."""
    principal.require_staff("only support staff disconnect QuickBooks")
    account = accounts_store.get_account(principal.account_id)
    current = _connection(account)
    target = rules.disconnect(current, mode)
    running = job_store.active(principal.account_id)
    if running is not None and running.kind == jobs.HARD_DISCONNECT:
        raise rules.LifecycleBusy("a hard disconnect is already clearing this account",
                                  details={"job_id": running.job_id})
    stopped = job_store.stop_running(principal.account_id, "disconnected")
    revoked = _drop_tokens(principal.account_id)
    set_state(account, target)
    answer: dict = {"mode": mode.value, "state": target.state.value, "realm_id": target.realm_id,
                    "tokens_revoked": revoked, "stopped_job_id": stopped.id if stopped else None, "job": None}
    if mode is DisconnectMode.HARD:
        job = jobs.start(principal.account_id, jobs.HARD_DISCONNECT, realm_id=current.realm_id,
                         total=account_items.count(principal.account_id))
        answer["job"] = jobs.view(job)
    return answer


def _drop_tokens(account_id: str) -> bool:
    """Revoke at Intuit (best effort: a refused or unreachable revoke still drops them here) and delete."""
    store = DynamoTokenStore()
    stored = store.get(account_id)
    if stored is None:
        return False
    revoked = consent.revoke(stored.refresh_token)
    if not revoked:
        logger.warning("QBO token revoke failed for account %s; tokens dropped anyway", account_id)
    store.drop(account_id)
    return revoked


def start_resync(principal: Principal) -> dict:
    """Queue a mass re-sync to the connected company (one at a time per account: 409 while one runs)."""
    principal.require_staff("only support staff start a mass re-sync")
    account = accounts_store.get_account(principal.account_id)
    current = _connection(account)
    if current.state is not ConnectionState.CONNECTED:
        raise NotConnected("connect the account to QuickBooks before a mass re-sync",
                           details={"state": current.state.value})
    if not account.qbo_credit_sync:
        raise SyncOff("two-way sync (qbo_credit_sync) is off for this account")
    total = sum(account_items.count(principal.account_id, prefix + "#") for prefix in ("CUST", "INV", "PAY", "CREDIT", "USE"))
    return jobs.view(jobs.start(principal.account_id, jobs.RESYNC, realm_id=current.realm_id, total=total))


def get_resync(principal: Principal, job_id: str) -> dict:
    principal.require_staff("only support staff follow a mass re-sync")
    job = job_store.get(principal.account_id, job_id)
    if job.kind != jobs.RESYNC:
        raise NotFound("no such re-sync", details={"id": job_id})
    return jobs.view(job)


def get_job(principal: Principal, job_id: str) -> dict:
    """A hard disconnect's (or a re-sync's) progress."""
    principal.require_staff("only support staff follow QuickBooks jobs")
    return jobs.view(job_store.get(principal.account_id, job_id))


def resume_job(principal: Principal, job_id: str) -> dict:
    """Queue a running job's next step again (its message reached the dead-letter queue, or was lost): the step
    continues from the saved cursor, so an extra one is harmless."""
    principal.require_staff("only support staff resume QuickBooks jobs")
    job = job_store.get(principal.account_id, job_id)
    if job.status != job_store.RUNNING:
        raise Conflict("the job is not running", code="job_not_running", details={"status": job.status})
    jobs.send_hint(job)
    return jobs.view(job)
