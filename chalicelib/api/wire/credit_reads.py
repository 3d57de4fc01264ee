"""A cancel's preview, a credit's lineage, the credit aging report (routes_credit_reads)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import CreditSourceName, CreditStatusName, Id, Out
from .credits import CreditOut
from .returns import ReturnLineOut


class VoidedUseOut(Out):
    id: str
    payment_id: str
    invoice_id: str
    amount: str


class ReopenedInvoiceOut(Out):
    id: str
    number: str
    balance_before: str
    balance_after: str
    status_after: Literal["unpaid", "partially_paid", "fully_paid"]


class ChangedCreditOut(Out):
    id: str
    number: str
    source: CreditSourceName
    status_before: CreditStatusName | None = Field(description="null: the cancel issues this credit")
    status_after: CreditStatusName
    remaining_before: str
    remaining_after: str


class QboChangeOut(Out):
    """One QBO document the change alters, as the push will (chalicelib/domain/qbo_actions.py)."""

    action: Literal["delete", "void", "reduce", "update", "relink"] = Field(
        description="delete: the document goes (QBO's API has no void for CreditMemo); reduce: a CreditMemo's total "
                    "shrinks; update: rewritten, or an Invoice whose Balance QBO raises; relink: a Payment's line "
                    "linking an invoice goes; void: kept at 0, marked voided")
    qbo_type: Literal["CreditMemo", "Payment", "Invoice"]
    qbo_id: str
    object_type: Literal["credit", "credit_use", "invoice"] = Field(description="what the document stands for here")
    object_id: str
    effect: str


class CancelPreviewOut(Out):
    """What POST /credits/{id}/cancel with the same body would do now; nothing is committed."""

    mode: Literal["balance_only", "revert"]
    credit: CreditOut = Field(description="the credit as the cancel would leave it")
    voided_uses: list[VoidedUseOut]
    invoices: list[ReopenedInvoiceOut]
    credits: list[ChangedCreditOut] = Field(description="adjustment credits the reopened invoices void or issue")
    qbo_documents: list[QboChangeOut]


class DeletePreviewOut(Out):
    """What DELETE /credits/{id} would do now; nothing is committed."""

    credit: CreditOut = Field(description="the credit as the delete would leave it")
    qbo_documents: list[QboChangeOut]


class LineageDocOut(Out):
    """One object on a credit's path, with its QBO id where synced."""

    type: Literal["return", "invoice", "payment", "credit"]
    id: str
    number: str
    qbo_id: str | None


class LineageInvoiceOut(LineageDocOut):
    total: str
    balance: str
    status: Literal["unpaid", "partially_paid", "fully_paid"]


class LineageReturnOut(LineageDocOut):
    lines: list[ReturnLineOut] = Field(description="product, package and batch of what came back")


class LineageUseOut(Out):
    id: str
    amount: str
    at: str
    voided_at: str | None
    payment: LineageDocOut
    invoice: LineageInvoiceOut


class LineageOrigin(Out):
    return_: LineageReturnOut | None = Field(default=None, alias="return")
    invoice: LineageInvoiceOut | None = None
    payment: LineageDocOut | None = None


class LineageOut(Out):
    """From the return line or the originating invoice and payment, to the credit, to every use and invoice paid."""

    origin: LineageOrigin
    credit: CreditOut
    uses: list[LineageUseOut]


class AgingQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    customer_id: Id | None = None
    as_of: date | None = Field(default=None, description="the day ages are counted on; default today (UTC)")


class AgingBucketsOut(Out):
    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)
    d0_30: str = Field(alias="0-30")
    d31_60: str = Field(alias="31-60")
    d61_90: str = Field(alias="61-90")
    d90_plus: str = Field(alias="90+")


class AgingRowOut(Out):
    total: str
    buckets: AgingBucketsOut
    by_source: dict[CreditSourceName, AgingBucketsOut]


class AgingCustomerOut(AgingRowOut):
    customer_id: str
    name: str | None


class AgingOut(Out):
    """Open credit (what is left to spend) by source and age bucket: per customer and in total."""

    as_of: str
    buckets: list[str]
    customers: list[AgingCustomerOut]
    total: AgingRowOut
