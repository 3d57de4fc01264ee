"""The kinds of object QuickBooks sees, one entry each (DESIGN §1, §5): what of ours the kind reads, the QBO document
it produces, what parity expects of that document, who owns its money fields, what it depends on, and how it is
keyed. The push, the re-sync, parity, the pull and imports, the store's pending index, the status panel and the sync
modes read from here; tests/unit/test_sync_kinds_registry.py fails when one of them misses a kind.

A credit's own home depends on its source (domain.credit_sources): a CreditMemo of its own, its payment's
UnappliedAmt, the links a reduction cut, or the accountant's document. A legacy memo (an overpayment credit that
reached QBO as a CreditMemo before 2026-02-25) is no kind of its own: it is repaired, never pushed (services/sync/
legacy.py).

Adding a synced kind: an entry here, its document's builder (chalicelib/qbo/mapping.py) and its pusher
(chalicelib/services/sync/documents.py PUSHERS); its objects' repository (named by the entry) keeps a SyncState on
each item like every other (chalicelib/store/synced.py).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncedKind:
    name: str  # the object type on the API (`/qbo/objects/{type}/{id}/retry`) and in the pending index
    item_prefix: str  # its items' sort key prefix in the table
    repository: str  # the ledger's repository of its objects (store.ledger.Ledger attribute)
    document: str  # the QBO entity of its own document
    reads: tuple[str, ...]  # what of ours its document is built from (a change to any of them needs a push)
    depends_on: tuple[str, ...]  # kinds that must be in QBO before its document can link them
    one_way: bool  # pushed by one-way sync too (else two-way only)
    batch_phase: int | None  # a first create may go 30 to a batch request, in this phase (None: one by one)
    money_owner: str  # who owns its money fields in QBO (DESIGN §7)
    parity: str  # what parity expects of its document
    read_back: bool = True  # two-way reads its document back (an echo, the accountant's change: drift)
    marked: bool = True  # its document carries our marker `[cc:<kind>:<id>]` (a customer is linked by its name)
    key: str = "<id>"  # how an object of it is named in the pending index and on the API


CUSTOMER = SyncedKind(
    "customer", "CUST", "customers", "Customer", ("name",), (), one_way=True, batch_phase=None, money_owner="none",
    read_back=False, marked=False,
    parity="linked by DisplayName; its total of credit sources equals our customer's available credit")
INVOICE = SyncedKind(
    "invoice", "INV", "invoices", "Invoice", ("number", "customer", "lines", "charges", "deleted"), ("customer",),
    one_way=True, batch_phase=0, money_owner="ours",
    parity="Balance equals our balance (one-way: what its tender Payments leave open)")
PAYMENT = SyncedKind(
    "payment", "PAY", "payments", "Payment", ("tenders", "invoice links", "unapplied lines", "status"),
    ("customer", "invoice"), one_way=True, batch_phase=1, money_owner="ours",
    parity="TotalAmt is our tenders, PaymentRefNum our number, UnappliedAmt what our credits keep there")
CREDIT = SyncedKind(
    "credit", "CREDIT", "credits", "CreditMemo", ("amount", "notes", "lines", "status", "uses"),
    ("customer", "payment"), one_way=False, batch_phase=0, money_owner="ours (imported: the accountant's, followed)",
    parity="RemainingCredit is what our credits keep in it (domain.credit_sources says which credits own a memo)")
USE = SyncedKind(
    "use", "USE", "uses", "Payment", ("amount", "parts", "invoice", "voided"),
    ("customer", "invoice", "credit", "payment"), one_way=False, batch_phase=None, money_owner="ours",
    parity="a linking Payment of 0 links the invoice and its memos for what the use takes (after cuts)",
    key="<credit id>#<use id>")

KINDS: tuple[SyncedKind, ...] = (CUSTOMER, INVOICE, PAYMENT, CREDIT, USE)  # in the order a re-sync creates them
BY_NAME = {kind.name: kind for kind in KINDS}
NAMES = tuple(BY_NAME)
ONE_WAY = frozenset(kind.name for kind in KINDS if kind.one_way)
MARKED = frozenset(kind.name for kind in KINDS if kind.marked)
TWO_WAY = frozenset(NAMES)


def push_order() -> tuple[str, ...]:
    """Every kind after what it depends on (the re-sync's phases, parity repair's order)."""
    placed: list[str] = []
    while len(placed) < len(KINDS):
        ready = [k.name for k in KINDS if k.name not in placed and all(d in placed for d in k.depends_on)]
        if not ready:
            raise ValueError(f"the kinds' dependencies go round in a circle: {sorted(set(NAMES) - set(placed))}")
        placed.append(ready[0])
    return tuple(placed)


def batch_phases() -> tuple[tuple[str, ...], ...]:
    """The kinds whose first creates go 30 to a batch request, phase by phase (a later phase links an earlier's)."""
    phases = sorted({k.batch_phase for k in KINDS if k.batch_phase is not None})
    return tuple(tuple(k.name for k in KINDS if k.batch_phase == phase) for phase in phases)


def use_key(credit_id: str, use_id: str) -> str:
    """A credit use's name: "<credit id>#<use id>" (its credit's uses are one key range in the table)."""
    return f"{credit_id}#{use_id}"


def split_use_key(key: str) -> tuple[str, str]:
    credit_id, _, use_id = key.partition("#")
    return credit_id, use_id
