"""One object's current state into QBO: create once (requestid, then our marker after an ambiguous failure), update
from the SyncToken we hold, remove what must no longer exist. Dependencies (customer, invoice) are pushed first."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...domain import qbo_steps, sync_kinds, sync_plan
from ...domain.credits import Credit, CreditSource, CreditStatus, CreditUse
from ...domain.invoices import Invoice
from ...domain.locations import Cut, Location, LocationKind
from ...domain.payments import Payment
from ...domain.qbo_actions import QboAction
from ...qbo import mapping
from ...qbo.errors import QboDuplicateNameError, QboNotFoundError, QboStaleObjectError
from ...qbo.mapping import Link, Ref
from ...qbo.requestids import make_request_id
from ...store.ids import utc_now
from ...store.inbound import QboMaps, map_id
from ...store.models import CustomerItem
from ...store.uow import UnitOfWork, run_in_transaction
from .context import NoSalesItem, PushContext, quoted
from .record import OWN_PREFIX


@dataclass(frozen=True)
class Pushed:
    """Where the object now lives in QBO (None: it has no document there) and the SyncToken QBO answered with."""

    qbo_id: str | None
    sync_token: str | None = None


class NotMappedYet(Exception):
    """This kind of credit has no QBO mapping in this version; it is parked with that message."""


class DependencyNotSynced(Exception):
    """Something this object links (its invoice, its customer) could not be pushed yet: the object waits."""

    needs_person = False  # the engine gets there by itself; a subclass says when someone must act first


class WaitsForRepair(DependencyNotSynced):
    """What this object links is one of our documents the accountant changed in QBO (drift): it waits until the
    repair pushes ours again, and the panel says so at once."""

    needs_person = True


class WaitsForResync(DependencyNotSynced):
    """What this object links was imported from the company a hard disconnect left: it waits for staff's mass
    re-sync, which reissues it (shown at once: a person starts the re-sync)."""

    needs_person = True


def own_document(kind: str, obj: Any) -> str | None:
    """The QBO entity of the document that is this object's own (it carries the object's marker), if any: an
    invoice's Invoice, a tender payment's Payment, the CreditMemo of a credit in a memo of ours. (A use maps its
    linking Payment itself; an overpayment or adjustment credit lives in others' documents.)"""
    if kind == "invoice":
        return "Invoice"
    if kind == "payment":
        return "Payment" if obj.tender_total else None
    if kind == "credit":
        return "CreditMemo" if obj.in_our_memo else None
    return None


def push_customer(ctx: PushContext, customer_id: str) -> str:
    """The QBO id of our customer, for a document that names it: pushed first when it is not in QBO yet or has a
    change pending (retroactive push); a customer parked with an error makes the document wait."""
    return _dependency(ctx, "customer", customer_id, "its customer")


def sync_customer(ctx: PushContext, customer: CustomerItem) -> Pushed:
    """Our customer as a QBO Customer: linked by DisplayName when the company has one, created otherwise; once
    linked, a new name of ours becomes its DisplayName (a name QBO already has elsewhere is 6240: parked)."""
    if customer.sync.qbo_id is None:
        found = _customer_named(ctx, customer.name)
        if found is None:
            try:
                created = ctx.client.create("Customer", mapping.customer_doc(customer.name),
                                            make_request_id("create", "customer", customer.id))
                return Pushed(str(created["Id"]), created["SyncToken"])
            except QboDuplicateNameError:  # created meanwhile (by the accountant or a racing worker): link it
                found = _customer_named(ctx, customer.name)
                if found is None:
                    raise
        return Pushed(str(found["Id"]), found["SyncToken"])
    return _upsert(ctx, "Customer", "customer", customer, mapping.customer_doc(customer.name), lambda: None)


def _customer_named(ctx: PushContext, name: str) -> dict | None:
    rows = ctx.client.query(f"SELECT * FROM Customer WHERE DisplayName = {quoted(name)}")
    return rows[0] if rows else None


def push_invoice(ctx: PushContext, invoice: Invoice) -> Pushed:
    if invoice.deleted:
        return _void_invoice(ctx, invoice)
    for credit_id in invoice.adjustment_credit_ids:  # a reduced invoice: its links shrink before its total does
        if "credit" in ctx.kinds:
            ctx.ensure("credit", credit_id)
        else:  # one-way: the adjustment credit stays here, but the tender Payments it cut must shrink in QBO too
            _push_cut_links(ctx, ctx.ledger().credits.get(credit_id))
    doc = mapping.invoice_doc(invoice, customer=Ref(push_customer(ctx, invoice.customer_id)), item=ctx.item())
    find = _marker_finder(ctx, "Invoice", "invoice", invoice.id, f"DocNumber = {quoted(invoice.number)}")
    return _upsert(ctx, "Invoice", "invoice", invoice, doc, find)


def _void_invoice(ctx: PushContext, invoice: Invoice) -> Pushed:
    """A deleted sales order's invoice is voided once its payments are voided (they link it)."""
    qbo_id = _created_unheard(ctx, "Invoice", "invoice", invoice, f"DocNumber = {quoted(invoice.number)}")
    if not qbo_id:
        return Pushed(None)
    for payment_id in invoice.payment_ids:
        ctx.ensure("payment", payment_id)
    return _void(ctx, "Invoice", "invoice", invoice, ctx.client.void_invoice, qbo_id)


def push_credit(ctx: PushContext, credit: Credit) -> Pushed:
    if credit.source is CreditSource.OVERPAYMENT:
        # an overpayment is the UnappliedAmt of its original Payment, never a document of its own
        if credit.status is not CreditStatus.ACTIVE:  # gone with its payment (voided there too, or never sent)
            return Pushed(ctx.ledger().payments.get(credit.origin_payment_id).qbo_id)
        return Pushed(_dependency(ctx, "payment", credit.origin_payment_id, f"payment of credit {credit.number}"))
    if credit.source is CreditSource.INVOICE_ADJUSTMENT:
        return _push_cut_links(ctx, credit)
    if credit.owned_by_qbo:
        # DESIGN §7 ownership: the accountant's document follows QBO; our notes or cancel would overwrite theirs
        if credit.qbo_id is None:  # a hard disconnect forgot its document: only the mass re-sync makes it ours
            raise NotMappedYet("this credit was imported from the QuickBooks company this account was disconnected "
                               "from: a mass re-sync (POST /qbo/resyncs) reissues it as a credit memo of ours here")
        raise NotMappedYet("this credit was imported from QuickBooks, which owns its document: change it there "
                           "(edits made here are not pushed)")
    if not credit.in_our_memo:  # manual, return, or an imported credit reissued by a re-sync
        raise NotMappedYet(f"{credit.source.value} credits are not pushed to QuickBooks by this version")
    book = ctx.book()
    plan = sync_plan.plan_memo(book, credit)
    for holder in book.credits_of((credit.id, *plan.sharers)):  # voided uses' Payments go first: they link the memo,
        if holder.use_count:  # which may shrink or go
            for use in book.uses_of(holder.id):
                if not use.active:
                    ctx.ensure("use", use.key)
    if plan.action is QboAction.DELETE:  # its own credit's money is gone: so is the memo (one that other credits'
        return _delete_memo(ctx, credit)  # cuts emptied stays at 0, a document its credit still has, as parity expects)
    doc = mapping.credit_memo_doc(credit, plan, customer=Ref(push_customer(ctx, credit.customer_id)), item=ctx.item())
    find = _marker_finder(ctx, "CreditMemo", "credit", credit.id, f"DocNumber = {quoted(credit.number)}")
    return _upsert(ctx, "CreditMemo", "credit", credit, doc, find)


def _push_cut_links(ctx: PushContext, credit: Credit) -> Pushed:
    """An adjustment credit has no document: the links it cut (tender Payments, credit uses) are pushed shorter,
    and the money stays where QBO then holds it (the Payment's UnappliedAmt, or the memo's RemainingCredit).

    Canceled or deleted, what it still kept in another credit's memo leaves that memo (`locations.given_up`): its
    reverted uses' Payments go first, then the memo is pushed again, smaller. (A forfeit by a voided use's credit
    leaves that memo's total as it was: the forfeited share and the cut it undoes cancel out.)
    """
    holders = []
    for cut in (Cut.from_dict(c) for c in credit.cuts):
        kind, object_id = cut.doc
        holders.append(ctx.ensure(kind, object_id, when="always"))
    if credit.status is not CreditStatus.ACTIVE:
        book = ctx.book()
        if credit.use_count:
            for use in book.uses_of(credit.id):
                if not use.active:
                    ctx.ensure("use", use.key)
        for memo in book.credits_of(sync_plan.memos_given_back(credit)):
            if not memo.owned_by_qbo:  # the accountant's: never pushed
                ctx.ensure("credit", memo.id, when="always")
    return Pushed(next((h for h in holders if h), None))


def _delete_memo(ctx: PushContext, credit: Credit) -> Pushed:
    """Deleted, voided, or canceled with nothing used: the memo goes (CreditMemo has no void in the API)."""
    qbo_id = _created_unheard(ctx, "CreditMemo", "credit", credit, f"DocNumber = {quoted(credit.number)}")
    if not qbo_id:
        return Pushed(None)
    token = qbo_steps.token_for(credit.sync, qbo_id)
    _remove_with_token(ctx, "CreditMemo", qbo_id, token, lambda t: ctx.client.delete(
        "CreditMemo", qbo_id, t, make_request_id("delete", "credit", credit.id, credit.sync.version, t)))
    return Pushed(qbo_id)


def push_payment(ctx: PushContext, payment: Payment) -> Pushed:
    """The tenders as a Payment linking the invoice; what the invoice does not take stays its UnappliedAmt."""
    if payment.tender_total == 0:
        return Pushed(None)  # credits only: in QBO it is the credit uses' own Payments
    if not payment.active:
        return _void_payment(ctx, payment)
    links = []  # its own invoice first, then those the uses of the credits it keeps pay from its unapplied amount
    for invoice_id, amount in sync_plan.payment_links(ctx.book(), payment, with_uses="use" in ctx.kinds).items():
        _room_first(ctx, invoice_id)
        what = "its invoice" if invoice_id == payment.invoice_id else "an invoice its unapplied amount pays"
        links.append(Link(_dependency(ctx, "invoice", invoice_id, what), "Invoice", amount))
    doc = mapping.tender_payment_doc(payment, customer=Ref(push_customer(ctx, payment.customer_id)), links=links)
    customer = doc["CustomerRef"]["value"]
    find = _marker_finder(ctx, "Payment", "payment", payment.id,
                          f"CustomerRef = {quoted(customer)} AND TxnDate = {quoted(doc['TxnDate'])}")
    return _upsert(ctx, "Payment", "payment", payment, doc, find)


def _void_payment(ctx: PushContext, payment: Payment) -> Pushed:
    qbo_id = _created_unheard(ctx, "Payment", "payment", payment, f"TxnDate = {quoted(mapping.txn_date(payment.created_at))}")
    return _void(ctx, "Payment", "payment", payment, ctx.client.void_payment, qbo_id) if qbo_id else Pushed(None)


def _void(ctx: PushContext, entity: str, kind: str, obj, void: Callable[..., dict], qbo_id: str) -> Pushed:
    """Void the object's document with the SyncToken we hold, unless QBO already shows it voided (or gone)."""
    token = qbo_steps.token_for(obj.sync, qbo_id)
    done = _remove_with_token(ctx, entity, qbo_id, token, lambda t: void(
        qbo_id, t, make_request_id("void", kind, obj.id, obj.sync.version, t)), already=_is_voided)
    return Pushed(qbo_id, done and done.get("SyncToken"))


def _remove_with_token(ctx: PushContext, entity: str, qbo_id: str, token: str | None, act: Callable[[str], dict],
                       already: Callable[[dict], bool] = lambda doc: False) -> dict | None:
    """Void or delete in one request with the SyncToken we stored; a stale one (5010: changed in QBO since) or none
    at all costs a read first. None when the document is gone; the token is in each requestid, so the try after a
    5010 is not answered with that 5010 again."""
    if token is not None:
        try:
            return act(token)
        except QboStaleObjectError:
            pass
        except QboNotFoundError:
            return None
    current = _read(ctx, entity, qbo_id)
    if current is None or already(current):
        return current
    try:
        return act(current["SyncToken"])
    except QboNotFoundError:
        return None


def _created_unheard(ctx: PushContext, entity: str, kind: str, obj, where: str, marker_id: str | None = None
                     ) -> str | None:
    """The document's QBO id; for one we never heard of, after an earlier try failed without an answer, the id of
    the document that try may have created (found by our marker), so what must go does not stay behind."""
    step = qbo_steps.to_remove(obj.sync)
    if not step.look_first:
        return step.qbo_id
    found = _marker_finder(ctx, entity, kind, marker_id or obj.id, where)()
    return str(found["Id"]) if found else None


def push_use(ctx: PushContext, use: CreditUse) -> Pushed:
    """A use draws on memos and/or Payments' unapplied amounts (DESIGN §5 money location).

    Its memo parts are a Payment of 0 linking the Invoice and those memos; its unapplied parts are lines on the
    original Payments (rebuilt from the ledger). Voided, or cut to nothing by an invoice reduction, the linking
    Payment is deleted and the lines leave those Payments.
    """
    book = ctx.book()
    credit = book.credit(use.credit_id)
    if credit.in_accountants_payment:
        return _push_on_accountants_payment(ctx, book, credit, use)
    plan = sync_plan.use_plan(book, use)
    _require_no_drift(ctx, plan.links)
    if plan.refused:
        raise NotMappedYet(plan.refused)
    holders = [ctx.ensure("payment", owner, when="always") for owner in plan.payments]
    if plan.linking_payment is None:
        return Pushed(next((h for h in holders if h), use.qbo_id))
    if plan.linking_payment is QboAction.DELETE:
        qbo_id = _created_unheard(ctx, "Payment", "use", use, f"TxnDate = {quoted(mapping.txn_date(use.at))}",
                                  marker_id=use.id)
        return _delete_payment(ctx, qbo_id, use)
    _room_first(ctx, use.invoice_id)
    invoice_qbo_id = _dependency(ctx, "invoice", use.invoice_id, "the invoice it pays")
    # the memos must be up to date first: a memo grown by an edit holds what this use now links
    memos = [(_dependency(ctx, "credit", owner, "the credit memo it draws on", when="pending"), amount)
             for owner, amount in plan.memos]
    doc = mapping.linking_payment_doc(use_id=use.id, number=book.payment(use.payment_id).number, created_at=use.at,
                                      customer=Ref(push_customer(ctx, credit.customer_id)), invoice_id=invoice_qbo_id,
                                      memos=memos, linked=plan.linked)
    find = _marker_finder(ctx, "Payment", "use", use.id, f"CustomerRef = {quoted(doc['CustomerRef']['value'])} "
                                                         f"AND TxnDate = {quoted(doc['TxnDate'])}")
    if use.qbo_id and _is_voided(_read(ctx, "Payment", use.qbo_id) or {}):
        # the accountant voided our linking Payment (drift); QBO cannot un-void, so a new one carries the use
        created = ctx.client.create("Payment", doc, make_request_id("recreate", "use", use.id, use.sync.version,
                                                                    use.sync.attempts))
        pushed = Pushed(str(created["Id"]), created["SyncToken"])
    else:
        pushed = _upsert(ctx, "Payment", "use", use, doc, find, marker_id=use.id)
    if pushed.qbo_id != use.qbo_id:
        _remember_own(ctx, "Payment", pushed.qbo_id, "use", use.key)
    return pushed


def _require_no_drift(ctx: PushContext, links: list[Location]) -> None:
    """A use links the memos and Payments its money sits in: one the accountant changed (drift) would be linked as
    QBO shows it, not as ours, so the use waits for the repair that restores ours (and says which)."""
    book = ctx.ledger()
    for kind, owner, amount in ((link.kind, link.owner_id, link.amount) for link in links):
        if not amount:
            continue
        holder = book.credits.find(owner) if kind is LocationKind.MEMO else book.payments.find(owner)
        if holder is not None and holder.sync.drift:
            raise WaitsForRepair(f"waits for the repair of {holder.number}'s drift: {holder.sync.drift}")


def _remember_own(ctx: PushContext, entity: str, qbo_id: str, kind: str, object_id: str) -> None:
    """Map a document we just created to our object, as reading its echo would (`imports._own_mapping`): a
    tombstone names no marker, so without the map the accountant deleting it before any echo was read would go
    unnoticed (no drift), while the use still counts as paying its invoice here."""
    def write(uow: UnitOfWork) -> None:
        maps = QboMaps(uow)
        if maps.find(map_id(entity, qbo_id)) is None:
            maps.new(map_id(entity, qbo_id), object_type=OWN_PREFIX + kind, object_id=object_id, created_at=utc_now())

    run_in_transaction(ctx.account_id, write)


def _push_on_accountants_payment(ctx: PushContext, book: sync_plan.Book, credit: Credit, use: CreditUse) -> Pushed:
    """A use of a credit imported from the accountant's Payment: a line on that Payment linking our invoice, the way
    QBO applies an unapplied payment amount (DESIGN §5), never a Payment linking a CreditMemo of that id.

    Ownership (DESIGN §7): the Payment stays the accountant's (customer, TotalAmt, lines to other documents: the
    imported credit follows them), while the lines linking our invoices for our uses are ours. They are pushed as
    state, rebuilt from every use of the credit (one line per invoice: what our active uses pay there plus what the
    accountant applied there as we recorded it), so a retry, a void or a parity repair just writes them again, and
    the inbound sync reads them back as ours (`imports._our_lines_on`), neither as the accountant's payment nor as
    money applied in QBO. The accountant's edit of those lines shows as our invoice's balance in parity, repaired
    by pushing the uses again.
    """
    if not credit.qbo_id:  # a hard disconnect forgot the old company's Payment: only a re-sync gives it a document
        raise WaitsForResync(f"its credit {credit.number} was imported from the accountant's Payment in the QuickBooks "
                             "company this account was disconnected from: a mass re-sync (POST /qbo/resyncs) "
                             "reissues it as a credit memo of ours here")
    ours: dict[str, int] = {}  # QBO invoice id -> what our uses link there
    for invoice_id, kept in sync_plan.accountants_lines(book, credit).items():
        if kept:
            _room_first(ctx, invoice_id)
            ours[_dependency(ctx, "invoice", invoice_id, "the invoice it pays")] = kept
        elif book.invoice(invoice_id).qbo_id:  # never reached QBO: no line of it to remove
            ours[book.invoice(invoice_id).qbo_id] = 0
    lines = sync_plan.with_accountants_share(ours, lambda invoice: _accountants_share(ctx, credit.qbo_id, invoice))
    updated = ctx.client.update_fresh(
        "Payment", credit.qbo_id, lambda current: {"Line": mapping.accountants_payment_lines(current.get("Line") or [],
                                                                                          lines)},
        f"use:{use.id}:{use.sync.version}:{use.sync.attempts}")
    return Pushed(credit.qbo_id, updated["SyncToken"])


def _accountants_share(ctx: PushContext, payment_qbo_id: str, invoice_qbo_id: str) -> int:
    """What the accountant applied of their Payment to our invoice, as the inbound sync recorded it (0 if nothing)."""
    known = QboMaps(UnitOfWork(ctx.account_id)).find(map_id("PaymentLine", f"{payment_qbo_id}#{invoice_qbo_id}"))
    if known is None:
        return 0
    payment = ctx.ledger().payments.find(known.object_id)
    return payment.applied if payment is not None and payment.active else 0


def _room_first(ctx: PushContext, invoice_id: str) -> None:
    """Before a link to an invoice is written, what makes room on it in QBO goes first: the voids of its other
    payments and credit uses, and its own pending edit (a larger total; a reduction shortens its links first).
    Otherwise QBO refuses the link ("linked amount exceeds the balance") until our own changes arrive."""
    book = ctx.ledger()
    invoice = book.invoices.get(invoice_id)
    book.load(*(book.payments.key(p) for p in invoice.payment_ids))
    for payment in (book.payments.get(p) for p in invoice.payment_ids):
        if not payment.active:
            ctx.ensure("payment", payment.id)
        for paid in payment.credit_uses:
            if paid.voided_at is not None:
                ctx.ensure("use", paid.key)
    ctx.ensure("invoice", invoice_id)


def _delete_payment(ctx: PushContext, qbo_id: str | None, use: CreditUse) -> Pushed:
    """Remove a use's linking Payment (with the SyncToken we hold)."""
    if qbo_id:
        token = qbo_steps.token_for(use.sync, qbo_id)
        _remove_with_token(ctx, "Payment", qbo_id, token, lambda t: ctx.client.delete(
            "Payment", qbo_id, t, make_request_id("delete", "use", use.id, use.sync.version, t)))
    return Pushed(qbo_id)


# ----- creates a batch may carry -------------------------------------------------------------------------------

BATCH_ENTITY = {kind.name: kind.document for kind in sync_kinds.KINDS if kind.batch_phase is not None}


def new_document(ctx: PushContext, kind: str, obj) -> dict | None:
    """The document a first create of this object sends, when the object needs nothing but that create: never tried
    before (so no marker to look for first), nothing of ours it links still moving. Anything else (None) takes the
    one-object path, which handles updates, order and lost answers."""
    if obj.sync.qbo_id or obj.sync.attempts or obj.sync.error:
        return None
    try:
        if kind == "credit" and _plain_new_memo(obj):
            customer = Ref(push_customer(ctx, obj.customer_id))
            return mapping.credit_memo_doc(obj, sync_plan.memo_plan(obj), customer=customer, item=ctx.item())
        if kind == "invoice" and not obj.deleted and not obj.adjustment_credit_ids:
            return mapping.invoice_doc(obj, customer=Ref(push_customer(ctx, obj.customer_id)), item=ctx.item())
        if kind == "payment" and _plain_new_payment(ctx, obj):
            invoice = ctx.ledger().invoices.get(obj.invoice_id)
            return mapping.tender_payment_doc(obj, customer=Ref(push_customer(ctx, obj.customer_id)),
                                              links=[Link(invoice.qbo_id, "Invoice", sync_plan.tender_link(obj, 0))])
    except (DependencyNotSynced, NoSalesItem):
        return None
    return None


def _plain_new_memo(credit: Credit) -> bool:
    return (credit.source in (CreditSource.MANUAL, CreditSource.RETURN) and credit.status is CreditStatus.ACTIVE
            and not credit.use_count)


def _plain_new_payment(ctx: PushContext, payment: Payment) -> bool:
    """A tender Payment linking only its invoice, already in QBO and settled: no other payment of it still moving,
    no reduction cutting its lines, no use spending its unapplied amount yet."""
    if not payment.active or not payment.tender_total:
        return False
    book = ctx.ledger()
    invoice = book.invoices.get(payment.invoice_id)
    if not invoice.qbo_id or invoice.sync.pending or invoice.adjustment_credit_ids or invoice.deleted:
        return False
    others = [p for p in invoice.payment_ids if p != payment.id]
    book.load(*(book.payments.key(p) for p in others))
    if any(book.payments.get(p).sync.pending for p in others):
        return False
    return not (payment.overpayment_credit_id and book.credits.get(payment.overpayment_credit_id).use_count)


# ----- shared moves --------------------------------------------------------------------------------------------

def _dependency(ctx: PushContext, kind: str, object_id: str | None, what: str, when: str = "missing") -> str:
    """The QBO id of something the document links: it must exist there (pushed now if it never was)."""
    qbo_id = ctx.ensure(kind, object_id, when=when) if object_id else None
    if qbo_id is None:
        raise DependencyNotSynced(f"{what} is not in QuickBooks yet")
    return qbo_id


def _upsert(ctx: PushContext, entity: str, kind: str, obj, doc: dict, find: Callable[[], dict | None],
            marker_id: str | None = None) -> Pushed:
    """Create the document once, or bring the existing one to our current state."""
    state = obj.sync
    step = qbo_steps.to_write(state)
    qbo_id, token = step.qbo_id, step.sync_token
    if step.step is qbo_steps.Step.CREATE:
        found = find() if step.look_first else None  # an earlier try may have created it without us hearing back
        if found is None:
            # not there, so no earlier try created it: this try's requestid is its own (QBO answers a repeated
            # requestid with its first answer, which for a try refused while our other changes were on their way
            # would be that refusal again); within the try, the client's retries share it
            created = ctx.client.create(entity, doc, make_request_id("create", kind, marker_id or obj.id, state.version,
                                                                     state.attempts))
            return Pushed(str(created["Id"]), created["SyncToken"])
        qbo_id, token = str(found["Id"]), found["SyncToken"]
    # an update is guarded by its SyncToken, so a try after a refusal (QBO answers a repeated requestid with its
    # first answer, the refusal) gets a requestid of its own
    request_key = f"{kind}:{obj.id}:{state.version}:{state.attempts}"
    if token is not None:
        try:
            updated = ctx.client.sparse_update(entity, qbo_id, token, doc,
                                               make_request_id("update", entity, qbo_id, token, request_key))
            return Pushed(qbo_id, updated["SyncToken"])
        except (QboStaleObjectError, QboNotFoundError):
            pass  # changed (or removed) in QBO since our last push: start from a fresh read
    try:
        updated = ctx.client.update_fresh(entity, qbo_id, lambda current: doc, request_key)
    except QboNotFoundError:  # deleted there (e.g. a use's Payment, removed while the use was cut to nothing)
        created = ctx.client.create(entity, doc, make_request_id("recreate", kind, marker_id or obj.id, state.version))
        return Pushed(str(created["Id"]), created["SyncToken"])
    return Pushed(qbo_id, updated["SyncToken"])


def _marker_finder(ctx: PushContext, entity: str, kind: str, object_id: str, where: str) -> Callable[[], dict | None]:
    """The live document an earlier try may have created for the object, by its marker. A voided one keeps our
    marker but is never ours to adopt (QBO cannot un-void it): the accountant voided it, or a repair replaced it."""
    def find() -> dict | None:
        rows = ctx.client.query(f"SELECT * FROM {entity} WHERE {where}")
        return next((row for row in rows if mapping.find_marker(row) == (kind, object_id) and not _is_voided(row)),
                    None)

    return find


def _read(ctx: PushContext, entity: str, qbo_id: str) -> dict | None:
    try:
        return ctx.client.read(entity, qbo_id)
    except QboNotFoundError:
        return None


def _is_voided(doc: dict) -> bool:
    return str(doc.get("PrivateNote") or "").startswith("Voided") and not doc.get("TotalAmt")


PUSHERS: dict[str, Callable] = {"customer": sync_customer, "invoice": push_invoice, "payment": push_payment,
                                "credit": push_credit, "use": push_use}
