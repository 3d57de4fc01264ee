"""Our own documents read back unchanged, recognised with a few batch reads instead of a transaction each.

A change read repeats 5 minutes of overlap, so most of what a pull reads is what our push wrote (its echo). Judging
one document takes a transaction of its own (`imports._judge_own`: about 2.25 DynamoDB requests). A document whose
marker names an object of ours that records the document's QBO id and SyncToken, and whose mapping is written, gets
the judge's answer without one: an echo, nothing to write. Everything else is judged as before.

The reads are eventually consistent (half the read units): a read a moment old can only miss a mapping or show an
older SyncToken, and then the document is judged as before; a SyncToken we recorded is a version we pushed, so
seeing it equal to the document's proves an echo even if a newer push has since recorded another (the judge would
then call the document stale: nothing to write either way).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...qbo import inbound as docs
from ...store.inbound import QboMaps, map_id
from ...store.ledger import Ledger
from ...store.uow import UnitOfWork
from .imports import OWN_KINDS, judged_as_own
from .record import OWN_PREFIX


@dataclass(frozen=True)
class _Candidate:
    entity: str
    qbo_id: str
    kind: str
    object_id: str  # the marker's (a use's marker is its id alone: its key is in the mapping)
    sync_token: str


def plain_echoes(account_id: str, changes: dict[str, list[dict]]) -> set[tuple[str, str]]:
    """(entity, QBO id) of the documents read that are plain echoes of ours: two batch reads for a whole pull."""
    candidates = [c for entity, rows in changes.items() for doc in rows if (c := _candidate(entity, doc))]
    if not candidates:
        return set()
    book = Ledger(UnitOfWork(account_id))
    maps = QboMaps(book.uow)
    book.load(*(maps.key(map_id(c.entity, c.qbo_id)) for c in candidates),
              *(getattr(book, OWN_KINDS[c.kind]).key(c.object_id) for c in candidates if c.kind != "use"),
              consistent=False)
    mapped = {c: maps.find(map_id(c.entity, c.qbo_id)) for c in candidates}
    uses = {c: m.object_id for c, m in mapped.items() if m is not None and c.kind == "use"}
    book.load(*(book.uses.key(key) for key in uses.values()), consistent=False)
    echoes = set()
    for candidate, mapping in mapped.items():
        if mapping is None or mapping.object_type != OWN_PREFIX + candidate.kind:
            continue
        if candidate.kind == "use" and candidate.object_id in (mapping.object_id, mapping.object_id.split("#")[-1]):
            mine = book.uses.find(mapping.object_id)
        elif candidate.kind != "use" and mapping.object_id == candidate.object_id:
            mine = getattr(book, OWN_KINDS[candidate.kind]).find(candidate.object_id)
        else:
            continue
        if mine is not None and (mine.sync.qbo_id, mine.sync.sync_token) == (candidate.qbo_id, candidate.sync_token):
            echoes.add((candidate.entity, candidate.qbo_id))
    return echoes


def _candidate(entity: str, doc: dict) -> _Candidate | None:
    """A live document carrying our marker, of a kind judged as our own; gone and voided ones are always judged."""
    marker = docs.ours(doc)
    if marker is None or "Id" not in doc or docs.is_gone(doc) or docs.is_voided_payment(doc):
        return None
    kind, object_id = marker
    if not (entity == "Payment" if kind == "use" else judged_as_own(kind, entity)):
        return None
    return _Candidate(entity, str(doc["Id"]), kind, object_id, str(doc.get("SyncToken", "")))
