"""Our ledger objects as QBO documents (DESIGN §5): pure functions from domain values and QBO refs to JSON bodies.

Every document we create carries a marker (`[cc:<kind>:<id>]` in PrivateNote, plus DocNumber or PaymentRefNum), so
after an ambiguous failure the sync can find what it already created instead of creating it twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from ..domain.credits import Credit
from ..domain.invoices import Invoice
from ..domain.payments import Payment
from ..domain.sync_plan import MemoPlan
from .money import from_cents

MARKER = re.compile(r"\[cc:(?P<kind>[a-z_]+):(?P<id>[A-Za-z0-9_-]+)\]")
NOTE_LIMIT = 4000  # QBO's PrivateNote limit


@dataclass(frozen=True)
class Ref:
    """A reference to a QBO object (`{"value": id, "name": ...}`)."""

    value: str
    name: str | None = None

    def doc(self) -> dict:
        return {"value": self.value, **({"name": self.name} if self.name else {})}


@dataclass(frozen=True)
class Link:
    """A Payment line linking an Invoice or a CreditMemo for an amount in cents."""

    txn_id: str
    txn_type: str
    amount: int

    def line(self) -> dict:
        return {"Amount": from_cents(self.amount), "LinkedTxn": [{"TxnId": self.txn_id, "TxnType": self.txn_type}]}


def marker(kind: str, obj_id: str) -> str:
    """The tag that identifies our object inside a QBO document's PrivateNote."""
    return f"[cc:{kind}:{obj_id}]"


def find_marker(doc: dict) -> tuple[str, str] | None:
    """(kind, id) of the object a QBO document was created for, or None for the accountant's own documents."""
    found = MARKER.search(doc.get("PrivateNote") or "")
    return (found["kind"], found["id"]) if found else None


def _note(text: str, kind: str, obj_id: str) -> str:
    tag = marker(kind, obj_id)
    room = NOTE_LIMIT - len(tag) - 1
    return f"{text[:room]} {tag}".strip()


def txn_date(timestamp: str) -> str:
    return timestamp[:10]


def _sales_line(description: str, quantity: Decimal, unit_price: int, amount: int, item: Ref) -> dict:
    return {"DetailType": "SalesItemLineDetail", "Amount": from_cents(amount), "Description": description[:4000],
            "SalesItemLineDetail": {"ItemRef": item.doc(), "Qty": quantity, "UnitPrice": from_cents(unit_price)}}


def _single_line(description: str, amount: int, item: Ref) -> dict:
    return _sales_line(description, Decimal(1), amount, amount, item)


def customer_doc(name: str) -> dict:
    """A Customer: QBO's DisplayName is unique per company, so an existing one of that name is linked instead."""
    return {"DisplayName": name}


def invoice_doc(invoice: Invoice, *, customer: Ref, item: Ref) -> dict:
    """An Invoice with DocNumber = our number; each line keeps Qty × UnitPrice = Amount, charges are Qty 1 lines."""
    lines = [_sales_line(line.description, Decimal(line.quantity), line.unit_price, line.total, item)
             for line in invoice.lines]
    lines += [_single_line(charge.description, charge.amount, item) for charge in invoice.charges]
    return {"CustomerRef": customer.doc(), "DocNumber": invoice.number, "TxnDate": txn_date(invoice.created_at),
            "PrivateNote": _note(f"Invoice {invoice.number}", "invoice", invoice.id), "Line": lines}


def credit_memo_doc(credit: Credit, plan: MemoPlan, *, customer: Ref, item: Ref) -> dict:
    """A manual, return or reissued credit as a CreditMemo of the total its plan says (`sync_plan.memo_plan`):
    DocNumber = credit number, notes, and the returned lineage while it holds the whole credit."""
    if plan.itemized:
        lines = [_sales_line(_lineage_text(line), Decimal(str(line["quantity"])), int(line["unit_price"]),
                             int(line["total"]), item) for line in credit.line_items]
    else:
        label = f"Credit {credit.number}" + (" (balance canceled)" if plan.balance_canceled else "")
        lines = [_single_line(label, plan.total, item)]
    doc = {"CustomerRef": customer.doc(), "DocNumber": credit.number, "TxnDate": txn_date(credit.created_at),
           "PrivateNote": _note(credit.internal_note, "credit", credit.id), "Line": lines}
    if credit.external_note:
        doc["CustomerMemo"] = {"value": credit.external_note[:1000]}
    return doc


def _lineage_text(line: dict) -> str:
    parts = [f"product {line['product_id']}"]
    parts += [f"{name} {line[key]}" for name, key in (("package", "package_id"), ("batch", "batch_id"))
              if line.get(key)]
    return "Returned " + ", ".join(parts)


def tender_payment_doc(payment: Payment, *, customer: Ref, links: Iterable[Link]) -> dict:
    """A Payment of the tenders: PaymentRefNum = our number; whatever its lines do not link stays UnappliedAmt.

    `links` are every line the Payment carries now: its own invoice's share, plus lines that spend its unapplied
    amount on other invoices (uses of the overpayment credit it holds).
    """
    return {"CustomerRef": customer.doc(), "TotalAmt": from_cents(payment.tender_total if payment.active else 0),
            "PaymentRefNum": payment.number[:21], "TxnDate": txn_date(payment.created_at),
            "PrivateNote": _note(f"Payment {payment.number}", "payment", payment.id),
            "Line": [link.line() for link in links if link.amount > 0]}


def accountants_payment_lines(current: list[dict], ours: dict[str, int]) -> list[dict]:
    """The lines of a Payment the accountant made, with ours in it: its lines linking other documents as QBO holds
    them, and one line per invoice in `ours` (QBO invoice id → cents that Payment must link there: what our uses of
    its unapplied amount pay, plus what the accountant applied there as we recorded it). Lines of 0 are left out."""
    def links_ours(line: dict) -> bool:
        return any(t.get("TxnType") == "Invoice" and str(t.get("TxnId")) in ours for t in line.get("LinkedTxn") or [])

    return ([line for line in current if not links_ours(line)]
            + [Link(invoice_id, "Invoice", amount).line() for invoice_id, amount in ours.items() if amount > 0])


def linking_payment_doc(*, use_id: str, number: str, created_at: str, customer: Ref, invoice_id: str,
                        memos: list[tuple[str, int]], linked: int) -> dict:
    """A credit use backed by CreditMemos: a Payment of 0 whose lines link the Invoice and each memo it draws on.

    The invoice line is `linked`, what the memo lines link together (`sync_plan.UsePlan.linked`), so TotalAmt stays
    0 and RemainingCredit / Balance both drop.
    """
    links = [Link(memo_id, "CreditMemo", amount) for memo_id, amount in memos if amount > 0]
    invoice_link = Link(invoice_id, "Invoice", linked)
    return {"CustomerRef": customer.doc(), "TotalAmt": from_cents(0), "PaymentRefNum": number[:21],
            "TxnDate": txn_date(created_at), "PrivateNote": _note(f"Credit applied, payment {number}", "use", use_id),
            "Line": [link.line() for link in [invoice_link, *links]]}
