"""What QBO adds to the transactions it stores: the company's date as TxnDate when none is sent, the computed
SubTotalLineDetail line of a sales form, and (asked for with `include=invoiceLink`) an invoice's sharable link."""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

SUBTOTAL = "SubTotalLineDetail"
DISCOUNT = "DiscountLineDetail"
SALES_FORMS = ("Invoice", "CreditMemo")  # the modelled entities whose responses carry a subtotal line
# `.invalid` never resolves (RFC 2606): the link has QBO's shape (https, one per invoice) but leads nowhere
LINK_BASE = "https://qbo-emulator.invalid/portal/app/CommerceNetwork/view/"
_ONLINE_PAYMENT = ("AllowOnlinePayment", "AllowOnlineCreditCardPayment", "AllowOnlineACHPayment")


def default_txn_date(obj: dict, today: str) -> None:
    """A transaction sent without TxnDate is dated today, as QBO uses the server's current date."""
    if not obj.get("TxnDate"):
        obj["TxnDate"] = today


def without_subtotals(lines: list[dict]) -> list[dict]:
    """The lines a client sent, less any SubTotalLineDetail line (QBO computes those; sent amounts are ignored)."""
    return [line for line in lines if line.get("DetailType") != SUBTOTAL]


def with_subtotal(lines: list[dict]) -> list[dict]:
    """A sales form's lines as QBO returns them: its item lines, the SubTotalLineDetail line with their sum, then
    the discount that applies to that subtotal.

    QBO lets the accountant place subtotal lines between other lines; the emulator keeps only this final one.
    """
    items = [line for line in lines if line.get("DetailType") != DISCOUNT]
    amount = sum((line["Amount"] for line in items), Decimal("0.00"))
    return [*items, {"Amount": amount, "DetailType": SUBTOTAL, SUBTOTAL: {}},
            *(line for line in lines if line.get("DetailType") == DISCOUNT)]


def invoice_link(realm_id: str, invoice: dict) -> str | None:
    """The sharable https link QBO returns for an invoice with a BillEmail address and online payment allowed."""
    email = invoice.get("BillEmail")
    address = email.get("Address") if isinstance(email, dict) else None
    if not address or not any(invoice.get(flag) is True for flag in _ONLINE_PAYMENT):
        return None
    token = hashlib.sha256(f"{realm_id}/{invoice['Id']}".encode()).hexdigest()[:40]
    return f"{LINK_BASE}scs-v1-{token}?locale=en_US"


def with_invoice_links(realm_id: str, payload: Any) -> Any:
    """Add InvoiceLink to every Invoice in a read or query answer (in place); returns the payload."""
    invoices = payload.get("Invoice") if isinstance(payload, dict) else None
    for invoice in invoices if isinstance(invoices, list) else [invoices] if invoices else []:
        link = invoice_link(realm_id, invoice)
        if link:
            invoice["InvoiceLink"] = link
    return payload
