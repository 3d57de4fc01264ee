"""Parity (DESIGN §5 money location, §7 ownership): where our ledger and the QBO company disagree, and what repairs
it.

Pure: both sides arrive as plain values in integer cents (the service reads them), nothing is read or written here.

- Every QBO credit source (a CreditMemo's RemainingCredit, a Payment's UnappliedAmt) must hold the sum of what our
  active credits keep there (`kept_in_sources`, from each credit's locations less what its uses drew).
- Every synced invoice's Balance is our balance; every payment of ours has our TotalAmt and PaymentRefNum.
- Every customer's available credit (its active credits' remaining) equals QBO's total of its sources. QBO's
  `Customer.Balance` is the open A/R balance (open invoices less unused credit), not the available credit, so the
  total is taken over the customer's CreditMemos and Payments instead.
- Documents on one side only: ours synced but missing, deleted or voided in QBO, or still there after we removed
  them; QBO documents carrying our marker that we do not know (or that duplicate one of ours); credit documents the
  accountant made that the inbound sync has not imported yet.
- Drift the inbound sync recorded (an accountant's change to a document we own) is a difference too.

Repair follows ownership: a document we created is pushed again from our ledger (the user asked for it, so this is
not a silent overwrite); a document the accountant made is followed (imported again); the rest needs a person.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable, Mapping, Sequence

from . import sync_kinds
from .locations import Location, LocationKind, held


class Kind(str, Enum):
    SOURCE = "credit_source"  # a CreditMemo's RemainingCredit / a Payment's UnappliedAmt vs what our credits keep
    INVOICE_BALANCE = "invoice_balance"
    PAYMENT_AMOUNT = "payment_amount"
    PAYMENT_REF = "payment_ref"
    CUSTOMER_CREDIT = "customer_credit"
    MISSING = "missing_in_qbo"  # ours should be there: never pushed, or deleted there
    UNLINKED = "unlinked"  # ours has no QBO id, but QBO holds a document with our marker for it
    VOIDED = "voided_in_qbo"  # ours is active, QBO shows its document voided
    EXTRA = "extra_in_qbo"  # we removed it (deleted, voided, canceled), QBO still holds it
    DUPLICATE = "duplicate_in_qbo"  # a second document carrying our marker
    UNKNOWN = "unknown_here"  # a document carrying our marker for an object this account does not have
    NOT_IMPORTED = "not_imported"  # the accountant's credit document, not imported yet
    DRIFT = "drift"  # recorded by the inbound sync


class Action(str, Enum):
    PUSH = "push_ours"  # mark pending and push from our ledger
    RECREATE = "recreate"  # QBO cannot un-void: forget the voided document, push a new one
    RELINK = "relink"  # take the document with our marker as ours again, then push ours onto it
    ACCEPT = "accept_qbo"  # an imported document: our credit follows QBO again
    IMPORT = "import"  # the accountant's new credit document: import it
    DELETE = "delete_in_qbo"  # our own duplicate
    FOLLOWS = "follows"  # a total: repairing the customer's other differences repairs it
    MANUAL = "manual"  # cannot be repaired automatically (why says why)


AUTOMATIC = frozenset(set(Action) - {Action.MANUAL})
CREDIT_KINDS = tuple(sync_kinds.TWO_WAY - sync_kinds.ONE_WAY)  # markers of documents only two-way sync keeps in QBO
Target = tuple[str, str]  # (object type, object id) a repair pushes


@dataclass(frozen=True)
class Repair:
    action: Action
    why: str
    targets: tuple[Target, ...] = ()

    @property
    def automatic(self) -> bool:
        return self.action in AUTOMATIC


@dataclass(frozen=True)
class Doc:
    """A QBO document as the check reads it: `open` is RemainingCredit (CreditMemo), UnappliedAmt (Payment) or
    Balance (Invoice); `marker` is (kind, id) when the document carries ours."""

    qbo_type: str
    qbo_id: str
    customer_ref: str | None
    total: int
    open: int
    ref_num: str | None = None
    voided: bool = False
    marker: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.qbo_type, self.qbo_id


@dataclass(frozen=True)
class Mine:
    """One object of ours that has (or must not have) a QBO document of its own.

    `owned`: we created the document (repair pushes ours) or imported it (repair follows QBO). `exists`: whether its
    document must exist now. `source`: what our credits keep in that document as a credit source (None: not a source).
    `total` / `ref_num`: the TotalAmt and PaymentRefNum we own (payments only); `balance`: an invoice's balance.
    `related`: what a repair of a derived figure (an invoice's balance) pushes besides the object itself.
    """

    object_type: str
    object_id: str
    customer_id: str
    qbo_type: str
    qbo_id: str | None
    owned: bool = True
    exists: bool = True
    source: int | None = None
    total: int | None = None
    ref_num: str | None = None
    balance: int | None = None
    marker_id: str | None = None
    related: tuple[Target, ...] = ()
    sync_status: str = "synced"

    @property
    def target(self) -> Target:
        return self.object_type, self.object_id


@dataclass(frozen=True)
class Drift:
    """An accountant's change to a document we own, as the inbound sync recorded it (`ours`/`theirs`: totals)."""

    object_type: str
    object_id: str
    qbo_type: str
    qbo_id: str
    ours: int | None
    theirs: int | None


@dataclass(frozen=True)
class Difference:
    kind: Kind
    object_type: str | None
    object_id: str | None
    qbo_type: str | None
    qbo_id: str | None
    ours: int | None
    theirs: int | None
    repair: Repair
    customer_id: str | None = None
    sync_status: str | None = None

    @property
    def id(self) -> str:
        """Stable while the difference lasts: the same objects and kind give the same id in the next check."""
        text = "|".join(str(part) for part in (self.kind.value, self.object_type, self.object_id, self.qbo_type,
                                               self.qbo_id))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Holding:
    """What one credit keeps in QBO: its locations less what its active uses drew; an imported credit also less
    what the accountant applied in QBO outside our ledger (`applied_in_qbo`, taken from its own document)."""

    credit_id: str
    active: bool
    locations: Sequence[Location]
    drawn: Sequence[Location]
    applied_in_qbo: int = 0


def available_by_customer(credits: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Each customer's available credit, from (customer id, remaining) of their credits: what QBO's credit sources
    for that customer must hold together."""
    available: dict[str, int] = defaultdict(int)
    for customer_id, remaining in credits:
        available[customer_id] += remaining
    return dict(available)


def kept_in_sources(holdings: Iterable[Holding]) -> dict[tuple[LocationKind, str], int]:
    """The DESIGN §5 rule: per QBO credit source, the sum of what our active credits keep there."""
    kept: dict[tuple[LocationKind, str], int] = defaultdict(int)
    for holding in holdings:
        if not holding.active:
            continue
        for key, amount in held(holding.locations, holding.drawn).items():
            kept[key] += amount
        if holding.applied_in_qbo:  # taken from its own document: a memo, or the accountant's Payment
            own = next((loc.key for loc in holding.locations if loc.owner_id == holding.credit_id),
                       (LocationKind.MEMO, holding.credit_id))
            kept[own] -= holding.applied_in_qbo
    return dict(kept)


def _push(why: str, *targets: Target) -> Repair:
    return Repair(Action.PUSH, why, tuple(targets))


def _fix_ours(mine: Mine, why: str) -> Repair:
    """Ours is pushed again; an imported document is followed instead (QBO owns it)."""
    if mine.owned:
        return _push(why, mine.target, *mine.related)
    return Repair(Action.ACCEPT, "QuickBooks owns this document (it was made there): our credit follows it again",
                  (mine.target,))


def _removed_import() -> Repair:
    """Removed here, but the document is the accountant's: following it cannot bring back what we removed, and a
    push never changes it, so only a person decides (void it in QuickBooks, or re-create the credit here)."""
    return Repair(Action.MANUAL, "we removed a credit imported from QuickBooks, which still holds its document: void "
                                 "or delete it in QuickBooks (our credit follows), or issue the balance again here")


def _voided_import() -> Repair:
    """The accountant voided the document a credit (or payment) here was imported from, and our ledger refused to
    follow: its money already pays invoices here (the status panel shows why). Only a person decides which side
    gives way."""
    return Repair(Action.MANUAL, "voided in QuickBooks, but what was imported from it still pays invoices here: void "
                                 "those payments (it then follows QuickBooks), or restore the document in QuickBooks")


def compare(mine: Sequence[Mine], docs: Mapping[tuple[str, str], Doc], *, available: Mapping[str, int],
            customer_refs: Mapping[str, str], imported: frozenset[tuple[str, str]] = frozenset(),
            drifts: Sequence[Drift] = (), two_way: bool = True) -> list[Difference]:
    """Every difference between our objects (`mine`) and the company's documents (`docs`, by (type, id); a deleted
    document is simply absent). `available`: our customers' available credit; `customer_refs`: our customer id →
    its QBO id; `imported`: QBO documents the inbound sync mapped to objects here. One-way (`two_way` False) compares
    only what one-way pushes: credit documents (ours from a two-way past, or the accountant's) and customer credit
    totals are not its business."""
    if not two_way:
        docs = {key: doc for key, doc in docs.items() if (doc.marker or ("",))[0] not in CREDIT_KINDS}
    index = _Index.of(mine, docs)
    out = [d for obj in sorted(mine, key=lambda m: (m.object_type, m.object_id)) for d in _object(obj, docs, index)]
    out += _sources(index, docs)
    out += _marked_elsewhere(index, docs)
    if two_way:
        out += _not_imported(index, docs, imported)
    out += _drifts(index, drifts)
    if two_way:
        out += _customer_totals(docs, available, customer_refs, out)
    return out


@dataclass
class _Index:
    """Our objects by the document they hold, by their marker and by (type, id); the live documents by marker."""

    by_doc: dict[tuple[str, str], list[Mine]]
    known_markers: dict[tuple[str, str], Mine]
    by_target: dict[Target, Mine]
    marked: dict[tuple[str, str], Doc]  # (kind, id) → a live document carrying that marker, lowest id first
    relinked: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, mine: Sequence[Mine], docs: Mapping[tuple[str, str], Doc]) -> "_Index":
        by_doc: dict[tuple[str, str], list[Mine]] = defaultdict(list)
        for obj in mine:
            if obj.qbo_id:
                by_doc[(obj.qbo_type, obj.qbo_id)].append(obj)
        marked = {doc.marker: doc for doc in sorted(docs.values(), key=lambda d: (len(d.qbo_id), d.qbo_id),
                                                      reverse=True) if doc.marker is not None and not doc.voided}
        return cls(by_doc, {(o.object_type, o.marker_id or o.object_id): o for o in mine},
                   {o.target: o for o in mine}, marked)


def _difference(kind: Kind, obj: Mine | None, doc: Doc | None, ours: int | None, theirs: int | None,
                repair: Repair) -> Difference:
    qbo_type, qbo_id = doc.key if doc else (obj.qbo_type, obj.qbo_id) if obj else (None, None)
    return Difference(kind, obj.object_type if obj else None, obj.object_id if obj else None, qbo_type, qbo_id, ours,
                      theirs, repair, obj.customer_id if obj else None, obj.sync_status if obj else None)


def _object(obj: Mine, docs: Mapping[tuple[str, str], Doc], index: _Index) -> list[Difference]:
    """One object against its own document: gone when it should be there or there when it should be gone, voided,
    lost and found by its marker, or there with other money (balance, TotalAmt) or another PaymentRefNum."""
    doc = docs.get((obj.qbo_type, obj.qbo_id)) if obj.qbo_id else None
    if not obj.exists:
        if doc is not None and not doc.voided and (doc.total or doc.open):
            return [_difference(Kind.EXTRA, obj, doc, 0, doc.total, _fix_ours(
                obj, "we removed it: QuickBooks must not hold it") if obj.owned else _removed_import())]
        return []
    found = index.marked.get((obj.object_type, obj.marker_id or obj.object_id)) if not obj.qbo_id else None
    amount = obj.total if obj.total is not None else obj.source
    if doc is None and found is not None and found.qbo_type == obj.qbo_type and obj.owned:
        index.relinked.add(found.key)
        return [_difference(Kind.UNLINKED, obj, found, amount, found.total, Repair(
            Action.RELINK, "we lost its QuickBooks id, but this document carries our marker: it becomes ours again "
                           "and is pushed from our ledger", (obj.target, *obj.related)))]
    if doc is None:
        why = "it never reached QuickBooks" if not obj.qbo_id else "its QuickBooks document was deleted"
        return [_difference(Kind.MISSING, obj, None, amount, None, _fix_ours(obj, f"{why}: push ours again"))]
    if doc.voided and not obj.owned:
        return [_difference(Kind.VOIDED, obj, doc, obj.source, doc.total, _voided_import())]
    if doc.voided and obj.object_type in ("payment", "invoice") and obj.owned:
        recreate = Repair(Action.RECREATE, "voided in QuickBooks, which cannot un-void: a new document is pushed and "
                                           "the voided one stays voided", (obj.target, *obj.related))
        return [_difference(Kind.VOIDED, obj, doc, obj.total if obj.total is not None else obj.balance, doc.total,
                            recreate)]
    return _money_of(obj, doc)


def _money_of(obj: Mine, doc: Doc) -> list[Difference]:
    out = []
    if obj.balance is not None and obj.balance != doc.open:
        out.append(_difference(Kind.INVOICE_BALANCE, obj, doc, obj.balance, doc.open, _fix_ours(
            obj, "the invoice and every payment and credit use linking it are pushed again")))
    if obj.total is not None and obj.owned and obj.total != doc.total:
        out.append(_difference(Kind.PAYMENT_AMOUNT, obj, doc, obj.total, doc.total,
                               _fix_ours(obj, "our tenders own TotalAmt")))
    if obj.ref_num is not None and obj.owned and obj.ref_num[:21] != (doc.ref_num or ""):
        out.append(_difference(Kind.PAYMENT_REF, obj, doc, None, None, _fix_ours(
            obj, f"PaymentRefNum must be our number {obj.ref_num[:21]} (QuickBooks shows {doc.ref_num!r})")))
    return out


def _sources(index: _Index, docs: Mapping[tuple[str, str], Doc]) -> list[Difference]:
    """Every QBO credit source holds what our credits keep there (DESIGN §5)."""
    out = []
    for key, holders in sorted(index.by_doc.items()):
        sources = [h for h in holders if h.source is not None and h.exists]
        doc = docs.get(key)
        if not sources or doc is None or doc.voided:
            continue
        expected = sum(h.source for h in sources)
        if expected != doc.open:
            first = sources[0]
            out.append(_difference(Kind.SOURCE, first, doc, expected, doc.open, _fix_ours(
                first, "what our credits keep in this QuickBooks credit source is pushed again")
                if all(h.owned for h in sources) else
                Repair(Action.ACCEPT, "an imported document: our credits follow QuickBooks",
                       tuple(h.target for h in sources))))
    return out


def _marked_elsewhere(index: _Index, docs: Mapping[tuple[str, str], Doc]) -> list[Difference]:
    """Documents carrying our marker that no object of ours holds: an object we do not have, or a second copy."""
    out = []
    for doc in sorted(docs.values(), key=lambda d: d.key):
        if doc.marker is None or doc.key in index.by_doc or doc.key in index.relinked:
            continue
        owner = index.known_markers.get(doc.marker)
        if owner is None:
            if doc.marker[0] in sync_kinds.MARKED and not doc.voided:
                out.append(Difference(Kind.UNKNOWN, doc.marker[0], doc.marker[1], doc.qbo_type, doc.qbo_id, None,
                                      doc.total, Repair(Action.MANUAL, "it carries our marker, but this account has no "
                                                        "such object: check which company or account made it")))
            continue
        if doc.voided or (doc.total == 0 and doc.open == 0 and doc.qbo_type != "Invoice"):
            continue  # a voided leftover (e.g. of a recreated document) holds no money
        out.append(_difference(Kind.DUPLICATE, owner, doc, None, doc.total, Repair(
            Action.DELETE, f"a second document of our {owner.object_type}: ours is QBO {owner.qbo_type} "
                           f"{owner.qbo_id or '(none)'}, this one is deleted", ((doc.qbo_type, doc.qbo_id),))))
    return out


def _not_imported(index: _Index, docs: Mapping[tuple[str, str], Doc],
                  imported: frozenset[tuple[str, str]]) -> list[Difference]:
    """The accountant's credit documents the inbound sync has not imported yet."""
    return [Difference(Kind.NOT_IMPORTED, None, None, doc.qbo_type, doc.qbo_id, None, doc.open,
                       Repair(Action.IMPORT, "made in QuickBooks: it becomes a qbo credit here",
                              ((doc.qbo_type, doc.qbo_id),)))
            for doc in sorted(docs.values(), key=lambda d: d.key)
            if doc.marker is None and doc.key not in index.by_doc and doc.key not in imported and doc.open > 0
            and doc.qbo_type in ("CreditMemo", "Payment") and not doc.voided]


def _drifts(index: _Index, drifts: Sequence[Drift]) -> list[Difference]:
    out = []
    for drift in sorted(drifts, key=lambda d: (d.object_type, d.object_id)):
        owner = index.by_target.get((drift.object_type, drift.object_id))  # a use's drift names its key
        out.append(Difference(Kind.DRIFT, drift.object_type, drift.object_id, drift.qbo_type, drift.qbo_id,
                              drift.ours, drift.theirs,
                              _push("the accountant changed a document we own: ours is pushed again",
                                    (drift.object_type, drift.object_id), *(owner.related if owner else ())),
                              owner.customer_id if owner else None, owner.sync_status if owner else None))
    return out


def _customer_totals(docs: Mapping[tuple[str, str], Doc], available: Mapping[str, int],
                     customer_refs: Mapping[str, str], found: Sequence[Difference]) -> list[Difference]:
    """Each synced customer's available credit against QBO's total of its CreditMemos and Payments."""
    theirs: dict[str, int] = defaultdict(int)
    for doc in docs.values():
        if doc.qbo_type in ("CreditMemo", "Payment") and doc.customer_ref and not doc.voided:
            theirs[doc.customer_ref] += doc.open
    explained = {d.customer_id for d in found if d.customer_id}
    out = []
    for customer_id, qbo_id in sorted(customer_refs.items()):
        ours, total = available.get(customer_id, 0), theirs.get(qbo_id, 0)
        if ours == total:
            continue
        others = customer_id in explained or any(
            d.kind is Kind.NOT_IMPORTED and docs[(d.qbo_type, d.qbo_id)].customer_ref == qbo_id for d in found)
        repair = (Repair(Action.FOLLOWS, "repairing this customer's other differences repairs its total")
                  if others else Repair(Action.MANUAL, "no single document explains it: check the customer's credits "
                                                       "in both places"))
        out.append(Difference(Kind.CUSTOMER_CREDIT, "customer", customer_id, "Customer", qbo_id, ours, total, repair,
                              customer_id))
    return out


@dataclass
class Summary:
    """Counts per kind, for the report's header."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def summarize(differences: Sequence[Difference]) -> Summary:
    counts: dict[str, int] = defaultdict(int)
    for d in differences:
        counts[d.kind.value] += 1
    return Summary(len(differences), dict(sorted(counts.items())))
