"""The ledger invariants of DESIGN §3, checked from what the API shows."""
from __future__ import annotations

from decimal import Decimal


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def all_credits(account) -> list[dict]:
    credits, cursor = [], None
    for status in ("active", "canceled", "deleted", "voided"):
        cursor = None
        while True:
            page = account.owner.get(f"/credits?limit=100&status={status}" + (f"&cursor={cursor}" if cursor else"")).json
            credits += page["data"]
            cursor = page["next_cursor"]
            if not cursor:
                break
    return credits


def check_ledger(account, invoice_ids: list[str]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Every credit and invoice obeys the balance rules; every cent of every payment is accounted for.

    Returns what it read (credits and invoices by id) so callers can compare it with their own expectations.
    """
    credits = {c["id"]: c for c in all_credits(account)}
    invoices = [account.owner.get(f"/invoices/{i}").json for i in invoice_ids]
    active_uses: dict[str, int] = {cid: 0 for cid in credits}
    for inv in invoices:
        total, paid = cents(inv["total"]), cents(inv["paid"])
        assert 0 <= paid <= total, inv
        assert cents(inv["balance"]) == total - paid
        expected_status = "unpaid" if paid == 0 and total > 0 else ("fully_paid" if paid >= total else "partially_paid")
        assert inv["status"] == expected_status, inv
        adjusted = cents(inv["adjusted_to_credit"])
        assert adjusted >= 0
        applied = 0
        for p in inv["payments"]:
            uses = sum(cents(u["amount"]) for u in p["credit_uses"] if u["voided_at"] is None)
            tenders = sum(cents(t["amount"]) for t in p["tenders"])
            over = p["overpayment_credit_id"]
            if p["status"] == "active":
                for u in p["credit_uses"]:
                    if u["voided_at"] is None:
                        active_uses[u["credit_id"]] += cents(u["amount"])
                        assert credits[u["credit_id"]]["origin_invoice_id"] != inv["id"], "credit paid its own invoice"
                over_amount = cents(credits[over]["amount"]) if over else 0
                assert cents(p["applied"]) == uses + tenders - over_amount, p
                if over:
                    assert credits[over]["status"] == "active" and credits[over]["origin_payment_id"] == p["id"]
                applied += cents(p["applied"])
            else:
                assert all(u["voided_at"] for u in p["credit_uses"]), p
                assert cents(p["applied"]) == 0
                if over:
                    assert credits[over]["status"] in ("voided", "deleted")
        if inv["deleted"]:
            assert paid == 0 and all(p["status"] == "voided" for p in inv["payments"])
        else:
            assert paid == applied - adjusted, (inv, applied, adjusted)
    for cid, credit in credits.items():
        amount, used, remaining = cents(credit["amount"]), cents(credit["used"]), cents(credit["remaining"])
        assert 0 <= used <= amount, credit
        assert used == active_uses[cid], (credit, active_uses[cid])
        assert remaining == (amount - used if credit["status"] == "active" else 0), credit
    return credits, {inv["id"]: inv for inv in invoices}
