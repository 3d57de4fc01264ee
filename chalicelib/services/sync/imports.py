"""One changed QBO document into our ledger (DESIGN §7 inbound): import it once, follow it, or judge our own.

Each document is handled in one transaction of the account: the QBMAP item written with attribute_not_exists in
the same commit as the imported credit is what makes a second import (duplicate webhook, overlapping CDC read,
a concurrent worker) impossible; the loser of a race re-runs and finds the mapping, so it only follows QBO.
Imported credits are written as already pushed (qbo_id and SyncToken set, nothing pending): they never echo back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from ...domain import imports as rules
from ...domain import sync_kinds, sync_plan
from ...domain.credits import Credit, CreditInUse, CreditSource, CreditStatus
from ...domain.errors import DomainError
from ...domain.payments import Payment, PaymentCreditUse, Tender, TenderMethod
from ...domain.sync import SyncState, drift_text
from ...domain.sync_kinds import use_key
from ...ports.qbo import QboApi
from ...qbo import inbound as docs
from ...qbo.errors import QboNotFoundError
from ...qbo.mapping import find_marker
from ...store import reads
from ...store.accounts import Customers
from ...store.ids import new_id, utc_now
from ...store.inbound import Drifts, QboMaps, map_id
from ...store.ledger import Ledger, LedgerBook
from ...store.uow import UnitOfWork, run_in_transaction
from ..postings import issue_credit, payment_links, take_back, void_payment_and_release
from .record import OWN_PREFIX

logger = logging.getLogger(__name__)
IMPORTED, FOLLOWED, ECHO, DRIFT, REFUSED, IGNORED = "imported", "followed", "echo", "drift", "refused", "ignored"


@dataclass
class ImportContext:
    """One change read of one account: its QBO client, and the QBO customers already read during it."""

    account_id: str
    client: QboApi
    customer_names: dict[str, str] = field(default_factory=dict)
    documents: dict[tuple[str, str], dict] = field(default_factory=dict)  # (entity, id) → doc read in this run

    def known(self, entity: str, docs_read: list[dict]) -> None:
        """Documents this run already read (CDC): linked ones are looked up here before asking QBO."""
        self.documents.update({(entity, str(doc["Id"])): doc for doc in docs_read if "Id" in doc})

    def document(self, entity: str, qbo_id: str) -> dict | None:
        if (entity, qbo_id) not in self.documents:
            try:
                self.documents[(entity, qbo_id)] = self.client.read(entity, qbo_id)
            except QboNotFoundError:
                self.documents[(entity, qbo_id)] = {"Id": qbo_id, "status": "Deleted"}
        return self.documents[(entity, qbo_id)]

    def customer_name(self, qbo_id: str) -> str:
        if qbo_id not in self.customer_names:
            self.customer_names[qbo_id] = str(self.client.read("Customer", qbo_id).get("DisplayName") or qbo_id)
        return self.customer_names[qbo_id]


def apply_change(ctx: ImportContext, entity: str, doc: dict) -> str:
    """Handle one changed document; answers what happened (imported, followed, echo, drift, refused, ignored)."""
    marker = docs.ours(doc)
    if marker is None and docs.is_gone(doc):
        marker = _own_mapping(ctx, entity, str(doc["Id"]))  # a tombstone has no marker left to read
    if marker is not None:
        return _judge_own(ctx, entity, doc, marker)
    if entity == "CreditMemo":
        return _credit_from(ctx, entity, doc, lambda before: rules.memo_terms(
            docs.cents(doc, "TotalAmt"), docs.cents(doc, "RemainingCredit"),
            internal_note=doc.get("PrivateNote") or "", external_note=docs.customer_memo(doc)))
    if entity == "Payment":
        applications = _record_applications(ctx, doc)
        landed = _our_lines_landed(ctx, doc)
        credit = _credit_from(ctx, entity, doc, lambda before: rules.unapplied_terms(
            docs.cents(doc, "TotalAmt"), docs.cents(doc, "UnappliedAmt"), imported_amount=before, landed=landed))
        return applications if credit == IGNORED else credit
    return IGNORED  # invoices made in QBO are not ours to import; our own ones were judged above


def _credit_from(ctx: ImportContext, entity: str, doc: dict, terms_for: Callable[[int | None], rules.QboCreditTerms]
                 ) -> str:
    """Import a credit-bearing document once, or make the credit imported from it follow it."""
    qbo_id, now = str(doc["Id"]), utc_now()
    gone = docs.is_gone(doc) or (entity == "Payment" and docs.is_voided_payment(doc))
    customer_ref = docs.customer_ref(doc)

    def noted(before: int | None) -> rules.QboCreditTerms:  # a document without a note: ours says where it came from
        terms = terms_for(before)
        return replace(terms, internal_note=terms.internal_note or f"imported from QuickBooks {entity} {qbo_id}")

    def write(uow: UnitOfWork) -> str:
        book, maps = Ledger(uow), QboMaps(uow)
        known = maps.find(map_id(entity, qbo_id))
        if known is not None:
            return _follow(book, book.credits.get(known.object_id), doc, gone, noted, now)
        if gone or customer_ref is None:
            return IGNORED
        terms = noted(None)
        if terms.nothing_to_credit:
            return IGNORED  # nothing to credit (a fully applied payment)
        customer_id = _customer(ctx, uow, customer_ref, now)
        credit = issue_credit(book, customer_id=customer_id, source=CreditSource.QBO, amount=terms.amount, now=now,
                              internal_note=terms.internal_note,
                              external_note=terms.external_note, applied_in_qbo=terms.applied,
                              imported_from=entity)
        credit.sync.pushed(credit.sync.version, qbo_id=qbo_id, sync_token=str(doc.get("SyncToken")))
        maps.new(map_id(entity, qbo_id), object_type="credit", object_id=credit.id, created_at=now)
        return IMPORTED

    return run_in_transaction(ctx.account_id, write)


def _follow(book: Ledger, credit: Credit, doc: dict, gone: bool,
            terms_for: Callable[[int | None], rules.QboCreditTerms], now: str) -> str:
    """An imported credit follows its document; a refusal goes on the credit's sync error (the status panel)."""
    token = None if gone else str(doc.get("SyncToken"))
    if token is not None and token == credit.sync.sync_token and not credit.sync.error:
        return ECHO  # the same version again (duplicate webhook, overlapping read)
    try:
        uses = book.uses.of_credit(credit.id, active_only=True) if credit.used else []
        if gone:
            if credit.status is not CreditStatus.ACTIVE:
                return IGNORED
            rules.void_imported(credit, now=now, active_uses=uses)
        else:
            # QBO's applied amount already holds our uses it knows: those it told us of, and those we pushed
            rules.follow_qbo(credit, terms_for(credit.amount), now=now, recorded=rules.recorded_in_qbo(credit, uses))
    except (CreditInUse, rules.ImportedCreditInUse) as refused:
        logger.warning("qbo change to credit %s refused: %s", credit.id, refused)
        credit.sync.failed(code=refused.code, message=str(refused))
        return REFUSED
    credit.sync.pushed(credit.sync.version, qbo_id=credit.sync.qbo_id, sync_token=token or credit.sync.sync_token)
    return FOLLOWED


def _customer(ctx: ImportContext, uow: UnitOfWork, qbo_id: str, now: str) -> str:
    """Our customer for a QBO customer: mapped before, else one of ours of the same name, else a new one."""
    maps, customers = QboMaps(uow), Customers(uow)
    known = maps.find(map_id("Customer", qbo_id))
    if known is not None:
        return known.object_id
    name = ctx.customer_name(qbo_id)  # read from QBO once per run (cached), so a re-run of this use case reads none
    same_name = [c for c in reads.customers(ctx.account_id, name_prefix=name, limit=20, after=None).items
                 if c.name.casefold() == name.casefold() and c.qbo_id in (None, qbo_id)]
    if same_name:
        customer = customers.get(same_name[0].id)
        customer.qbo_id = qbo_id
    else:
        customer_id = new_id()
        customer = customers.new(customer_id, id=customer_id, name=name, created_at=now, qbo_id=qbo_id)
        reads.index_customer_name(ctx.account_id, customer)
    maps.new(map_id("Customer", qbo_id), object_type="customer", object_id=customer.id, created_at=now)
    return customer.id


# kind -> repository of the documents of ours read back and judged here (a use is judged as its linking Payment)
OWN_KINDS = {k.name: k.repository for k in sync_kinds.KINDS if k.read_back and k.name != sync_kinds.USE.name}
# OWN_PREFIX: QBMAP object_type of a document we created (recorded when the push learns its id, or its echo is read)


def judged_as_own(kind: str, entity: str) -> bool:
    """Whether a document of `entity` marked as our `kind` is judged as that object's own document (a credit only
    by its CreditMemo: an overpayment credit lives on its payment's Payment, judged as the payment)."""
    return kind in OWN_KINDS and (kind != "credit" or entity == "CreditMemo")


def _own_mapping(ctx: ImportContext, entity: str, qbo_id: str) -> tuple[str, str] | None:
    """(kind, id) of our object behind a QBO document, from the mapping written when its echo was first read."""
    known = QboMaps(UnitOfWork(ctx.account_id)).find(map_id(entity, qbo_id))
    if known is None or not known.object_type.startswith(OWN_PREFIX):
        return None
    return known.object_type[len(OWN_PREFIX):], known.object_id


def _ours_view(kind: str, entity: Any, book: Ledger) -> dict:
    """What QBO should show of our object's money (compare with `docs.money_view`); a memo's total is its credit's
    less what removed adjustment credits gave up in it, as the push writes it."""
    if kind == "credit":
        total = (sync_plan.plan_memo(LedgerBook(book), entity).total
                 if entity.source is not CreditSource.OVERPAYMENT else None)
        return {"exists": total != 0, "total": total} if total else {"exists": False}
    if kind == "payment":
        return {"exists": True, "total": entity.tender_total if entity.active else 0}
    return {"exists": not entity.deleted, "total": entity.total} if not entity.deleted else {"exists": False}


def _theirs_view(entity: str, doc: dict) -> dict:
    """What QBO shows of our document's money, in `_ours_view`'s terms: a voided invoice (QBO marks it as it marks a
    voided Payment) is no document, as our deleted invoice is, so our own void read back is never drift."""
    if entity == "Invoice" and docs.is_voided_payment(doc):
        return {"exists": False}
    return docs.money_view(entity, doc)


def _judge_own(ctx: ImportContext, entity: str, doc: dict, marker: tuple[str, str]) -> str:
    """Our own document came back: our echo (skip), an older read (skip), or the accountant's change (drift)."""
    kind, object_id = marker
    if kind == "use" and entity == "Payment":
        return _judge_own_use(ctx, doc, object_id)
    if not judged_as_own(kind, entity):
        return IGNORED  # an overpayment credit's payment (judged as the payment)
    now = utc_now()

    def write(uow: UnitOfWork) -> str:
        book = Ledger(uow)
        mine = getattr(book, OWN_KINDS[kind]).find(object_id)
        if mine is None or (mine.sync.qbo_id and mine.sync.qbo_id != str(doc["Id"])):
            return IGNORED  # not this account's, or a document we replaced
        maps = QboMaps(uow)
        if not docs.is_gone(doc) and maps.find(map_id(entity, str(doc["Id"]))) is None:
            maps.new(map_id(entity, str(doc["Id"])), object_type=OWN_PREFIX + kind, object_id=object_id, created_at=now)
        ours, theirs = _ours_view(kind, mine, book), _theirs_view(entity, doc)
        if docs.is_gone(doc) and mine.sync.qbo_id is None:
            return ECHO
        verdict = rules.judge_own_document(our_qbo_id=mine.sync.qbo_id, our_sync_token=mine.sync.sync_token,
                                           their_sync_token=str(doc.get("SyncToken", "")), ours=ours, theirs=theirs,
                                           ours_pending=mine.sync.pending)
        if docs.is_gone(doc) and ours != theirs:
            verdict = rules.Verdict.DRIFT
        if verdict is not rules.Verdict.DRIFT:
            return ECHO if verdict is rules.Verdict.ECHO else IGNORED
        _record_drift(uow, kind, object_id, entity, str(doc["Id"]), str(doc.get("SyncToken", "")), ours, theirs, now,
                      mine.sync)
        return DRIFT

    return _decide(ctx, write, IGNORED, f"qbo change to our {kind} {object_id} not judged")


def _judge_own_use(ctx: ImportContext, doc: dict, marked: str) -> str:
    """A credit use's linking Payment came back: it is our document (DESIGN §7), so the accountant's void, delete or
    change of its links is drift (status panel, parity report; the parity repair pushes ours again), never followed.

    `marked` is the use's id (its marker) or, for a tombstone, the use's key from the mapping written when its echo
    was first read.
    """
    qbo_id, now = str(doc["Id"]), utc_now()

    def write(uow: UnitOfWork) -> str:
        book, maps = Ledger(uow), QboMaps(uow)
        use = _use_behind(ctx, uow, doc, marked)
        if use is None or (use.qbo_id and use.qbo_id != qbo_id):
            return IGNORED  # not this account's, or a document we replaced
        key = use.key
        if not docs.is_gone(doc) and maps.find(map_id("Payment", qbo_id)) is None:
            maps.new(map_id("Payment", qbo_id), object_type=OWN_PREFIX + "use", object_id=key, created_at=now)
        if use.qbo_id is None:
            return ECHO  # the webhook beat our push's own bookkeeping
        ours, theirs = _use_view(book, use), _linked_view(doc)
        verdict = rules.judge_own_document(our_qbo_id=use.qbo_id, our_sync_token=use.sync.sync_token,
                                           their_sync_token=str(doc.get("SyncToken", "")), ours=ours, theirs=theirs,
                                           ours_pending=use.sync.pending)
        if (docs.is_gone(doc) or docs.is_voided_payment(doc)) and ours != theirs:
            verdict = rules.Verdict.DRIFT
        if verdict is not rules.Verdict.DRIFT:
            return ECHO if verdict is rules.Verdict.ECHO else IGNORED
        _record_drift(uow, "use", key, "Payment", qbo_id, str(doc.get("SyncToken", "")), ours, theirs, now, use.sync,
                      what="the credit use's ")
        return DRIFT

    return _decide(ctx, write, IGNORED, f"qbo change to our credit use {marked} not judged")


def _use_behind(ctx: ImportContext, uow: UnitOfWork, doc: dict, marked: str):
    """Our use behind its linking Payment: by the key mapped when its echo was read, else through the memos it
    links (a voided Payment keeps its links at 0)."""
    book = Ledger(uow)
    if "#" in marked:
        return book.uses.find(marked)
    known = QboMaps(uow).find(map_id("Payment", str(doc["Id"])))
    if known is not None and known.object_type == OWN_PREFIX + "use":
        return book.uses.find(known.object_id)
    for line in doc.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            if linked.get("TxnType") == "CreditMemo":
                credit_id = _credit_behind(ctx, uow, str(linked["TxnId"]))
                use = book.uses.find(use_key(credit_id, marked)) if credit_id else None
                if use is not None:
                    return use
    return None


def _use_view(book: Ledger, use) -> dict:
    """What QBO should show of a use's linking Payment: the invoice amount its memo parts link (after cuts)."""
    linked = sync_plan.use_linked(LedgerBook(book), use)
    return {"exists": True, "total": linked} if linked else {"exists": False}


def _linked_view(doc: dict) -> dict:
    """A linking Payment as QBO shows it: what it links to invoices (TotalAmt is always 0)."""
    if docs.is_gone(doc) or docs.is_voided_payment(doc):
        return {"exists": False}
    linked = docs.invoice_linked(doc)
    return {"exists": True, "total": linked} if linked else {"exists": False}


def _record_drift(uow: UnitOfWork, kind: str, object_id: str, entity: str, qbo_id: str, token: str, ours: dict,
                  theirs: dict, now: str, state: SyncState, what: str = "") -> None:
    """The drift item (panel, parity) and the object's own `drift` status, in the judge's transaction."""
    drifts = Drifts(uow)
    drift_id = f"{kind}#{object_id}"
    found = drifts.find(drift_id) or drifts.new(drift_id, kind=kind, object_id=object_id, qbo_type=entity,
                                                qbo_id=qbo_id, at=now)
    found.sync_token, found.ours, found.theirs, found.at = token, ours, theirs, now
    state.drifted(drift_text(entity, qbo_id, ours, theirs, what))


RECORDED = "recorded"


def _decide(ctx: ImportContext, write: Callable[[UnitOfWork], str], refused: str, what: str) -> str:
    """Run one import decision in its transaction; a rule's refusal is logged and answered as `refused`."""
    try:
        return run_in_transaction(ctx.account_id, write)
    except DomainError as error:
        logger.warning("%s: %s", what, error)
        return refused


def _our_invoice(ctx: ImportContext, qbo_invoice_id: str) -> str | None:
    """Our invoice behind a QBO Invoice (its marker), or None for the accountant's own invoices."""
    found = find_marker(ctx.document("Invoice", qbo_invoice_id) or {})
    return found[1] if found and found[0] == "invoice" else None


def _credit_behind(ctx: ImportContext, uow: UnitOfWork, qbo_memo_id: str) -> str | None:
    """Our credit behind a QBO CreditMemo: one we imported (QBMAP), or one of ours (its marker)."""
    known = QboMaps(uow).find(map_id("CreditMemo", qbo_memo_id))
    if known is not None:
        return known.object_id
    found = find_marker(ctx.document("CreditMemo", qbo_memo_id) or {})
    return found[1] if found and found[0] == "credit" else None


def _record_applications(ctx: ImportContext, doc: dict) -> str:
    """A Payment the accountant made in QBO against our invoices becomes a payment of each invoice here.

    Money (TotalAmt) becomes a `transfer` tender; lines linking CreditMemos become uses of the credits behind
    them. Recorded as already pushed (its QBO id set), so it never goes back out; a later void or delete of the
    Payment in QBO voids it here. Each (Payment, Invoice) pair is recorded once (QBMAP PaymentLine item).
    """
    qbo_id, gone = str(doc["Id"]), docs.is_gone(doc) or docs.is_voided_payment(doc)
    if gone:
        return _void_applications(ctx, qbo_id)
    invoice_links, memo_links = _links(doc)
    invoice_links = rules.accountants_links(invoice_links, _our_lines_on(ctx, qbo_id))
    ours = [((qbo_invoice_id, invoice_id), amount) for qbo_invoice_id, amount in invoice_links
            if (invoice_id := _our_invoice(ctx, qbo_invoice_id)) is not None]
    outcome = IGNORED
    for (qbo_invoice_id, invoice_id), tender, from_credits in rules.split_cash(docs.cents(doc, "TotalAmt"), ours):
        outcome = _record_one(ctx, doc, qbo_invoice_id, invoice_id, tender, from_credits, memo_links)
    return outcome


def _links(doc: dict) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """A Payment's lines linking invoices and linking credit memos: (QBO id, cents) each."""
    invoice_links, memo_links = [], []
    for line in doc.get("Line") or []:
        for linked in line.get("LinkedTxn") or []:
            target = invoice_links if linked.get("TxnType") == "Invoice" else \
                memo_links if linked.get("TxnType") == "CreditMemo" else None
            if target is not None:
                target.append((str(linked["TxnId"]), docs.to_cents_of(line.get("Amount"))))
    return invoice_links, memo_links


def _our_lines_landed(ctx: ImportContext, doc: dict) -> int:
    """What the lines our uses put on the accountant's Payment link there now, as QBO shows it (0 for any other
    Payment): with its UnappliedAmt, the Payment's money the accountant did not apply (domain unapplied_terms)."""
    invoice_links, _ = _links(doc)
    return rules.ours_landed(invoice_links, _our_lines_on(ctx, str(doc["Id"])))


def _our_lines_on(ctx: ImportContext, qbo_payment_id: str) -> dict[str, int]:
    """QBO invoice id → what our uses of the credit imported from this accountant's Payment link there: lines we
    pushed (documents.push_use), not the accountant's applications. A voided use whose removal is still on its way
    counts too: QBO still shows its line."""
    known = QboMaps(UnitOfWork(ctx.account_id)).find(map_id("Payment", qbo_payment_id))
    if known is None or known.object_type != "credit":
        return {}
    book = Ledger.reading(ctx.account_id)
    lines: dict[str, int] = {}
    for use in book.uses.of_credit(known.object_id):
        if not (use.active or (use.qbo_id and use.sync.pending)):
            continue
        invoice = book.invoices.find(use.invoice_id)
        if invoice is not None and invoice.qbo_id:
            lines[invoice.qbo_id] = lines.get(invoice.qbo_id, 0) + use.amount
    return lines


def _record_one(ctx: ImportContext, doc: dict, qbo_invoice_id: str, invoice_id: str, tender: int, from_credits: int,
                memo_links: list[tuple[str, int]]) -> str:
    qbo_id, now = str(doc["Id"]), utc_now()

    def write(uow: UnitOfWork) -> str:
        book, maps = Ledger(uow), QboMaps(uow)
        key = map_id("PaymentLine", f"{qbo_id}#{qbo_invoice_id}")
        if maps.find(key) is not None:
            return ECHO
        invoice = book.invoices.get(invoice_id)
        payment_id, uses = new_id(), []
        for credit_id, take in rules.memo_takes(memo_links, from_credits, lambda m: _credit_behind(ctx, uow, m)):
            use = book.uses.add(rules.record_qbo_application(book.credits.get(credit_id), use_id=new_id(),
                                                             payment_id=payment_id, invoice_id=invoice.id,
                                                             amount=take, now=now))
            uses.append(PaymentCreditUse(use.id, credit_id, take))
        split = rules.application(tender, (u.amount for u in uses), invoice.balance)
        if not split.recordable:
            return IGNORED
        tender_applied, applied = split.tender_applied, split.applied
        tenders = [Tender(TenderMethod.TRANSFER, tender_applied)] if tender_applied else []
        payment = book.payments.add(Payment(
            id=payment_id, number=str(doc.get("PaymentRefNum") or book.counters.next("payment", "PAY"))[:21],
            invoice_id=invoice.id, customer_id=invoice.customer_id, tenders=tenders, credit_uses=uses,
            tender_applied=tender_applied, created_at=now, updated_at=now))
        payment.sync.pushed(payment.sync.version, qbo_id=qbo_id, sync_token=str(doc.get("SyncToken")))
        invoice.receive(applied, now=now)
        invoice.payment_ids.append(payment_id)
        maps.new(key, object_type="payment", object_id=payment_id, created_at=now)
        return RECORDED

    return _decide(ctx, write, REFUSED, f"qbo payment {qbo_id} on our invoice {invoice_id} not recorded")


def _void_applications(ctx: ImportContext, qbo_id: str) -> str:
    """The accountant voided or deleted a Payment we recorded: void each payment it became here."""
    from ...store.inbound import mapped

    outcome = IGNORED
    for item in mapped(ctx.account_id, "PaymentLine"):
        if item.sk.split("#")[2] != qbo_id:
            continue
        now = utc_now()

        def write(uow: UnitOfWork, payment_id: str = item.object_id) -> str:
            book = Ledger(uow)
            payment = book.payments.get(payment_id)
            if not payment.active:
                return IGNORED
            book.load(book.invoices.key(payment.invoice_id),
                      *(book.credits.key(u.credit_id) for u in payment.credit_uses))
            invoice = book.invoices.get(payment.invoice_id)
            book.load(*(book.credits.key(c) for c in invoice.adjustment_credit_ids))
            applied = payment.applied
            void_payment_and_release(book, payment, now)
            take_back(book, invoice, applied, now, links=payment_links(book, payment))
            payment.sync.pushed(payment.sync.version, qbo_id=payment.sync.qbo_id, sync_token=payment.sync.sync_token)
            return FOLLOWED

        outcome = run_in_transaction(ctx.account_id, write)
    return outcome
