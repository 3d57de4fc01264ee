"""Customers carry sync state like every synced object: written under their version, never losing a QBO link."""
from __future__ import annotations

from chalicelib.store import accounts as accounts_store
from chalicelib.store.accounts import Customers
from chalicelib.store.uow import run_in_transaction


def test_a_rename_that_read_the_customer_before_it_was_linked_keeps_the_link(account):
    customer_id = account.customers[0]
    seen: list[str | None] = []

    def rename(uow):
        customer = Customers(uow).get(customer_id)
        seen.append(customer.sync.qbo_id)
        if len(seen) == 1:  # a push links the QBO customer between our read and our write
            accounts_store.link_customer(account.id, customer_id, "58")
        customer.name = "Corner Deli"
        return customer

    run_in_transaction(account.id, rename)
    assert seen == [None, "58"]  # the stale copy was refused by the version condition and read again
    shown = account.owner.get(f"/customers/{customer_id}").json
    assert (shown["name"], shown["qbo_id"], shown["sync_status"]) == ("Corner Deli", "58", "synced")


def test_a_customer_created_while_the_account_does_not_sync_is_not_pending(account):
    created = account.owner.post("/customers", {"name": "Quiet Customer"}).json
    assert (created["sync_status"], created["qbo_id"], created["sync_error"]) == ("not_synced", None, None)
    renamed = account.owner.patch(f"/customers/{created['id']}", {"name": "Still Quiet"}).json
    assert renamed["sync_status"] == "not_synced"
