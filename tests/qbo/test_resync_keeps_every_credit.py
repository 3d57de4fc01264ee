"""Issue 20 §5: a mass re-sync to a new company keeps every credit, whatever mix the ledger holds.

Built as users and the accountant build it, through the API and the emulator: credits imported from the accountant's
CreditMemos and from their Payments' unapplied amounts (one applied in part to the accountant's own invoice, one to
our invoice, one deleted there), our uses of them, manual credits used, canceled both ways and deleted, an
overpayment credit spent elsewhere, invoice-adjustment credits (one cutting a use of an imported credit), a voided
payment. Then a hard disconnect, a new company connected through consent, the re-sync run to its end: nothing fails,
parity is 0, and the books match the ledger to the cent. A credit imported from the old company is ours from then on:
a CreditMemo we created for what is left of it, which our edits and cancels then change.
"""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from tests.qbo.test_qbo_lifecycle import Lifecycle, _hard_disconnect, life  # noqa: F401 (the fixture)


def _pull(life: Lifecycle) -> None:
    from chalicelib.services.sync.pull import pull_changes

    pull_changes(life.realm.realm_id, client=life.client(life.account.id))


def _settle(life: Lifecycle) -> None:
    """Push until nothing is left (what one push hands on, the next one takes), then read the echoes back."""
    for _ in range(6):
        report = life.push()
        assert not report.parked, report
        if not report.pushed and not report.waiting:
            break
    _pull(life)


def _sale(life: Lifecycle, customer: int, amount: str) -> dict:
    order = life.account.owner.post("/sales-orders", {"customer_id": life.account.customers[customer], "lines": [
        {"description": "Crate", "quantity": "1", "unit_price": amount}], "charges": []})
    assert order.status == 201, order.body
    return life.account.owner.get(f"/invoices/{order.json['invoice_id']}").json


def _pay(life: Lifecycle, invoice: dict, tenders: dict | None = None, credits: list | None = None) -> dict:
    body = {"tenders": [{"method": m, "amount": a} for m, a in (tenders or {}).items()],
            "credits": [{"credit_id": c["id"], "amount": a} for c, a in credits] if credits else None}
    paid = life.account.owner.post(f"/invoices/{invoice['id']}/payments", body)
    assert paid.status == 201, paid.body
    return paid.json


def _reduce(life: Lifecycle, invoice: dict, amount: str) -> dict:
    reduced = life.account.owner.patch(f"/invoices/{invoice['id']}", {"lines": [
        {"description": "fewer", "quantity": "1", "unit_price": amount}]})
    assert reduced.status == 200, reduced.body
    [credit_id] = reduced.json["adjustment_credit_ids"]
    return life.account.owner.get(f"/credits/{credit_id}").json


def _manual(life: Lifecycle, customer: int, amount: str) -> dict:
    made = life.account.owner.post("/credits", {"customer_id": life.account.customers[customer], "amount": amount})
    assert made.status == 201, made.body
    return made.json


def _line(amount: str, txn: str, kind: str) -> dict:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": txn, "TxnType": kind}]}


def _memo_body(customer_ref: str, amount: str) -> dict:
    return {"CustomerRef": {"value": customer_ref}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": amount, "Description": "credit from QBO",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount}}]}


def _imported(life: Lifecycle, qbo_id: str) -> dict:
    [credit] = [c for c in life.account.owner.get("/credits?source=qbo&limit=100").json["data"]
                if c["qbo_id"] == qbo_id]
    return credit


def _our_documents(life: Lifecycle) -> tuple[dict, dict]:
    """Our invoices and manual credits, pushed to the old company."""
    inv = {"I1": _sale(life, 0, "60.00"), "I2": _sale(life, 1, "80.00"), "I3": _sale(life, 1, "35.00"),
           "I4": _sale(life, 0, "40.00"), "I5": _sale(life, 0, "60.00"), "I6": _sale(life, 0, "50.00"),
           "I7": _sale(life, 0, "25.00"), "I8": _sale(life, 1, "70.00"), "I9": _sale(life, 1, "20.00"),
           "I10": _sale(life, 1, "10.00")}
    cr = {"M1": _manual(life, 0, "40.00"), "M2": _manual(life, 1, "15.00"), "M3": _manual(life, 1, "9.00"),
          "M4": _manual(life, 0, "7.00"), "M5": _manual(life, 0, "11.00")}
    _settle(life)
    return inv, cr


def _accountants_credits(life: Lifecycle, inv: dict, cr: dict) -> None:
    """What the accountant makes in the old company, imported by the inbound sync."""
    books = life.books()
    invoice_qbo = {i["DocNumber"]: i for i in books["Invoice"]}
    c0, c1 = (invoice_qbo[inv[name]["number"]]["CustomerRef"]["value"] for name in ("I1", "I2"))
    theirs = life.realm.user_create("Invoice", {"CustomerRef": {"value": c0}, "Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": "30.00",
        "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": "30.00"}}]})
    q1 = life.realm.user_create("CreditMemo", _memo_body(c0, "60.00"))
    q2 = life.realm.user_create("Payment", {"CustomerRef": {"value": c0}, "TotalAmt": "60.00", "Line": []})
    q3 = life.realm.user_create("CreditMemo", _memo_body(c1, "12.00"))
    q4 = life.realm.user_create("CreditMemo", _memo_body(c1, "8.00"))
    q5 = life.realm.user_create("Payment", {"CustomerRef": {"value": c1}, "TotalAmt": "90.00", "Line": [
        _line("70.00", invoice_qbo[inv["I8"]["number"]]["Id"], "Invoice")]})  # our I8 paid, 20.00 unapplied
    # the accountant applies Q1 to their own invoice (10.00) and to our I7 (15.00), then deletes Q4
    life.realm.user_create("Payment", {"CustomerRef": {"value": c0}, "TotalAmt": "0", "Line": [
        _line("10.00", theirs["Id"], "Invoice"), _line("10.00", q1["Id"], "CreditMemo")]})
    life.realm.user_create("Payment", {"CustomerRef": {"value": c0}, "TotalAmt": "0", "Line": [
        _line("15.00", invoice_qbo[inv["I7"]["number"]]["Id"], "Invoice"), _line("15.00", q1["Id"], "CreditMemo")]})
    _pull(life)
    life.realm.control("DELETE", f"objects/CreditMemo/{q4['Id']}")
    _pull(life)
    for name, doc in (("Q1", q1), ("Q2", q2), ("Q3", q3), ("Q4", q4), ("Q5", q5)):
        cr[name] = _imported(life, doc["Id"])
    shown = {name: (cr[name]["amount"], cr[name]["used"], cr[name]["status"]) for name in ("Q1", "Q2", "Q3", "Q4", "Q5")}
    assert shown == {"Q1": ("60.00", "25.00", "active"), "Q2": ("60.00", "0.00", "active"),
                     "Q3": ("12.00", "0.00", "active"), "Q4": ("8.00", "0.00", "voided"),
                     "Q5": ("20.00", "0.00", "active")}, shown


def _our_ledger(life: Lifecycle, inv: dict, cr: dict) -> None:
    """Payments, reductions, cancels, a delete and a void, made by our users."""
    owner = life.account.owner
    cr["OP1"] = owner.get(f"/credits/{_pay(life, inv['I2'], {'check': '100.00'})['overpayment_credit_id']}").json
    _pay(life, inv["I5"], {"cash": "60.00"})
    cr["ADJ1"] = _reduce(life, inv["I5"], "45.00")  # 15.00 kept on the cash Payment's UnappliedAmt
    _pay(life, inv["I1"], {"check": "35.00"}, [(cr["Q1"], "20.00"), (cr["ADJ1"], "5.00")])
    _pay(life, inv["I3"], {"check": "20.00"}, [(cr["OP1"], "10.00"), (cr["Q5"], "5.00")])
    voided = _pay(life, inv["I4"], {"check": "40.00"})
    assert owner.post(f"/payments/{voided['id']}/void", {}).status == 200
    _pay(life, inv["I6"], None, [(cr["M1"], "20.00"), (cr["Q2"], "30.00")])
    cr["ADJ2"] = _reduce(life, inv["I6"], "40.00")  # cuts 10.00 from Q2's use: back on the accountant's Payment
    _pay(life, inv["I7"], {"check": "10.00"})
    _pay(life, inv["I9"], {"check": "11.00"}, [(cr["M2"], "5.00"), (cr["M3"], "4.00")])
    assert owner.post(f"/credits/{cr['M2']['id']}/cancel", {"mode": "balance_only"}).status == 200
    assert owner.post(f"/credits/{cr['M3']['id']}/cancel", {"mode": "revert"}).status == 200
    assert owner.delete(f"/credits/{cr['M4']['id']}").status == 200
    spent = _pay(life, inv["I10"], None, [(cr["Q3"], "6.00")])
    assert owner.post(f"/payments/{spent['id']}/void", {}).status == 200
    _settle(life)


def _differences(life: Lifecycle) -> list:
    parity = life.account.owner.get("/qbo/parity")
    assert parity.status == 200, parity.body
    return parity.json["differences"]


def _books_match_the_ledger(life: Lifecycle, realm_id: str) -> None:
    """Every invoice's Balance is ours; every customer's credit in QBO (memos' RemainingCredit and Payments'
    UnappliedAmt) is what our credits leave them, to the cent."""
    owner, books = life.account.owner, life.books(realm_id)
    for invoice in owner.get("/invoices?limit=100").json["data"]:
        [theirs] = [i for i in books["Invoice"] if i["Id"] == invoice["qbo_id"]]
        assert Decimal(str(theirs["Balance"])) == Decimal(invoice["balance"]), (invoice, theirs)
    customer_of = {c["Id"]: c["DisplayName"] for c in books["Customer"]}
    in_qbo: dict[str, Decimal] = defaultdict(Decimal)
    for memo in books.get("CreditMemo", []):
        in_qbo[customer_of[memo["CustomerRef"]["value"]]] += Decimal(str(memo["RemainingCredit"]))
    for payment in books["Payment"]:
        in_qbo[customer_of[payment["CustomerRef"]["value"]]] += Decimal(str(payment.get("UnappliedAmt") or 0))
    ours: dict[str, Decimal] = defaultdict(Decimal)
    names = {c: owner.get(f"/customers/{c}").json["name"] for c in life.account.customers}
    for credit in owner.get("/credits?limit=100").json["data"]:
        ours[names[credit["customer_id"]]] += Decimal(credit["remaining"])
    assert {k: v for k, v in in_qbo.items() if v} == {k: v for k, v in ours.items() if v}


def _reissued_memo(life: Lifecycle, realm_id: str, credit: dict) -> dict:
    shown = life.account.owner.get(f"/credits/{credit['id']}").json
    assert shown["source"] == "qbo" and shown["sync_status"] == "synced" and shown["qbo_id"], shown
    [memo] = [m for m in life.books(realm_id)["CreditMemo"] if m["Id"] == shown["qbo_id"]]
    assert memo["DocNumber"] == shown["number"] and f"[cc:credit:{shown['id']}]" in memo["PrivateNote"], memo
    return memo


def _imported_credits_are_memos_of_ours(life: Lifecycle, realm_id: str, cr: dict) -> None:
    """What is left of each imported credit (its amount less what the old company applied of it) is a memo of ours;
    its uses link it, so RemainingCredit is what our credit (and the adjustment credit kept in it) has left."""
    q1, q2, q3, q5 = (_reissued_memo(life, realm_id, cr[n]) for n in ("Q1", "Q2", "Q3", "Q5"))
    assert (q1["TotalAmt"], q1["RemainingCredit"]) == (Decimal("50.00"), Decimal("15.00"))  # 60 - 10 applied there
    assert (q2["TotalAmt"], q2["RemainingCredit"]) == (Decimal("60.00"), Decimal("40.00"))  # 30 left + ADJ2's 10
    assert (q3["TotalAmt"], q3["RemainingCredit"]) == (Decimal("12.00"), Decimal("12.00"))
    assert (q5["TotalAmt"], q5["RemainingCredit"]) == (Decimal("20.00"), Decimal("15.00"))
    shown = life.account.owner.get(f"/credits/{cr['Q4']['id']}").json
    assert (shown["status"], shown["qbo_id"]) == ("voided", None)  # nothing is left of it: no memo
    history = life.account.owner.get(f"/credits/{cr['Q1']['id']}/transactions").json["data"]
    assert [e["kind"] for e in history].count("reissued") == 1


def _ours_from_then_on(life: Lifecycle, realm_id: str, cr: dict) -> None:
    """Edits and cancels of a reissued credit (and of the adjustment credit kept in its memo) push like ours."""
    owner = life.account.owner
    assert owner.patch(f"/credits/{cr['Q3']['id']}", {"amount": "14.00", "external_note": "thanks"}).status == 200
    assert owner.post(f"/credits/{cr['ADJ2']['id']}/cancel", {"mode": "balance_only"}).status == 200
    assert owner.post(f"/credits/{cr['Q1']['id']}/cancel", {"mode": "balance_only"}).status == 200
    _settle(life)
    memos = {m["DocNumber"]: m for m in life.books(realm_id)["CreditMemo"]}
    q3 = memos[cr["Q3"]["number"]]
    assert (q3["TotalAmt"], q3["CustomerMemo"]["value"]) == (Decimal("14.00"), "thanks")
    assert (memos[cr["Q1"]["number"]]["TotalAmt"], memos[cr["Q1"]["number"]]["RemainingCredit"]) == (
        Decimal("35.00"), Decimal("0.00"))  # shrunk to what its uses link
    assert memos[cr["Q2"]["number"]]["RemainingCredit"] == Decimal("30.00")  # ADJ2's 10.00 gone with it
    assert _differences(life) == []
    _books_match_the_ledger(life, realm_id)


def test_a_resync_to_a_new_company_keeps_every_credit_and_ends_at_parity(life, monkeypatch):
    from chalicelib.services.sync import reissue

    monkeypatch.setattr(reissue, "CHUNK", 1)  # Q2's use and ADJ2 move in transactions of their own, then Q2
    owner, staff = life.account.owner, life.account.staff
    life.connect()
    _pull(life)  # the first read of the company sets the watermark
    inv, cr = _our_documents(life)
    _accountants_credits(life, inv, cr)
    _our_ledger(life, inv, cr)
    diffs = _differences(life)
    assert diffs == []  # the old company matched the ledger
    assert owner.post(f"/credits/{cr['ADJ2']['id']}/cancel", {"mode": "balance_only"}).status == 409  # QBO's money
    assert owner.patch(f"/credits/{cr['Q3']['id']}", {"amount": "14.00"}).status == 409  # follows QBO
    before = {c["id"]: (c["amount"], c["used"], c["remaining"], c["status"])
              for c in owner.get("/credits?limit=100").json["data"]}

    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    started = staff.post("/qbo/resyncs", {})
    assert started.status == 202, started.body
    done = life.drain(started.json["id"])
    assert done["status"] == "done" and done["failed"] == 0 and done["errors"] == [], json.dumps(done)
    assert done["done"] == done["total"], done
    _settle(life)
    assert [e for e in staff.get("/qbo/status").json["errors"]] == []
    assert _differences(life) == []
    after = {c["id"]: (c["amount"], c["used"], c["remaining"], c["status"])
             for c in owner.get("/credits?limit=100").json["data"]}
    assert after == before  # the re-sync changed no credit's money
    for credit in owner.get("/credits?limit=100").json["data"]:
        assert credit["sync_status"] in ("synced", "not_synced"), credit
    _books_match_the_ledger(life, company["realm_id"])
    _imported_credits_are_memos_of_ours(life, company["realm_id"], cr)
    _ours_from_then_on(life, company["realm_id"], cr)


def test_an_imported_credit_spent_before_the_resync_waits_for_it_with_a_reason_then_syncs(life):
    """Connected to the new company but not yet re-synced, a use of a credit imported from the old one cannot be
    linked: the credit says the re-sync reissues it, and after the re-sync everything is at parity."""
    owner, staff = life.account.owner, life.account.staff
    life.connect()
    invoice = _sale(life, 0, "30.00")
    _settle(life)
    [theirs] = life.books()["Invoice"]
    memo = life.realm.user_create("CreditMemo", _memo_body(theirs["CustomerRef"]["value"], "25.00"))
    _pull(life)
    credit = _imported(life, memo["Id"])
    _hard_disconnect(life)
    company = life.new_company()
    life.connect(company["realm_id"])
    _pay(life, invoice, {"cash": "10.00"}, [(credit, "20.00")])
    life.push()
    shown = owner.get(f"/credits/{credit['id']}").json
    assert shown["sync_status"] == "error" and "re-sync" in shown["sync_error"], shown
    done = life.drain(staff.post("/qbo/resyncs", {}).json["id"])
    assert done["status"] == "done" and done["failed"] == 0, json.dumps(done)
    for _ in range(4):
        if not life.push().pushed:
            break
    assert _differences(life) == []
    memo = _reissued_memo(life, company["realm_id"], credit)
    assert (memo["TotalAmt"], memo["RemainingCredit"]) == (Decimal("25.00"), Decimal("5.00"))
    _books_match_the_ledger(life, company["realm_id"])
