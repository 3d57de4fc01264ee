"""A retry sent with an Idempotency-Key (as the web console sends every mutating call) pushes once and answers
once; its replay answers the same without a second push (found by the console's browser journey)."""
from tests.qbo.test_sync_status import _use_item


def test_a_retry_with_an_idempotency_key_pushes_and_its_replay_answers_the_same(synced):
    owner = synced.account.owner
    _use_item(synced.account.id, "999")  # QBO answers 2500: parked
    credit = owner.post("/credits", {"customer_id": synced.account.customers[0], "amount": "12.00"}).json
    assert synced.push().parked == [("credit", credit["id"])]
    _use_item(synced.account.id, None)
    headers = {"Idempotency-Key": "console-retry-1"}
    first = owner.post(f"/qbo/objects/credit/{credit['id']}/retry", headers=headers)
    assert first.status == 200, first.body
    assert first.json["outcome"] == "pushed" and first.json["qbo_id"]
    again = owner.post(f"/qbo/objects/credit/{credit['id']}/retry", headers=headers)
    assert (again.status, again.json) == (200, first.json)
    assert len(synced.books("CreditMemo")) == 1
