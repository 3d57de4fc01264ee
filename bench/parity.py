"""Parity check (issue 12 §6): QBO requests and time for an account with 5,000 credits and 5,000 invoices, against the
floor of paged queries at 1,000 rows per page.

Seeding 10,000 objects through the API (and their pushes) would take most of an hour, so both sides are written
directly and equal: the ledger the way the repositories write it (already synced: QBO ids, nothing pending), the
emulator's books in one validated commit (its derived Balance / RemainingCredit / UnappliedAmt computed by the
emulator itself). Then a handful of differences is injected (the accountant edits a memo, changes a PaymentRefNum,
deletes a payment; our side loses a credit's QBO id) and the check must find exactly those.

Measured: QBO requests (counted by the client and by the emulator), the paced time on a virtual clock (the check's
own Pacer decides every wait: QBO allows 500 requests/min), and the wall time here (DynamoDB Local + emulator).
Floor: ceil(rows / 1,000) queries per entity, paced at 500 requests/min.
"""
from __future__ import annotations

import math
import os
import sys
import time

import requests

from support import connected_account, local_table

CUSTOMERS, INVOICES, PAID, OVERPAID_EVERY = 100, 5_000, 2_500, 5
MANUAL_CREDITS = 5_000 - PAID // OVERPAID_EVERY  # plus one overpayment credit per overpaid payment: 5,000 credits
NOW = "2026-11-01T00:00:00.000000Z"


def _synced(entity, qbo_id: str):
    from chalicelib.domain.sync import SyncState

    entity.sync = SyncState(qbo_id=qbo_id, sync_token="0", version=1, synced_version=1)
    return entity


def seed(account_id: str, books) -> dict:
    """Both sides, equal: customers, invoices (half paid by a tender payment, every fifth of those overpaid: an
    overpayment credit kept in the Payment's UnappliedAmt), open manual credits as CreditMemos."""
    from chalicelib.domain.credits import Credit, CreditSource
    from chalicelib.domain.invoices import Invoice, Line
    from chalicelib.domain.payments import Payment, Tender, TenderMethod
    from chalicelib.domain.sync_plan import memo_plan
    from chalicelib.qbo.mapping import Ref, credit_memo_doc, customer_doc, invoice_doc, tender_payment_doc, Link
    from chalicelib.store.ids import new_id
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.models import CustomerItem, account_pk
    from chalicelib.store.uow import UnitOfWork

    book = Ledger(UnitOfWork(account_id))
    pk, item_ref = account_pk(account_id), Ref("1")
    items, docs = [], {"Customer": {}, "Invoice": {}, "Payment": {}, "CreditMemo": {}}
    next_id = [1000]

    def doc(entity: str, body: dict) -> str:
        next_id[0] += 1
        qbo_id = str(next_id[0])
        docs[entity][qbo_id] = {**body, "Id": qbo_id, "SyncToken": "0", "domain": "QBO", "sparse": False,
                                "MetaData": {"CreateTime": "2026-11-01T00:00:00-00:00",
                                             "LastUpdatedTime": "2026-11-01T00:00:00-00:00"}}
        return qbo_id

    def save(repo, entity) -> None:
        item = repo.model(pk, repo.sk(repo.id_of(entity)))
        repo.to_item(entity, item)
        items.append(item)

    customers = []
    for n in range(CUSTOMERS):
        name = f"Bench customer {n:05d}"
        qbo_id = doc("Customer", customer_doc(name))
        item = CustomerItem(pk, f"CUST#{new_id()}", name=name, created_at=NOW, qbo_id=qbo_id, sync_status="synced")
        item.id = item.sk.split("#", 1)[1]
        customers.append((item.id, qbo_id))
        items.append(item)
    for n in range(INVOICES):
        customer, customer_qbo = customers[n % CUSTOMERS]
        paid = 100_00 if n < PAID else 0
        invoice = Invoice(id=new_id(), number=f"{1000 + n}", sales_order_id=new_id(), customer_id=customer,
                          lines=[Line("goods", "1", 100_00)], charges=[], created_at=NOW, paid=paid)
        invoice_qbo = doc("Invoice", invoice_doc(invoice, customer=Ref(customer_qbo), item=item_ref))
        if n < PAID:
            tender = 120_00 if n % OVERPAID_EVERY == 0 else 100_00
            payment = Payment(id=new_id(), number=f"P{n}", invoice_id=invoice.id, customer_id=customer,
                              tenders=[Tender(TenderMethod.CHECK, tender)], credit_uses=[], tender_applied=100_00,
                              created_at=NOW)
            payment_qbo = doc("Payment", tender_payment_doc(payment, customer=Ref(customer_qbo),
                                                            links=[Link(invoice_qbo, "Invoice", 100_00)]))
            if tender > 100_00:
                credit = Credit.issue(id=new_id(), number=f"CR-O{n}", customer_id=customer,
                                      source=CreditSource.OVERPAYMENT, amount=tender - 100_00, now=NOW,
                                      origin_invoice_id=invoice.id, origin_payment_id=payment.id)
                payment.overpayment_credit_id = credit.id
                save(book.credits, _synced(credit, payment_qbo))
            invoice.payment_ids.append(payment.id)
            save(book.payments, _synced(payment, payment_qbo))
        save(book.invoices, _synced(invoice, invoice_qbo))
    for n in range(MANUAL_CREDITS):
        customer, customer_qbo = customers[n % CUSTOMERS]
        credit = Credit.issue(id=new_id(), number=f"CR-{1001 + n}", customer_id=customer, source=CreditSource.MANUAL,
                              amount=5_00 + n, now=NOW, internal_note=f"bench {n}")
        save(book.credits, _synced(credit, doc("CreditMemo", credit_memo_doc(credit, memo_plan(credit),
                                                                              customer=Ref(customer_qbo), item=item_ref))))
    with CustomerItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    with books.lock:  # one validated commit: the emulator derives every Balance / RemainingCredit / UnappliedAmt
        for entity, objs in docs.items():
            for obj in objs.values():
                books._normalize(entity, obj)
        books._commit(docs, None)
        books._next_id = next_id[0] + 1
    return {entity: len(objs) for entity, objs in docs.items()}


def corrupt(control: str, account_id: str, emulator_books) -> set[tuple[str, str | None]]:
    """A handful of differences on both sides; answers the (kind, object type) the check must report."""
    from chalicelib.services.sync.record import record
    from chalicelib.store import account_items

    memo = list(emulator_books.objects["CreditMemo"].values())[-1]
    requests.post(f"{control}/objects/CreditMemo/{memo['Id']}", json={"Line": [{
        "DetailType": "SalesItemLineDetail", "Amount": 1, "SalesItemLineDetail": {"ItemRef": {"value": "1"},
                                                                                  "Qty": 1, "UnitPrice": 1}}]},
                  timeout=10).raise_for_status()
    payments = [p for p in emulator_books.objects["Payment"].values() if p.get("UnappliedAmt") == 0]
    requests.post(f"{control}/objects/Payment/{payments[0]['Id']}", json={"PaymentRefNum": "EDITED"},
                  timeout=10).raise_for_status()
    requests.delete(f"{control}/objects/Payment/{payments[1]['Id']}", timeout=10).raise_for_status()
    credit = next(c for c in account_items.page_of_kind(account_id, "credit", None, 1000).items
                  if c.source == "manual")
    record(account_id, "credit", credit.id, lambda s: s.pushed(s.version, qbo_id=None, sync_token=None))
    return {("credit_source", "credit"), ("customer_credit", "customer"), ("payment_ref", "payment"),
            ("missing_in_qbo", "payment"), ("invoice_balance", "invoice"), ("unlinked", "credit")}


def main() -> None:
    from chalicelib.domain.pacing import floor_seconds
    from chalicelib.qbo.client import build_client
    from chalicelib.qbo.config import QboSettings
    from chalicelib.services.sync import parity_check
    from devstack.qbo_emulator import start_emulator

    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with local_table():
        emulator = start_emulator(port=0)
        try:
            company = requests.post(f"{emulator.url}/_control/companies", json={}, timeout=10).json()
            control = f"{emulator.url}/_control/companies/{company['realm_id']}"
            requests.post(f"{control}/limits", json={"enabled": False}, timeout=10)  # our Pacer is measured
            account_id = connected_account(emulator.url, company)
            books = emulator.state.companies[company["realm_id"]].books
            started = time.perf_counter()
            counts = seed(account_id, books)
            print(f"seeded in {time.perf_counter() - started:.1f} s: ledger {parity_check.ledger_size(account_id)} "
                  f"credits+invoices+payments; QBO books {counts}")
            settings = QboSettings(environment=emulator.discovery_url, api_base=emulator.api_base,
                                   client_id=company["client_id"], client_secret=company["client_secret"],
                                   redirect_uri=company.get("redirect_uri", ""), backoff_base=0.001, backoff_max=0.01)
            floor_pages = sum(math.ceil(counts[e] / parity_check.PAGE_SIZE) for e in ("CreditMemo", "Payment",
                                                                                       "Invoice"))
            floor_time = floor_seconds(0, floor_pages)
            for label, expected in (("clean", set()), ("corrupted", None)):
                if expected is None:
                    expected = corrupt(control, account_id, books)
                client = build_client(account_id, settings=settings)
                before = requests.get(f"{control}/stats", timeout=10).json()
                virtual = [0.0]
                started = time.perf_counter()
                report = parity_check.check(account_id, client, clock=lambda: virtual[0],
                                            sleep=lambda s: virtual.__setitem__(0, virtual[0] + s))
                wall = time.perf_counter() - started
                after = requests.get(f"{control}/stats", timeout=10).json()
                served = {k: after.get(k, 0) - before.get(k, 0) for k in after if isinstance(after.get(k), int)}
                found = {(d.kind.value, d.object_type) for d in report.differences}
                paced = virtual[0] + 60 / 500  # the last request's own slot
                print(f"{label}: {len(report.differences)} differences {sorted(found, key=str)}")
                print("  seconds by phase: " + ", ".join(f"{k} {v:.1f}" for k, v in report.phases.items()))
                print(f"  QBO requests {report.qbo_requests} (emulator served {served}); pages {report.pages}; "
                      f"floor {floor_pages} pages: {report.qbo_requests / floor_pages:.2f} x the floor")
                print(f"  paced time (virtual clock) {paced:.2f} s vs floor {floor_time:.2f} s: "
                      f"{paced / floor_time:.2f} x; wall here {wall:.1f} s ({report.seconds:.1f} s in check, "
                      f"{report.qbo_documents} QBO documents, ledger {report.counts})")
                if found != expected:
                    print(f"  !! expected {sorted(expected, key=str)}")
        finally:
            emulator.stop()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
