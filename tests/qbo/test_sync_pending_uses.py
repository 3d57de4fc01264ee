"""A credit use waits in the pending index under an id holding a "#" (`<credit id>#<use id>`): every reader of that
index (sweeper, status panel, relay) must keep the id whole. Found by the soak (tests/soak): the sweeper crashed on
the first pending use it met, so no stale change of any account was hinted again."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def _pending_use(synced) -> str:
    owner, customer = synced.account.owner, synced.account.customers[0]
    credit = owner.post("/credits", {"customer_id": customer, "amount": "10.00"}).json
    order = owner.post("/sales-orders", {"customer_id": customer, "charges": [], "lines": [
        {"description": "case", "quantity": "1", "unit_price": "25.00"}]}).json
    paid = owner.post(f"/invoices/{order['invoice_id']}/payments",
                      {"tenders": [], "credits": [{"credit_id": credit["id"], "amount": "4.00"}]})
    assert paid.status == 201, paid.body
    return f"{credit['id']}#{paid.json['credit_uses'][0]['id']}"


def test_the_sweeper_hints_an_account_whose_pending_changes_include_a_credit_use(synced):
    from chalicelib.store.sync_state import all_waiting
    from chalicelib.workers import sweeper

    use = _pending_use(synced)
    mine = [w for w in all_waiting() if w.account_id == synced.account.id]
    assert ("use", use) in {(w.kind, w.object_id) for w in mine}
    sent = []
    report = sweeper.run(datetime.now(timezone.utc) + timedelta(seconds=600), send=sent.extend)
    assert synced.account.id in report.hinted


def test_a_parked_use_shows_on_the_status_panel_as_a_use(synced):
    from chalicelib.services.sync.record import record

    use = _pending_use(synced)
    record(synced.account.id, "use", use, lambda s: s.failed(code="6000", message="refused"))
    errors = synced.account.owner.get("/qbo/status").json["errors"]
    assert [(e["object_type"], e["object_id"]) for e in errors] == [("use", use)]
