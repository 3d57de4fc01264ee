"""Pre-2026-02-25 overpayments (guide, "Hard Disconnect" support work): the overpayment credits that reached QBO as
CreditMemos, recorded when an account's history is imported, listed for the customer with whether QBO's books still
differ, and (beyond the guide) repaired: the amount moves onto the original Payment's UnappliedAmt, the memo goes."""
from __future__ import annotations

from typing import Any

from ...domain import legacy as rules
from ...domain.connection import NotConnected
from ...domain.credits import Credit
from ...domain.permissions import Principal
from ...domain.sync import ConnectionState
from ...ports.qbo import ClientFactory, QboApi
from ...qbo.errors import QboNotFoundError
from ...qbo.money import from_cents, to_cents
from ...qbo.requestids import make_request_id
from ...store import accounts as accounts_store
from ...store import legacy_memos
from ...store.account_items import qbo_id_of
from ...store.ids import utc_now
from ...store.ledger import Ledger


def record_legacy_memo(account_id: str, credit_id: str, memo_qbo_id: str, synced_at: str) -> None:
    """The import path: an overpayment credit of this account was synced as QBO CreditMemo `memo_qbo_id`."""
    credit = _credit(account_id, credit_id)
    rules.require_legacy(credit.source, synced_at)
    legacy_memos.record(account_id, credit_id, memo_qbo_id, synced_at)  # importing the history twice: recorded once


def list_legacy(principal: Principal, *, client_factory: ClientFactory | None = None) -> list[dict]:
    """Credit number, customer, amount, QBO CreditMemo id, and whether QBO's books still differ (null when the
    account is not connected, so QBO cannot be asked)."""
    principal.require_staff("only support staff list legacy overpayment memos")
    client = _client(principal.account_id, client_factory)
    rows = []
    for legacy in legacy_memos.of_account(principal.account_id):
        credit = _credit(principal.account_id, legacy.credit_id)
        customer = accounts_store.get_customer(principal.account_id, credit.customer_id)
        row = {"credit_id": credit.id, "credit_number": credit.number, "customer_id": credit.customer_id,
               "customer_name": customer.name, "amount": credit.amount, "remaining": credit.remaining,
               "qbo_credit_memo_id": legacy.memo_qbo_id, "synced_at": legacy.synced_at,
               "repaired_at": legacy.repaired_at, "qbo_books_differ": None}
        if client is not None:
            memo = _read(client, "CreditMemo", legacy.memo_qbo_id)
            payment = _read(client, "Payment", qbo_id_of(principal.account_id, "payment", credit.origin_payment_id))
            row["qbo_books_differ"] = rules.legacy_books_differ(
                credit.remaining, _cents(memo, "RemainingCredit"), _cents(payment, "UnappliedAmt"))
        rows.append(row)
    return rows


def repair(principal: Principal, credit_id: str, *, client_factory: ClientFactory | None = None) -> dict:
    """Raise the original Payment by the memo's amount (its UnappliedAmt grows by it), then delete the memo. Each step
    is recorded, so a retry after a failure never raises the Payment twice."""
    principal.require_staff("only support staff repair legacy overpayment memos")
    legacy = legacy_memos.get(principal.account_id, credit_id)
    client = _client(principal.account_id, client_factory)
    if client is None:
        raise NotConnected("connect the account to QuickBooks to repair its legacy memos")
    credit = _credit(principal.account_id, credit_id)
    if legacy.repaired_at:
        return {"credit_id": credit_id, "repaired_at": legacy.repaired_at}
    memo = _read(client, "CreditMemo", legacy.memo_qbo_id)
    payment_qbo_id = qbo_id_of(principal.account_id, "payment", credit.origin_payment_id)
    if payment_qbo_id is None:
        raise rules.RepairRefused("the credit's payment is not in QuickBooks", details={"credit_id": credit_id})
    if legacy.repair_step is None:
        if memo is None or not rules.repairable(_cents(memo, "TotalAmt") or 0, _cents(memo, "RemainingCredit") or 0):
            raise rules.RepairRefused("the memo is gone or partly applied in QuickBooks; repair it by hand",
                                      details={"credit_id": credit_id, "qbo_credit_memo_id": legacy.memo_qbo_id})
        payment = client.read("Payment", payment_qbo_id)
        # the target total is written down first: setting an absolute total twice is harmless, adding twice is not
        target = to_cents(payment["TotalAmt"]) + to_cents(memo["TotalAmt"])
        legacy_memos.save_step(legacy, repair_step=f"raise_to:{target}")
    if legacy.repair_step.startswith("raise_to:"):
        target = from_cents(int(legacy.repair_step.removeprefix("raise_to:")))
        client.update_fresh("Payment", payment_qbo_id, lambda current: {"TotalAmt": target},
                            f"legacy-repair:{credit_id}")
        legacy_memos.save_step(legacy, repair_step="payment_raised")
    if memo is not None:
        try:
            client.delete("CreditMemo", legacy.memo_qbo_id, memo["SyncToken"],
                          make_request_id("delete", "legacy-memo", credit_id))
        except QboNotFoundError:
            pass
    legacy_memos.save_step(legacy, repaired_at=utc_now())
    return {"credit_id": credit_id, "repaired_at": legacy.repaired_at}


def _client(account_id: str, client_factory: ClientFactory | None) -> Any:
    account = accounts_store.get_account(account_id)
    if accounts_store.connection_of(account) is not ConnectionState.CONNECTED:
        return None
    if client_factory is None:
        from ...qbo.client import build_client

        client_factory = build_client
    return client_factory(account_id)


def _credit(account_id: str, credit_id: str) -> Credit:
    return Ledger.reading(account_id).credits.get(credit_id)


def _read(client: QboApi, entity: str, qbo_id: str | None) -> dict | None:
    if not qbo_id:
        return None
    try:
        doc = client.read(entity, qbo_id)
    except QboNotFoundError:
        return None
    return None if str(doc.get("PrivateNote") or "").startswith("Voided") and not doc.get("TotalAmt") else doc


def _cents(doc: dict | None, field: str) -> int | None:
    return None if doc is None or doc.get(field) is None else to_cents(doc[field])
