"""Which QBO documents a ledger change touches (DESIGN §5), decided without talking to QBO.

Pure (no python-quickbooks import): the cancel preview lists these today, the sync will carry them out.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import CancelMode, Credit, CreditSource, CreditUse
from ..domain.invoices import Invoice

# Credits whose money sits in a CreditMemo's RemainingCredit; the others sit in a Payment's UnappliedAmt.
CREDIT_MEMO_SOURCES = frozenset({CreditSource.MANUAL, CreditSource.RETURN, CreditSource.QBO})


@dataclass(frozen=True)
class QboChange:
    action: str  # delete | void | update
    qbo_type: str  # CreditMemo | Payment | Invoice
    qbo_id: str | None  # None: a linking document whose QBO id the ledger does not keep yet
    object_type: str  # what it stands for here: credit | credit_use | invoice
    object_id: str
    effect: str


def cancel_changes(credit: Credit, mode: CancelMode, voided_uses: list[CreditUse],
                   invoices: dict[str, Invoice]) -> list[QboChange]:
    """Cancel & revert deletes each use's linking Payment first, then voids the CreditMemo; balance-only with uses
    reduces the CreditMemo so nothing remains, without uses voids it. A credit not in QBO changes nothing there."""
    if credit.qbo_id is None:
        return []
    in_memo = credit.source in CREDIT_MEMO_SOURCES
    changes = []
    for use in voided_uses:
        invoice = invoices.get(use.invoice_id)
        if invoice is None or invoice.qbo_id is None:
            continue
        if in_memo:
            changes.append(QboChange("delete", "Payment", None, "credit_use", use.id,
                                     f"the zero-total Payment linking Invoice {invoice.qbo_id} to CreditMemo "
                                     f"{credit.qbo_id} is deleted"))
        else:
            changes.append(QboChange("update", "Payment", credit.qbo_id, "credit_use", use.id,
                                     f"the line linking Invoice {invoice.qbo_id} is removed; the amount goes back to "
                                     "UnappliedAmt"))
        changes.append(QboChange("update", "Invoice", invoice.qbo_id, "invoice", invoice.id,
                                 "Balance rises by the unlinked amount"))
    if in_memo:
        keeps_uses = mode is CancelMode.BALANCE_ONLY and credit.used > 0
        changes.append(QboChange("update" if keeps_uses else "void", "CreditMemo", credit.qbo_id, "credit", credit.id,
                                 "reduced so RemainingCredit is 0 (its uses stay)" if keeps_uses else "voided"))
    return changes
