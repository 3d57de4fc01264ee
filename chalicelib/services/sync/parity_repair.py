"""Repair of parity differences (`POST /qbo/parity/repair`), by ownership (DESIGN §7).

- ours (`push_ours`): each object is marked pending and pushed through the sync engine (services.sync.retry, the
  status panel's retry), so it goes out from its current state exactly as any change would;
- `recreate`: QBO cannot un-void, so the object forgets the voided document and is pushed as a new one;
- `relink`: the object lost its QBO id but a document carries its marker: that document becomes its own again;
- theirs (`accept_qbo`, `import`): the inbound sync's own use case reads the document again and our credit follows
  it (or is imported);
- `delete_in_qbo`: a second document of ours is deleted;
- `manual`: refused, with the reason the difference carries.

Idempotent: what is already equal is no difference any more, so a second repair finds nothing to do (and a replayed
Idempotency-Key answers the first response). Drift recorded for an object whose document was pushed again is
dropped: ours is what QBO shows now.
"""
from __future__ import annotations

import logging

from ...domain import sync_kinds
from ...domain.errors import Conflict
from ...domain.permissions import Principal
from ...ports.qbo import ClientFactory, QboApi
from ...qbo.errors import QboAuthError, QboError, QboNotFoundError, QboTransientError
from ...qbo.requestids import make_request_id
from ...store import jobs as job_store
from ...store.ledger import Ledger
from ...store.uow import UnitOfWork, claim_applied_key, run_in_transaction
from . import parity
from .imports import ImportContext, apply_change
from .parity_check import check, client_for, difference_view, ledger_size
from .record import record, repository
from .retry import SyncOff, retry_object

logger = logging.getLogger(__name__)
PUSH_ORDER = {name: n for n, name in enumerate(sync_kinds.push_order())}


class NotRepairable(Conflict):
    """A chosen difference cannot be repaired automatically (its `repair.why` says why); nothing was changed."""

    code = "parity_not_repairable"


class NotChecked(Conflict):
    """A large account is repaired from its last background check: there is none finished yet."""

    code = "parity_not_checked"


def repair(principal: Principal, ids: list[str] | None, *,
           client_factory: ClientFactory | None = None) -> dict:
    """Repair the chosen differences (None: all of them) and answer what was done, refused, failed, already gone."""
    parity.require_connected(principal)
    if not principal.qbo_sync:
        raise SyncOff("QuickBooks sync is off for this account: nothing would push our side")
    account_id = principal.account_id
    large = ledger_size(account_id) > parity.sync_limit()
    try:
        differences = _current(account_id, large, client_factory)
    except (QboTransientError, QboAuthError) as error:
        raise parity.QboUnavailable(f"QuickBooks could not be read now ({error}); nothing was changed") from error
    by_id = {d["id"]: d for d in differences}
    chosen = differences if ids is None else [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
    resolved = [] if ids is None else [i for i in dict.fromkeys(ids) if i not in by_id]
    manual = [d for d in chosen if not d["repair"]["automatic"]]
    if ids is not None and manual:
        raise NotRepairable("some chosen differences cannot be repaired automatically; nothing was changed",
                            details={"differences": [{"id": d["id"], "kind": d["kind"], "why": d["repair"]["why"]}
                                                     for d in manual]})
    work = [d for d in chosen if d["repair"]["automatic"]]
    release = claim_applied_key(account_id)  # many transactions follow: the key is marked applied once, here
    try:
        return _repair(principal, work, manual, resolved, large, client_factory)
    finally:
        release()


def _repair(principal: Principal, work: list[dict], manual: list[dict], resolved: list[str], large: bool,
            client_factory: ClientFactory | None) -> dict:
    account_id = principal.account_id
    client = client_for(account_id, client_factory)
    failed: dict[str, str] = {}
    _accept(principal, client, [d for d in work if d["repair"]["action"] in ("accept_qbo", "import")], failed)
    _forget_voided(account_id, [d for d in work if d["repair"]["action"] == "recreate"])
    _relink(account_id, [d for d in work if d["repair"]["action"] == "relink"])
    pushed = _push(principal, [d for d in work if d["repair"]["action"] in ("push_ours", "recreate", "relink")],
                   failed, client_factory)
    _delete_duplicates(client, [d for d in work if d["repair"]["action"] == "delete_in_qbo"], failed)
    if large:
        job_store.save_parity_report(account_id, job_id=None, status=job_store.DONE)  # stale: GET checks again
    answer = {"repaired": [d["id"] for d in work if d["id"] not in failed],
              "refused": [{"id": d["id"], "kind": d["kind"], "why": d["repair"]["why"]} for d in manual],
              "failed": [{"id": i, "message": m} for i, m in failed.items()], "already_resolved": resolved,
              "pushed": [list(t) for t in pushed]}
    if not large:
        try:
            left = check(account_id, client).differences
        except (QboTransientError, QboAuthError):
            answer["remaining"] = None  # repaired, but QuickBooks could not be read again now
        else:
            answer["remaining"] = len(left)
            _unclaim(answer, {d["id"]: d for d in map(difference_view, left)})
    return answer


def _unclaim(answer: dict, left: dict[str, dict]) -> None:
    """A difference the check still finds after its repair was not repaired: it is reported failed, never repaired."""
    for difference_id in [i for i in answer["repaired"] if i in left]:
        d = left[difference_id]
        answer["repaired"].remove(difference_id)
        answer["failed"].append({"id": difference_id, "message": f"{d['kind']} is still there after the repair "
                                                                  f"(ours {d['ours']}, QuickBooks {d['theirs']})"})
        logger.warning("parity repair left difference %s (%s) unchanged", difference_id, d["kind"])


def _current(account_id: str, large: bool, client_factory: ClientFactory | None) -> list[dict]:
    """The differences to repair: checked now (small account), or the last background report (large one)."""
    if not large:
        report = check(account_id, client_for(account_id, client_factory))
        return [difference_view(d) for d in report.differences]
    stored = job_store.parity_report(account_id)
    if stored is None or stored.status != job_store.DONE or not stored.report:
        raise NotChecked("this account is checked in the background: GET /qbo/parity, wait for its report, then "
                         "repair")
    return list(stored.report["differences"])


def _accept(principal: Principal, client: QboApi, chosen: list[dict], failed: dict[str, str]) -> None:
    """QBO's side wins: the inbound sync reads the document again (our stored SyncToken is dropped first, so it is
    not taken for an echo) and the credit or payment here follows it, or it is imported."""
    ctx = ImportContext(principal.account_id, client)
    for d in chosen:
        entity, qbo_id = d["qbo_type"], d["qbo_id"]
        try:
            try:
                doc = client.read(entity, qbo_id)
            except QboNotFoundError:
                doc = {"Id": qbo_id, "status": "Deleted"}
            for kind, object_id in (tuple(t) for t in d["repair"]["targets"]):
                if kind in ("credit", "payment"):
                    record(principal.account_id, kind, object_id, lambda s: setattr(s, "sync_token", None))
            outcome = apply_change(ctx, entity, doc)
            if outcome == "refused":
                failed[d["id"]] = "our ledger refused QuickBooks' version (see the object's sync error)"
        except QboError as error:
            failed[d["id"]] = str(error)


def _forget_voided(account_id: str, chosen: list[dict]) -> None:
    """The voided document stays voided in QBO; the object forgets it so its next push creates a new one."""
    for d in chosen:
        kind, object_id = d["object_type"], d["object_id"]

        def forget(uow: UnitOfWork, kind: str = kind, object_id: str = object_id) -> None:
            state = repository(Ledger(uow), kind).get(object_id).sync
            if state.qbo_id == d["qbo_id"]:
                state.qbo_id = state.sync_token = None
                state.attempts = 0
                # a new version: the new document's create gets a requestid of its own, even when another object's
                # push reaches it first (QBO answers a repeated requestid with its first answer: the voided document)
                state.retry()

        run_in_transaction(account_id, forget)


def _relink(account_id: str, chosen: list[dict]) -> None:
    """The object takes the document carrying its marker as its own again (no SyncToken: the push reads it fresh)."""
    for d in chosen:
        kind, object_id = d["object_type"], d["object_id"]

        def relink(uow: UnitOfWork, kind: str = kind, object_id: str = object_id, qbo_id: str = d["qbo_id"]) -> None:
            state = repository(Ledger(uow), kind).get(object_id).sync
            if state.qbo_id is None:
                state.qbo_id, state.sync_token = qbo_id, None

        run_in_transaction(account_id, relink)


def _push(principal: Principal, chosen: list[dict], failed: dict[str, str],
          client_factory: ClientFactory | None) -> list[tuple[str, str]]:
    """Each target once, dependencies' order first (customer, invoice, credit, payment, use)."""
    targets: dict[tuple[str, str], list[str]] = {}
    for d in chosen:
        for target in (tuple(t) for t in d["repair"]["targets"]):
            targets.setdefault(target, []).append(d["id"])
    done = []
    for kind, object_id in sorted(targets, key=lambda t: (PUSH_ORDER.get(t[0], 9), t[1])):
        outcome = retry_object(principal, kind, object_id, client_factory=client_factory)
        if outcome.outcome != "pushed":
            for difference_id in targets[(kind, object_id)]:
                failed[difference_id] = f"{kind} {object_id}: {outcome.outcome}: {outcome.message or ''}".strip()
            continue
        done.append((kind, object_id))  # a drift it had is forgotten by the retry: ours is what QBO shows now
    return done


def _delete_duplicates(client: QboApi, chosen: list[dict], failed: dict[str, str]) -> None:
    for d in chosen:
        entity, qbo_id = d["qbo_type"], d["qbo_id"]
        try:
            current = client.read(entity, qbo_id)
            client.delete(entity, qbo_id, current["SyncToken"], make_request_id("delete", "parity", entity, qbo_id))
        except QboNotFoundError:
            pass
        except QboError as error:
            failed[d["id"]] = str(error)
