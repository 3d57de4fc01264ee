"""Where each kind of credit lives in QuickBooks (DESIGN §5): the one place that says which sources become a
CreditMemo of their own. The push, the re-sync, parity, the cancel preview and the history line read it.

| source | its QBO home |
|---|---|
| manual, return | a CreditMemo of its own (ours) |
| overpayment | the UnappliedAmt of its original Payment, never a CreditMemo |
| invoice_adjustment | where QBO holds the money freed when the reduced invoice's links shrink (cut links) |
| qbo (imported) | the accountant's CreditMemo or Payment: it follows QBO and is never pushed, until a re-sync to a new company reissues it as a CreditMemo of ours |
"""
from __future__ import annotations

from enum import Enum


class CreditSource(str, Enum):
    MANUAL = "manual"
    RETURN = "return"
    OVERPAYMENT = "overpayment"
    INVOICE_ADJUSTMENT = "invoice_adjustment"
    QBO = "qbo"


class CreditHome(str, Enum):
    """Where a credit's value sits in QBO."""

    OWN_MEMO = "own_memo"  # a CreditMemo we create and own
    PAYMENT_UNAPPLIED = "payment_unapplied"  # its original Payment's UnappliedAmt
    CUT_LINKS = "cut_links"  # the tender Payments and memos the reduction's cuts gave the money back to
    ACCOUNTANTS_DOCUMENT = "accountants_document"  # the accountant's CreditMemo or Payment (QBO owns it)


HOMES: dict[CreditSource, CreditHome] = {
    CreditSource.MANUAL: CreditHome.OWN_MEMO,
    CreditSource.RETURN: CreditHome.OWN_MEMO,
    CreditSource.OVERPAYMENT: CreditHome.PAYMENT_UNAPPLIED,
    CreditSource.INVOICE_ADJUSTMENT: CreditHome.CUT_LINKS,
    CreditSource.QBO: CreditHome.ACCOUNTANTS_DOCUMENT,
}


def credit_home(source: CreditSource, *, reissued: bool = False) -> CreditHome:
    """A credit's QBO home; an imported credit a re-sync reissued in a new company is a CreditMemo of ours."""
    home = HOMES[source]
    return CreditHome.OWN_MEMO if reissued and home is CreditHome.ACCOUNTANTS_DOCUMENT else home
