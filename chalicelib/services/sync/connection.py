"""Connection lifecycle use cases (issue 11): connect through Intuit's consent, soft and hard disconnect, and the
staff's mass re-sync. Rules in chalicelib/domain/connection.py; OAuth pieces in chalicelib/qbo/consent.py."""
from __future__ import annotations

import logging

from ...domain import connection as rules
from ...domain.connection import Connection, DisconnectMode, NotConnected
from ...domain.errors import Conflict, InvalidInput, NotFound, Unavailable
from ...domain.permissions import Permission, Principal
from ...domain.sync import ConnectionState
from ...domain.sync_modes import synced_kinds
from ...ports import queue
from ...qbo import consent
from ...store import account_items, oauth_states
from ...store import accounts as accounts_store
from ...store import jobs as job_store
from ...store import qbo_connections as connections
from ...store.account_items import PREFIX_BY_KIND
from ...store.ids import new_id
from . import dead_letters, jobs

logger = logging.getLogger(__name__)


class InvalidConsentState(InvalidInput):
    """The callback's `state` is forged, expired, already used, or names a user who may no longer connect."""

    code = "invalid_state"


class RealmUnverified(InvalidInput):
    """The exchanged token does not open the company the callback named: nothing is stored."""

    code = "realm_unverified"


class QboUnreachable(Unavailable):
    """QuickBooks could not be asked during the callback: nothing is stored, the user connects again."""

    code = "qbo_unavailable"


class RevokeFailed(RuntimeError):
    """Intuit did not confirm a revocation yet (the queue message comes back for another try)."""


WRITE_ATTEMPTS = 8  # a connect or disconnect re-read and re-decided when the connection changed meanwhile


def _connection(account) -> Connection:
    return Connection(accounts_store.connection_of(account), account.qbo_realm_id)


def start_connect(principal: Principal) -> dict:
    """Intuit's consent URL for this account and user (`manage_integration`)."""
    principal.require(Permission.MANAGE_INTEGRATION)
    state = consent.sign_state(principal.account_id, principal.user_id, new_id(), staff=principal.staff)
    return {"authorization_url": consent.authorization_url(state)}


def complete_connect(*, code: str | None, state: str | None, realm_id: str | None) -> dict:
    """The consent redirect: check `state` (once) and the realm rules, exchange the code, prove the token opens the
    realm, then store the tokens, the account's connection and the realm mapping in one transaction.

    Nothing is stored for a bad state, a refused realm or a token that does not open it; tokens obtained for a
    connection that is then refused are revoked."""
    claims = _consent_claims(state)
    if not code or not realm_id:
        raise InvalidInput("the callback needs code and realmId")
    account = _connecting_account(claims)
    target = rules.connect(_connection(account), realm_id)
    _require_realm_free(realm_id, claims.account_id)
    try:
        tokens = consent.exchange(code, realm_id)
    except consent.CodeRefused as error:
        raise InvalidInput(f"QuickBooks refused the authorization code ({error}); start again from Connect",
                           code="code_refused") from None
    _verify_realm(tokens, realm_id)
    try:
        _establish(claims.account_id, account, target, tokens)
    except Exception:
        _revoke_unused(tokens, realm_id)
        raise
    logger.info("account %s connected to QBO company %s", claims.account_id, realm_id)
    _push_now(claims.account_id)
    return {"connected": True, "account_id": claims.account_id, "realm_id": realm_id}


def _push_now(account_id: str) -> None:
    """Hand the account's pending work (changes made while softly disconnected) to the worker at once, instead of
    at the sweeper's next pass; a refused send is logged: the sweeper still finds it."""
    try:
        queue.send([queue.Hint(queue.PUSH, account_id, f"connected#{new_id()}")])
    except Exception as error:  # noqa: BLE001 - the connection stands; the pending index keeps it for the sweeper
        logger.warning("the push hint after connecting account %s could not be queued (%r): the sweeper sends it",
                       account_id, error)


def _consent_claims(state: str | None) -> consent.ConsentState:
    try:
        return consent.read_state(state or "")
    except consent.InvalidState as error:
        raise InvalidConsentState(f"the connect link is not valid ({error}); start again from Connect") from None


def _connecting_account(claims: consent.ConsentState):
    """The account of a state still held by a user who may connect; the state's nonce is spent here, once."""
    membership = accounts_store.load_membership(claims.account_id, claims.user_id)
    if membership is None or not (claims.staff or Permission.MANAGE_INTEGRATION in membership.permissions):
        raise InvalidConsentState("the user who started this connection may no longer connect QuickBooks")
    try:
        oauth_states.use_once(claims.account_id, claims.nonce, claims.user_id, claims.expires_at)
    except oauth_states.StateAlreadyUsed:
        raise InvalidConsentState("this connect link was already used; start again from Connect") from None
    return membership.account


def _require_realm_free(realm_id: str, account_id: str) -> None:
    """One company, one account: refused before the code is exchanged, so the other account's grant is untouched."""
    holder = connections.realm_holder(realm_id)
    if holder is not None and holder != account_id:
        raise connections.RealmInUse("this QuickBooks company is connected to another account; it must be "
                                     "hard-disconnected there first", details={"realm_id": realm_id})


def _verify_realm(tokens: consent.ExchangedTokens, realm_id: str) -> None:
    try:
        opened = consent.opens_realm(tokens, realm_id)
    except consent.QboUnreachable as error:
        _revoke_unused(tokens, realm_id)
        raise QboUnreachable(f"QuickBooks could not be reached to confirm the company ({error}); nothing was "
                             "connected, start again from Connect") from None
    if not opened:
        _revoke_unused(tokens, realm_id)
        raise RealmUnverified("QuickBooks did not confirm that this authorization opens company "
                              f"{realm_id}; nothing was connected", details={"realm_id": realm_id})


def _establish(account_id: str, account, target: Connection, tokens: consent.ExchangedTokens) -> None:
    """The transaction, re-read and re-decided when the connection changed between the read and the write."""
    new = connections.NewTokens(tokens.access_token, tokens.refresh_token, tokens.access_expires_at)
    for attempt in range(WRITE_ATTEMPTS):
        try:
            connections.establish(account, target, new)
            return
        except connections.ConnectionChanged:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
        account = accounts_store.get_account(account_id)
        target = rules.connect(_connection(account), target.realm_id)


def _revoke_unused(tokens: consent.ExchangedTokens, realm_id: str) -> None:
    if not consent.revoke(tokens.refresh_token, realm_id=realm_id):
        logger.warning("QBO tokens of a refused connection could not be revoked; they were never stored")


def disconnect(principal: Principal, mode: DisconnectMode) -> dict:
    """Soft: drop the tokens, keep every QB ID and the realm mapping (reconnect to the same company only). Hard: drop
    the tokens and the mapping and start the job that clears every QB ID, sync status and watermark. A running mass
    re-sync is stopped first (a soft disconnect lets the two-way switch's job mark the rest of its credits). The
    state change, the token removal (and the hard job) commit together; the tokens are revoked at Intuit after the
    commit, and a revoke that fails is retried from the queue."""
    principal.require_staff("only support staff disconnect QuickBooks")
    stopped = None
    for attempt in range(WRITE_ATTEMPTS):
        account = accounts_store.get_account(principal.account_id)
        current = _connection(account)
        target = rules.disconnect(current, mode)
        running = job_store.active(principal.account_id)
        if running is not None and running.kind == jobs.HARD_DISCONNECT:
            raise rules.LifecycleBusy("a hard disconnect is already clearing this account",
                                      details={"job_id": running.job_id})
        if mode is DisconnectMode.HARD or running is None or running.kind != jobs.CREDIT_SYNC:
            # the switch's job only marks credits pending while softly disconnected (they go on reconnecting):
            # stopping it would leave the rest out of QBO for good, with two-way already on
            stopped = job_store.stop_running(principal.account_id, "disconnected") or stopped
        job = None
        if mode is DisconnectMode.HARD:
            job = job_store.new(principal.account_id, jobs.HARD_DISCONNECT, realm_id=current.realm_id,
                                total=account_items.count(principal.account_id))
        try:
            pending = connections.disconnect(account, target, job)
            break
        except connections.ConnectionChanged:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    logger.info("account %s disconnected from QBO (%s)", principal.account_id, mode.value)
    revoked = revoke_dropped(pending)
    if job is not None:
        jobs.queue_first_step(job)
    return {"mode": mode.value, "state": target.state.value, "realm_id": target.realm_id, "tokens_revoked": revoked,
            "stopped_job_id": stopped.id if stopped else None, "job": jobs.view(job) if job is not None else None}


def revoke_dropped(pending: connections.PendingRevocation | None) -> bool:
    """Revoke tokens a disconnect dropped; a failure is logged, kept and handed to the queue for another try."""
    if pending is None:
        return False
    if consent.revoke(pending.refresh_token, realm_id=pending.realm_id):
        connections.revoked(pending)
        return True
    logger.warning("QBO token revoke failed for account %s; kept and retried from the sync queue", pending.account_id)
    connections.revoke_failed(pending)
    try:
        queue.send([queue.Hint(queue.REVOKE, pending.account_id, pending.revocation_id)])
    except Exception:  # noqa: BLE001 - the revocation item stays; the next disconnect or sweep retries it
        logger.exception("the revoke retry of account %s could not be queued", pending.account_id)
    return False


def retry_revocations(account_id: str) -> int:
    """The queue's revoke hint: revoke what this account's disconnects dropped; raises while Intuit still refuses,
    so the message comes back (and ends in the dead-letter queue, on the status panel, if it never succeeds)."""
    left = 0
    for pending in connections.pending_revocations(account_id):
        if consent.revoke(pending.refresh_token, realm_id=pending.realm_id):
            connections.revoked(pending)
        else:
            connections.revoke_failed(pending)
            left += 1
    if left:
        raise RevokeFailed(f"{left} dropped QBO token(s) of account {account_id} are not revoked yet")
    dead_letters.cleared(account_id, "revoke", account_id)
    return left


def start_resync(principal: Principal) -> dict:
    """Queue a mass re-sync to the connected company (one at a time per account: 409 while one runs)."""
    principal.require_staff("only support staff start a mass re-sync")
    account = accounts_store.get_account(principal.account_id)
    current = _connection(account)
    if current.state is not ConnectionState.CONNECTED:
        raise NotConnected("connect the account to QuickBooks before a mass re-sync",
                           details={"state": current.state.value})
    kinds = synced_kinds(bool(account.qbo_credit_sync), current.state)  # one-way: customers, invoices, payments
    total = sum(account_items.count(principal.account_id, PREFIX_BY_KIND[kind] + "#") for kind in sorted(kinds))
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
