"""Manual credits through HTTP: create, read, list/search/paginate/CSV, edit, delete, history."""
import csv
import io
from concurrent.futures import ThreadPoolExecutor

FIELDS = {"id", "number", "customer_id", "source", "status", "amount", "used", "remaining", "internal_note",
          "external_note", "origin_invoice_id", "return_id", "line_items", "created_at", "qbo_id", "sync_status"}


def _credit(account, amount="10.00", customer=0, **notes):
    reply = account.owner.post("/credits", {"customer_id": account.customers[customer], "amount": amount, **notes})
    assert reply.status == 201, reply.body
    return reply.json


def test_create_and_read_has_contract_fields(account):
    credit = _credit(account, "120.5", internal_note="goodwill")
    assert FIELDS <= set(credit)
    assert (credit["amount"], credit["used"], credit["remaining"]) == ("120.50", "0.00", "120.50")
    assert credit["source"] == "manual" and credit["status"] == "active" and credit["number"].startswith("CR-")
    assert credit["qbo_id"] is None and credit["sync_status"] == "not_synced"
    assert account.owner.get(f"/credits/{credit['id']}").json == credit


def test_unknown_customer_is_404(account):
    assert account.owner.post("/credits", {"customer_id": "nope", "amount": "1.00"}).status == 404


def test_numbers_unique_under_concurrency(account):
    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: _credit(account, "1.00")["number"], range(16)))
    assert len(set(numbers)) == 16


def test_list_filters_search_and_pagination(account):
    a = _credit(account, "1.00", internal_note="Damaged PALLET")
    b = _credit(account, "2.00", customer=1, external_note="thanks for the pallet")
    c = _credit(account, "3.00", internal_note="other")
    ids = [x["id"] for x in account.owner.get("/credits").json["data"]]
    assert ids == [a["id"], b["id"], c["id"]]
    assert [x["id"] for x in account.owner.get("/credits?q=pallet").json["data"]] == [a["id"], b["id"]]
    by_customer = account.owner.get(f"/credits?customer_id={account.customers[1]}").json["data"]
    assert [x["id"] for x in by_customer] == [b["id"]]
    assert account.owner.get("/credits?source=overpayment").json["data"] == []
    seen, cursor = [], None
    while True:
        page = account.owner.get("/credits?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [x["id"] for x in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids


def test_csv_export_has_notes_and_qb_id(account):
    _credit(account, "4.00", internal_note="inside, with comma", external_note="outside")
    reply = account.owner.get("/credits?q=inside", headers={"Accept": "text/csv"})
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.body.decode())))
    assert len(rows) == 1
    assert rows[0]["Internal Notes"] == "inside, with comma" and rows[0]["External Notes"] == "outside"
    assert rows[0]["QB ID"] == "" and rows[0]["Amount"] == "4.00"


def test_edit_amount_and_notes_and_history(account):
    credit = _credit(account, "10.00")
    edited = account.owner.patch(f"/credits/{credit['id']}", {"amount": "12.00", "external_note": "hi"}).json
    assert edited["amount"] == "12.00" and edited["remaining"] == "12.00" and edited["external_note"] == "hi"
    kinds = [e["kind"] for e in account.owner.get(f"/credits/{credit['id']}/transactions").json["data"]]
    assert kinds == ["created", "edited"]


def test_edit_zero_amount_refused(account):
    credit = _credit(account, "10.00")
    reply = account.owner.patch(f"/credits/{credit['id']}", {"amount": "0.00"})
    assert reply.status == 400


def test_soft_delete_hides_from_list_but_keeps_record(account):
    credit = _credit(account, "10.00")
    deleted = account.owner.delete(f"/credits/{credit['id']}")
    assert deleted.status == 200 and deleted.json["status"] == "deleted" and deleted.json["remaining"] == "0.00"
    assert credit["id"] not in [x["id"] for x in account.owner.get("/credits").json["data"]]
    assert credit["id"] in [x["id"] for x in account.owner.get("/credits?status=deleted").json["data"]]
    assert account.owner.get(f"/credits/{credit['id']}").json["status"] == "deleted"
    again = account.owner.patch(f"/credits/{credit['id']}", {"internal_note": "x"})
    assert again.status == 409 and again.json["error"]["code"] == "credit_not_active"


def test_history_records_what_an_edit_changed_and_the_delete(account):
    credit = _credit(account, "10.00", internal_note="a")
    account.owner.patch(f"/credits/{credit['id']}", {"amount": "12.50", "internal_note": "b"})
    account.owner.patch(f"/credits/{credit['id']}", {"internal_note": "b"})  # no change, no event
    account.owner.delete(f"/credits/{credit['id']}")
    events = account.owner.get(f"/credits/{credit['id']}/transactions").json["data"]
    assert [(e["kind"], e["amount"]) for e in events] == [("created", "10.00"), ("edited", "12.50"),
                                                          ("deleted", "12.50")]
    assert events[1]["details"] == {"amount": {"from": 1000, "to": 1250}, "internal_note": {"from": "a", "to": "b"}}


def test_amount_edit_down_to_used_but_not_below(account):
    from tests.ledger_helpers import order, pay

    credit = _credit(account, "10.00")
    pay(account, order(account, "6.00")["invoice_id"], credits=[{"credit_id": credit["id"]}])
    below = account.owner.patch(f"/credits/{credit['id']}", {"amount": "5.99"})
    assert below.status == 409 and below.json["error"]["code"] == "credit_below_used"
    exact = account.owner.patch(f"/credits/{credit['id']}", {"amount": "6.00"}).json
    assert (exact["amount"], exact["used"], exact["remaining"]) == ("6.00", "6.00", "0.00")
