"""Ledger moves shared by several use cases: issuing generated credits, taking money back from an invoice."""
from __future__ import annotations

from ..domain.credits import Credit, CreditSource, CreditStatus
from ..domain.invoices import Invoice
from ..domain.locations import Cut, Link, LocationKind, cut_latest_first, locations_freed
from ..domain.payments import Payment
from ..domain.sync_kinds import use_key
from ..store.ids import new_id
from ..store.ledger import Ledger


def issue_credit(book: Ledger, *, customer_id: str, source: CreditSource, amount: int, now: str, **lineage) -> Credit:
    """A new credit numbered from the account's sequence, saved with the use case's transaction."""
    credit = Credit.issue(id=new_id(), number=book.counters.next("credit", "CR"), customer_id=customer_id,
                          source=source, amount=amount, now=now, **lineage)
    return book.credits.add(credit)


def issue_adjustment_credit(book: Ledger, invoice: Invoice, amount: int, now: str) -> Credit:
    """Credit what was paid above an invoice's (new) total; it can never pay that same invoice.

    Its value sits where QBO keeps the money the invoice's links give up (DESIGN §5 money location): the latest
    links are cut first, and the credit records the cuts and the places the money went back to.
    """
    cuts = cut_latest_first(invoice_links(book, invoice), amount)
    credit = issue_credit(book, customer_id=invoice.customer_id, source=CreditSource.INVOICE_ADJUSTMENT,
                          amount=amount, now=now, origin_invoice_id=invoice.id,
                          internal_note=f"invoice {invoice.number} reduced below the amount paid",
                          locations=locations_freed(cuts), cuts=[cut.as_dict() for cut in cuts])
    invoice.adjustment_credit_ids.append(credit.id)
    return credit


def invoice_links(book: Ledger, invoice: Invoice) -> list[Link]:
    """What QBO links to the invoice now, oldest first: each active payment's tender line, then its credit uses'
    parts; less what the invoice's active adjustment credits already cut from them."""
    book.load(*(book.payments.key(p) for p in invoice.payment_ids),
              *(book.credits.key(c) for c in invoice.adjustment_credit_ids))
    payments = sorted((book.payments.get(p) for p in invoice.payment_ids), key=lambda p: (p.created_at, p.id))
    active = [p for p in payments if p.active]
    book.load(*(book.uses.key_of(u.credit_id, u.id) for p in active for u in p.credit_uses if u.voided_at is None))
    links: list[Link] = []
    for payment in active:
        if payment.tender_applied:
            links.append(Link(("payment", payment.id), (LocationKind.UNAPPLIED, payment.id), payment.tender_applied))
        for paid in payment.credit_uses:
            if paid.voided_at is None:
                use = book.uses.of(paid.credit_id, paid.id)
                links += [Link(("use", book.uses.id_of(use)), part.key, part.amount) for part in use.parts]
    already = [Cut.from_dict(c) for credit_id in invoice.adjustment_credit_ids
               for c in book.credits.get(credit_id).cuts]
    return Link.less(links, already)


def take_back(book: Ledger, invoice: Invoice, amount: int, now: str, *, links: list[tuple[str, str]]) -> None:
    """Remove a voided payment's or credit use's contribution (`links`: the QBO docs that carried it).

    Adjustment credits give back what they cut from those links first (the void rule, `Credit.give_back_cut`); the
    invoice loses the rest. Adjustment credits a legacy invoice can no longer cover are undone.
    """
    reason = f"payment on {invoice.number} voided"
    uncut = 0
    voided = {tuple(doc) for doc in links}
    forfeited: list[Cut] = []
    for credit_id in invoice.adjustment_credit_ids:
        credit = book.credits.get(credit_id)
        if any(tuple(c["doc"]) in voided for c in credit.cuts):
            forfeited += credit.removed_cuts(links)
            uses = book.uses.of_credit(credit_id, active_only=True) if credit.uses_total else []
            uncut += credit.give_back_cut(links, now=now, reason=reason, active_uses=uses)  # all links of one void
    for cut in forfeited:  # the cut share of a use was canceled with its adjustment credit: it does not come back
        owner = book.credits.get(book.uses.get(cut.doc[1]).credit_id)
        owner.forfeit(cut, now=now, reason=f"{reason}; its reduction's credit had been removed")
    reversal = invoice.reverse(amount, now=now, uncut=uncut)
    for credit_id in reversal.undone_adjustment_credit_ids:
        void_with_origin(book, credit_id, now=now, reason=reason)
    if reversal.new_excess:
        issue_adjustment_credit(book, invoice, reversal.new_excess, now)


def payment_links(book: Ledger, payment: Payment) -> list[tuple[str, str]]:
    """The QBO docs that carry a payment's contribution to its invoice: its tender line and each credit use."""
    return [("payment", payment.id)] + [("use", use_key(u.credit_id, u.id)) for u in payment.credit_uses]


def load_for_voiding(book: Ledger, invoice: Invoice, payments: list[Payment]) -> None:
    """Read in one batch every credit that voiding these payments of `invoice` may change: those their uses draw on,
    the overpayment credits they issued, and the invoice's adjustment credits (a void gives cut money back)."""
    book.load(*(book.credits.key(c) for c in invoice.adjustment_credit_ids),
              *(book.credits.key(p.overpayment_credit_id) for p in payments if p.overpayment_credit_id),
              *(book.credits.key(u.credit_id) for p in payments for u in p.credit_uses))


def void_payment_and_release(book: Ledger, payment: Payment, now: str) -> None:
    """Void a payment's tenders and credit uses; each credit gets its amount back (the uses stay listed)."""
    released = payment.void(now=now)
    book.load(*(book.uses.key_of(u.credit_id, u.id) for u in released), *(book.credits.key(u.credit_id) for u in released))
    for paid in released:
        book.credits.get(paid.credit_id).release(book.uses.of(paid.credit_id, paid.id), now=now)


def remove_with_invoice(book: Ledger, credit_id: str, now: str, reason: str) -> None:
    void_with_origin(book, credit_id, now=now, reason=reason, status=CreditStatus.DELETED)


def void_with_origin(book: Ledger, credit_id: str, *, now: str, reason: str,
                     status: CreditStatus = CreditStatus.VOIDED) -> None:
    """Void a generated credit with what created it; a refusal names the uses (read only when there are some)."""
    credit = book.credits.get(credit_id)
    uses = book.uses.of_credit(credit_id, active_only=True) if credit.used else []
    credit.void_with_origin(now=now, reason=reason, status=status, active_uses=uses)
