"""QBO documents as the inbound sync reads them: amounts in cents, deletion, our marker, what we own in them."""
from __future__ import annotations

from .mapping import find_marker
from .money import to_cents


def is_gone(doc: dict) -> bool:
    """CDC lists deleted objects with status "Deleted"; a voided Payment keeps existing with its amounts at 0."""
    return doc.get("status") == "Deleted"


def is_voided_payment(doc: dict) -> bool:
    return to_cents(doc.get("TotalAmt") or 0) == 0 and (doc.get("PrivateNote") or "").startswith("Voided")


def cents(doc: dict, name: str) -> int:
    return to_cents(doc.get(name) or 0)


def to_cents_of(amount) -> int:
    return to_cents(amount or 0)


def customer_memo(doc: dict) -> str:
    memo = doc.get("CustomerMemo")
    return str(memo.get("value", "")) if isinstance(memo, dict) else str(memo or "")


def customer_ref(doc: dict) -> str | None:
    ref = doc.get("CustomerRef")
    return str(ref["value"]) if isinstance(ref, dict) and ref.get("value") else None


def ours(doc: dict) -> tuple[str, str] | None:
    """(kind, id) of our object when the document carries our marker."""
    return find_marker(doc)


def money_view(entity: str, doc: dict) -> dict:
    """What the side that created a document owns of it (DESIGN §7 ownership): its money, and whether it exists."""
    if is_gone(doc):
        return {"exists": False}
    return {"exists": True, "total": cents(doc, "TotalAmt")}


def invoice_linked(doc: dict) -> int:
    """What a Payment's lines link to invoices, in cents (a linking Payment's: what its memo lines pay there)."""
    return sum(to_cents_of(line.get("Amount")) for line in doc.get("Line") or []
               if any(t.get("TxnType") == "Invoice" for t in line.get("LinkedTxn") or []))
