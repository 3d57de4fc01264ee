"""Parity of the ledger and the realm's books (DESIGN §5), as a list of differences rather than one assertion.

The rule of tests/qbo/test_sync_workload.py (no document of ours twice; every QBO credit source holds what our
credits keep there; every synced invoice's Balance is ours), plus the inbound side of tests/qbo/test_sync_inbound.py
(every credit source the accountant made is one active imported credit with the same remaining, and back). Used
until the real checker (`GET /qbo/parity`) is on main; objects parked with an error are left out, as there.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from chalicelib.domain.credits import CreditStatus
from chalicelib.domain.locations import LocationKind, held
from chalicelib.qbo.mapping import find_marker


def _cents(value) -> int:
    return int(Decimal(str(value)) * 100)


def differences(account_id: str, books: dict) -> list[dict]:
    """Every way the ledger and QBO disagree; each names the customer it concerns (None: the whole account)."""
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CreditItem, InvoiceItem, PaymentItem, account_pk
    from chalicelib.store.sync_state import pending_objects
    from chalicelib.store.uow import UnitOfWork

    found: list[dict] = []
    markers = Counter(find_marker(d) for entity in ("Invoice", "CreditMemo", "Payment") for d in books[entity]
                      if not d.get("_voided"))
    markers.pop(None, None)
    for marker, count in markers.items():
        if count > 1:
            found.append({"kind": "duplicate", "object": marker, "customer_id": None, "ours": 1, "theirs": count})

    parked = {p.object_id for p in pending_objects(account_id) if p.parked}
    book = Ledger(UnitOfWork(account_id))
    pk = account_pk(account_id)
    credits = [book.credits.adopt(i) for i in CreditItem.query(pk, CreditItem.sk.startswith("CREDIT#"),
                                                               consistent_read=True)]
    payments = [book.payments.adopt(i) for i in PaymentItem.query(pk, PaymentItem.sk.startswith("PAY#"),
                                                                  consistent_read=True)]
    invoices = [book.invoices.adopt(i) for i in InvoiceItem.query(pk, InvoiceItem.sk.startswith("INV#"),
                                                                  consistent_read=True)]

    expected: dict[tuple[str, str], int] = defaultdict(int)
    customer_of_source: dict[tuple[str, str], str] = {}
    for credit in credits:
        if credit.status is not CreditStatus.ACTIVE or credit.id in parked:
            continue
        for (kind, owner), amount in held(credit.locations, credit.drawn).items():
            expected[(kind.value, owner)] += amount
            customer_of_source[(kind.value, owner)] = credit.customer_id
    qbo_id_of = {("memo", c.id): c.qbo_id for c in credits}
    qbo_id_of.update({("unapplied", p.id): p.qbo_id for p in payments})
    remaining = {m["Id"]: _cents(m["RemainingCredit"]) for m in books["CreditMemo"]}
    unapplied = {p["Id"]: _cents(p["UnappliedAmt"]) for p in books["Payment"]}
    for (kind, owner), amount in expected.items():
        qbo_id = qbo_id_of.get((kind, owner))
        if qbo_id is None:
            continue  # a credits-only payment has no document; an imported payment credit is checked below
        got = (remaining if kind == LocationKind.MEMO.value else unapplied).get(qbo_id, 0)
        if got != amount:
            found.append({"kind": f"source:{kind}", "object": (owner, qbo_id),
                          "customer_id": customer_of_source[(kind, owner)], "ours": amount, "theirs": got})
    qbo_invoices = {i["Id"]: i for i in books["Invoice"]}
    for invoice in invoices:
        if invoice.qbo_id and not invoice.deleted and invoice.id not in parked:
            theirs = qbo_invoices.get(invoice.qbo_id)
            got = _cents(theirs["Balance"]) if theirs else None
            if got != invoice.balance:
                found.append({"kind": "invoice_balance", "object": (invoice.id, invoice.qbo_id),
                              "customer_id": invoice.customer_id, "ours": invoice.balance, "theirs": got})

    # the accountant's own credit sources, each exactly one imported credit with what QBO has left
    imported: dict[str, list] = defaultdict(list)
    for credit in credits:
        if credit.source.value == "qbo" and credit.status is CreditStatus.ACTIVE:
            imported[credit.qbo_id].append(credit)
    sources = {m["Id"]: _cents(m["RemainingCredit"]) for m in books["CreditMemo"] if find_marker(m) is None}
    sources.update({p["Id"]: _cents(p["UnappliedAmt"]) for p in books["Payment"]
                    if find_marker(p) is None and _cents(p["UnappliedAmt"]) > 0 and not p.get("_voided")})
    for qbo_id in set(sources) | set(imported):
        ours = [c.remaining for c in imported.get(qbo_id, [])]
        theirs = sources.get(qbo_id, 0)
        if (len(ours) > 1) or sum(ours) != theirs:
            customer = imported[qbo_id][0].customer_id if imported.get(qbo_id) else None
            found.append({"kind": "imported", "object": qbo_id, "customer_id": customer, "ours": ours,
                          "theirs": theirs})
    return found
