"""Items written before the read indexes existed show up in the lists once backfilled (and only once)."""
from chalicelib.store.backfill import backfill_account
from chalicelib.store.models import account_pk
from chalicelib.store.tables import dynamodb_client
from tests.ledger_helpers import credit, order, pay


def _strip_index_keys(account_id: str) -> None:
    """Make the account look as it did before this release: no gsi3 keys, no gsi1 keys on payments and returns."""
    import os

    client, table = dynamodb_client(), os.environ["CREDITS_TABLE"]
    items = client.query(TableName=table, KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}})["Items"]
    for raw in items:
        drop = ["gsi3pk", "gsi3sk"] + (["gsi1pk", "gsi1sk"] if raw["sk"]["S"].split("#")[0] in ("PAY", "RET") else [])
        client.update_item(TableName=table, Key={"pk": raw["pk"], "sk": raw["sk"]},
                           UpdateExpression="REMOVE " + ", ".join(drop))


def test_backfill_makes_old_items_listable_once(account):
    c = credit(account, "8.00")
    inv = order(account, "20.00")["invoice_id"]
    p = pay(account, inv, "15.00", credits=[{"credit_id": c["id"]}])  # the credit pays 5.00, keeps 3.00
    ret = account.owner.post("/returns", {"customer_id": account.customers[0], "lines": [
        {"product_id": "P", "quantity": 1, "unit_price": "1.00"}]}).json
    summary = f"/customers/{account.customers[0]}/credit-summary?as_of=2100-01-01"
    before = account.owner.get(summary).json["available_credit"]
    _strip_index_keys(account.id)
    assert account.owner.get("/customers").json["data"] == []
    assert account.owner.get(f"/payments?invoice_id={inv}").json["data"] == []
    assert account.owner.get(summary).json["available_credit"] == "0.00"
    updated = backfill_account(account.id)
    assert updated["CUST"] == 2 and updated["PAY"] == 1 and updated["RET"] == 1 and updated["CREDITEV"] >= 2
    assert len(account.owner.get("/customers").json["data"]) == 2
    assert [x["id"] for x in account.owner.get(f"/payments?invoice_id={inv}").json["data"]] == [p["id"]]
    customer = account.customers[0]
    assert [x["id"] for x in account.owner.get(f"/payments?customer_id={customer}").json["data"]] == [p["id"]]
    assert [x["id"] for x in account.owner.get(f"/returns?customer_id={customer}").json["data"]] == [ret["id"]]
    assert account.owner.get(summary).json["available_credit"] == before == "3.00"
    assert sum(backfill_account(account.id).values()) == 0

