"""The cancel and delete previews say what the push then does in QuickBooks (issue 20 §6, DESIGN §5).

Each case takes the preview's `qbo_documents`, cancels (or deletes) through the API, pushes to the emulator (connected
through the consent flow), and compares the emulator's books before and after: the documents that changed, how, and
their ids are exactly what the preview listed; the credit's history line says the same; and the books then match the
ledger. QBO's API has no void for CreditMemo, so a memo that must go is deleted, and the preview says so.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.qbo.conftest import SyncedAccount
from tests.qbo.test_sync_mapping_adjustments import _cut_into_memo, _drain, _pay, _sale, assert_books_equal

ENTITIES = ("CreditMemo", "Payment", "Invoice")
BOOKKEEPING = ("SyncToken", "MetaData")  # what any write changes, content or not


def _documents(synced: SyncedAccount) -> dict[tuple[str, str], dict]:
    objects = synced.realm.books()["objects"]
    return {(entity, doc["Id"]): {k: v for k, v in doc.items() if k not in BOOKKEEPING}
            for entity in ENTITIES for doc in objects.get(entity, [])}


def _voided(doc: dict) -> bool:
    return str(doc.get("PrivateNote") or "").startswith("Voided")


def _changes(before: dict, after: dict) -> set[tuple[str, str, str]]:
    """(action, QBO type, QBO id) of every document the books changed, in the preview's words."""
    found = {("create", entity, qbo_id) for entity, qbo_id in after.keys() - before.keys()}
    for (entity, qbo_id), old in before.items():
        new = after.get((entity, qbo_id))
        if new is None:
            found.add(("delete", entity, qbo_id))
        elif _voided(new) and not _voided(old):
            found.add(("void", entity, qbo_id))
        elif entity == "CreditMemo" and Decimal(str(new["TotalAmt"])) < Decimal(str(old["TotalAmt"])):
            found.add(("reduce", entity, qbo_id))
        elif new != old:
            found.add(("update", entity, qbo_id))
    return found


def _said(documents: list[dict]) -> set[tuple[str, str, str]]:
    return {(d["action"], d["qbo_type"], d["qbo_id"]) for d in documents}


def _carried_out(synced: SyncedAccount, preview: dict, act) -> set[tuple[str, str, str]]:
    """Run the change the preview was for, push it, and answer what changed in the books."""
    before = _documents(synced)
    reply = act()
    assert reply.status == 200, reply.body
    _drain(synced)
    changed = _changes(before, _documents(synced))
    assert changed == _said(preview["qbo_documents"]), (changed, preview["qbo_documents"])
    assert_books_equal(synced)
    return changed


def _cancel(synced: SyncedAccount, credit_id: str, mode: str) -> dict:
    """Preview the cancel, carry it out, and check the books and the history line against the preview."""
    owner = synced.account.owner
    preview = owner.post(f"/credits/{credit_id}/cancel/preview", {"mode": mode})
    assert preview.status == 200, preview.body
    _carried_out(synced, preview.json, lambda: owner.post(f"/credits/{credit_id}/cancel", {"mode": mode}))
    return preview.json


def _history_says(synced: SyncedAccount, credit_id: str, kind: str, memo: dict) -> str:
    """The credit's history line for the change names its memo's QBO id and the preview's action on it."""
    [line] = [e for e in synced.account.owner.get(f"/credits/{credit_id}/transactions").json["data"]
              if e["kind"] == kind]
    said = line["details"]["qbo"]
    assert f"CreditMemo {memo['qbo_id']} {memo['effect'].split(' after ')[0].split(' (')[0]}" in said, said
    return said


def _memo_entry(preview: dict, credit_id: str) -> dict:
    [memo] = [d for d in preview["qbo_documents"] if d["qbo_type"] == "CreditMemo" and d["object_id"] == credit_id]
    return memo


def _credit(synced: SyncedAccount, amount: str) -> dict:
    reply = synced.account.owner.post("/credits", {"customer_id": synced.account.customers[0], "amount": amount})
    assert reply.status == 201, reply.body
    return reply.json


def _used_credit(synced: SyncedAccount) -> tuple[dict, list[dict]]:
    """Credit 50.00 pays all of invoice A (20.00) and 25.00 of invoice B (40.00, with 15.00 cash), pushed."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = _credit(synced, "50.00")
    orders = [_sale(owner, customer, "20.00"), _sale(owner, customer, "40.00")]
    _pay(owner, orders[0]["invoice_id"], credit_id=credit["id"])
    _pay(owner, orders[1]["invoice_id"], cash="15.00", credit_id=credit["id"], amount="25.00")
    _drain(synced)
    return owner.get(f"/credits/{credit['id']}").json, orders


def test_cancel_balance_only_of_an_unused_credit_deletes_its_memo_as_the_preview_says(synced):
    credit = _credit(synced, "40.00")
    _drain(synced)
    memo_id = synced.one("CreditMemo", DocNumber=credit["number"])["Id"]
    preview = _cancel(synced, credit["id"], "balance_only")
    assert _said(preview["qbo_documents"]) == {("delete", "CreditMemo", memo_id)}
    assert "no void for CreditMemo" in preview["qbo_documents"][0]["effect"]
    _history_says(synced, credit["id"], "canceled", _memo_entry(preview, credit["id"]))


def test_cancel_balance_only_with_uses_reduces_the_memo_as_the_preview_says(synced):
    credit, _ = _used_credit(synced)
    memo_id = credit["qbo_id"]
    preview = _cancel(synced, credit["id"], "balance_only")
    assert _said(preview["qbo_documents"]) == {("reduce", "CreditMemo", memo_id)}
    memo = synced.one("CreditMemo", Id=memo_id)
    assert (memo["TotalAmt"], memo["RemainingCredit"]) == (Decimal("45.00"), Decimal("0.00"))
    said = _history_says(synced, credit["id"], "canceled", _memo_entry(preview, credit["id"]))
    assert "RemainingCredit is 0" in said


def test_cancel_and_revert_deletes_each_linking_payment_by_id_then_the_memo(synced):
    owner = synced.account.owner
    credit, orders = _used_credit(synced)
    payments = [p for o in orders for p in owner.get(f"/invoices/{o['invoice_id']}").json["payments"]]
    uses = [u for p in payments for u in p["credit_uses"]]
    linking = {p["number"] for p in payments if p["credit_uses"]}
    linking_ids = {p["Id"] for p in synced.books("Payment") if p["PaymentRefNum"] in linking and not p["TotalAmt"]}
    invoice_ids = {owner.get(f"/invoices/{o['invoice_id']}").json["qbo_id"] for o in orders}
    preview = _cancel(synced, credit["id"], "revert")
    assert _said(preview["qbo_documents"]) == ({("delete", "Payment", i) for i in linking_ids}
                                               | {("update", "Invoice", i) for i in invoice_ids}
                                               | {("delete", "CreditMemo", credit["qbo_id"])})
    actions = [(d["action"], d["qbo_type"]) for d in preview["qbo_documents"]]
    assert actions.index(("delete", "CreditMemo")) == len(actions) - 1  # the linking Payments go first
    assert {d["object_id"] for d in preview["qbo_documents"] if d["qbo_type"] == "Payment"} == {u["id"] for u in uses}
    said = _history_says(synced, credit["id"], "canceled", _memo_entry(preview, credit["id"]))
    assert said.startswith("in QuickBooks: linking Payments deleted first, then CreditMemo")
    assert sorted(i["Balance"] for i in synced.books("Invoice")) == [Decimal("20.00"), Decimal("25.00")]


def test_deleting_a_credit_deletes_its_memo_as_the_delete_preview_says(synced):
    owner = synced.account.owner
    credit = _credit(synced, "30.00")
    _drain(synced)
    memo_id = synced.one("CreditMemo", DocNumber=credit["number"])["Id"]
    preview = owner.post(f"/credits/{credit['id']}/delete/preview")
    assert preview.status == 200, preview.body
    assert preview.json["credit"]["status"] == "deleted"
    assert owner.get(f"/credits/{credit['id']}").json["status"] == "active"  # nothing committed
    _carried_out(synced, preview.json, lambda: owner.delete(f"/credits/{credit['id']}"))
    assert _said(preview.json["qbo_documents"]) == {("delete", "CreditMemo", memo_id)}
    _history_says(synced, credit["id"], "deleted", _memo_entry(preview.json, credit["id"]))


def test_a_delete_preview_refuses_what_delete_refuses(synced):
    credit, _ = _used_credit(synced)
    reply = synced.account.owner.post(f"/credits/{credit['id']}/delete/preview")
    assert reply.status == 409 and reply.json["error"]["code"] == "credit_already_used", reply.body


def test_a_revert_that_undoes_an_adjustment_credit_maps_it_to_the_memo_its_money_leaves(synced):
    owner = synced.account.owner
    made = _cut_into_memo(synced)  # credit 50.00 pays a 40.00 invoice reduced to 30.00: 10.00 back in the memo
    memo, invoice = made.memo(synced), synced.one("Invoice", DocNumber=made.invoice["number"])
    [linking] = [p for p in synced.books("Payment") if p["TotalAmt"] == 0]
    preview = _cancel(synced, made.credit["id"], "revert")
    assert _said(preview["qbo_documents"]) == {("delete", "Payment", linking["Id"]), ("update", "Invoice", invoice["Id"]),
                                               ("delete", "CreditMemo", memo["Id"])}
    [undone] = [d for d in preview["qbo_documents"] if d["object_id"] == made.adjustment]
    assert (undone["action"], undone["qbo_type"], undone["qbo_id"]) == ("delete", "CreditMemo", memo["Id"])
    assert [c["id"] for c in preview["credits"]] == [made.adjustment]
    assert owner.get(f"/credits/{made.adjustment}").json["status"] == "voided"
    assert synced.one("Invoice", Id=invoice["Id"])["Balance"] == Decimal("30.00")


@pytest.mark.parametrize("mode", ["balance_only", "revert"])
def test_canceling_an_adjustment_credit_reduces_the_memo_keeping_its_money(synced, mode):
    """Its 10.00 sits in the other credit's memo; used for 4.00 on another invoice first, a revert deletes that use's
    linking Payment, raises that invoice's Balance, and the memo gives up the whole 10.00; balance only, the 6.00."""
    owner, customer = synced.account.owner, synced.account.customers[0]
    made = _cut_into_memo(synced)
    other = _sale(owner, customer, "4.00")
    paid = _pay(owner, other["invoice_id"], credit_id=made.adjustment)
    _drain(synced)
    memo, linking = made.memo(synced), synced.one("Payment", PaymentRefNum=paid["number"])
    preview = _cancel(synced, made.adjustment, mode)
    memo_change = ("reduce", "CreditMemo", memo["Id"])
    if mode == "revert":
        other_invoice = owner.get(f"/invoices/{other['invoice_id']}").json
        assert _said(preview["qbo_documents"]) == {("delete", "Payment", linking["Id"]),
                                                   ("update", "Invoice", other_invoice["qbo_id"]), memo_change}
        assert (other_invoice["balance"], made.memo(synced)["TotalAmt"]) == ("4.00", Decimal("40.00"))
    else:
        assert _said(preview["qbo_documents"]) == {memo_change}
        assert made.memo(synced)["TotalAmt"] == Decimal("44.00")
    assert "reduced by" in _memo_entry(preview, made.credit["id"])["effect"]
    [line] = [e for e in owner.get(f"/credits/{made.adjustment}/transactions").json["data"] if e["kind"] == "canceled"]
    assert "the CreditMemo keeping its money reduced by what it had not spent" in line["details"]["qbo"]
