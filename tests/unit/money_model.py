"""The money-location model (DESIGN §5): a small in-memory ledger that drives the domain objects the way the use cases
do (services/payments.py, postings.py, services/credits.py), and the checks that hold after every move:
- conservation: manual credits + active tenders = invoices' paid + credits' remaining + what cancels and deletes
  removed (a canceled credit's unspent balance, and what its uses give back once voided);
- every invoice's `paid` is what its links carry after the cuts (QBO's linked amount, so its Balance matches);
- every QBO credit source (a memo's RemainingCredit, a Payment's UnappliedAmt, as QBO derives it from the memo's
  total as the push writes it and from the links) holds exactly what our active credits keep there.

The book is also what the sync's planner reads (domain.sync_plan.Book), so the same moves check the plan: QBO's
books, derived only from the documents the planner says to write (memo totals, each tender Payment's links, each
use's linking Payment), match the ledger to the cent, two-way and one-way.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from chalicelib.domain.credits import (
    CancelMode,
    Credit,
    CreditSource,
    CreditStatus,
    CreditUse,
)
from chalicelib.domain.invoices import Invoice, Line
from chalicelib.domain.locations import (
    Cut,
    Link,
    LocationKind,
    cut_latest_first,
    given_up,
    held,
    locations_freed,
)
from chalicelib.domain.payments import Payment, PaymentCreditUse, Tender, TenderMethod
from chalicelib.domain.qbo_actions import QboAction
from chalicelib.domain.sync_plan import (
    one_way_books,
    payment_links,
    plan_memo,
    use_plan,
)

NOW = "2026-11-26T00:00:00.000000Z"


def invoice(n: int, total: int) -> Invoice:
    return Invoice(id=f"I{n}", number=f"INV-{n}", sales_order_id=f"S{n}", customer_id="C", created_at=NOW,
                   lines=[Line("goods", "1", total)], charges=[])


@dataclass
class Book:
    """What the use cases would load and save, kept in memory; ids are handed out in creation order."""

    invoices: list[Invoice]
    credits: dict[str, Credit] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)
    uses: dict[str, CreditUse] = field(default_factory=dict)  # by "credit#use", as the link docs name them
    seq: int = 0
    removed: int = 0  # what cancels and deletes took from the customer

    def next_id(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.seq:04d}"

    def issue(self, source: CreditSource, amount: int, **lineage) -> Credit:
        credit = Credit.issue(id=self.next_id("K"), number=f"CR-{self.seq}", customer_id="C", source=source,
                              amount=amount, now=NOW, **lineage)
        self.credits[credit.id] = credit
        return credit

    def links(self, invoice: Invoice) -> list[Link]:
        """As postings.invoice_links: each active payment's tender line, then its uses' parts, less the cuts."""
        links: list[Link] = []
        for payment in (p for p in self.payments if p.invoice_id == invoice.id and p.active):
            if payment.tender_applied:
                links.append(Link(("payment", payment.id), (LocationKind.UNAPPLIED, payment.id), payment.tender_applied))
            for paid in (u for u in payment.credit_uses if u.voided_at is None):
                key = f"{paid.credit_id}#{paid.id}"
                links += [Link(("use", key), part.key, part.amount) for part in self.uses[key].parts]
        cuts = [Cut.from_dict(c) for cid in invoice.adjustment_credit_ids for c in self.credits[cid].cuts]
        return Link.less(links, cuts)

    # the moves ---------------------------------------------------------------------------------------------

    def pay(self, invoice: Invoice, tender: int, credit: Credit | None) -> None:
        invoice.require_payable()
        payment_id = self.next_id("P")
        room, uses = invoice.balance, []
        if credit is not None and credit.status is CreditStatus.ACTIVE and credit.remaining and credit.may_pay(invoice.id):
            use = credit.apply(use_id=self.next_id("U"), payment_id=payment_id, invoice_id=invoice.id,
                               amount=min(credit.remaining, room), now=NOW)
            self.uses[f"{credit.id}#{use.id}"] = use
            uses.append(use)
            room -= use.amount
        applied = min(tender, room)
        over = tender - applied
        overpayment = self.issue(CreditSource.OVERPAYMENT, over, origin_invoice_id=invoice.id,
                                 origin_payment_id=payment_id) if over else None
        tenders = [Tender(TenderMethod.CASH, tender)] if tender else []
        self.payments.append(Payment(payment_id, f"PAY-{self.seq}", invoice.id, "C", tenders,
                                     [PaymentCreditUse(u.id, u.credit_id, u.amount) for u in uses], applied, NOW,
                                     overpayment_credit_id=overpayment.id if overpayment else None))
        invoice.receive(applied + sum(u.amount for u in uses), now=NOW)
        invoice.payment_ids.append(payment_id)

    def reduce(self, invoice: Invoice, total: int) -> None:
        excess = invoice.edit(lines=[Line("fewer", "1", total)], charges=None, now=NOW)
        if excess:
            cuts = cut_latest_first(self.links(invoice), excess)
            credit = self.issue(CreditSource.INVOICE_ADJUSTMENT, excess, origin_invoice_id=invoice.id,
                                locations=locations_freed(cuts), cuts=[cut.as_dict() for cut in cuts])
            invoice.adjustment_credit_ids.append(credit.id)

    def void(self, payment: Payment) -> None:
        invoice = next(i for i in self.invoices if i.id == payment.invoice_id)
        applied = payment.applied
        released = payment.void(now=NOW)
        for paid in released:
            self.credits[paid.credit_id].release(self.uses[f"{paid.credit_id}#{paid.id}"], now=NOW)
        if payment.overpayment_credit_id:
            self.credits[payment.overpayment_credit_id].void_with_origin(now=NOW, reason="voided")
        docs = [("payment", payment.id)] + [("use", f"{u.credit_id}#{u.id}") for u in payment.credit_uses]
        forfeited = self.take_back(invoice, applied, docs)
        for paid in released:  # a canceled credit's use gives its money back to nobody: it leaves with the cancel
            if self.credits[paid.credit_id].status is not CreditStatus.ACTIVE:
                self.removed += paid.amount - forfeited.get(f"{paid.credit_id}#{paid.id}", 0)

    def take_back(self, invoice: Invoice, applied: int, docs: list[tuple[str, str]]) -> dict[str, int]:
        """As postings.take_back: adjustment credits give back their cuts of the voided links, a removed one's cut
        is forfeited by the use's credit; answers what each use forfeited."""
        forfeited: list[Cut] = []
        uncut = 0
        for cid in invoice.adjustment_credit_ids:
            forfeited += self.credits[cid].removed_cuts(docs)
            uncut += self.credits[cid].give_back_cut(docs, now=NOW, reason="voided")
        for cut in forfeited:
            self.credits[self.uses[cut.doc[1]].credit_id].forfeit(cut, now=NOW, reason="voided")
        reversal = invoice.reverse(applied, now=NOW, uncut=uncut)
        assert reversal.undone_adjustment_credit_ids == [] and reversal.new_excess == 0  # the legacy path stays unused
        out: dict[str, int] = defaultdict(int)
        for cut in forfeited:
            out[cut.doc[1]] += cut.amount
        return out

    def cancel(self, credit: Credit, mode: CancelMode) -> None:
        """As services.credits._cancel: revert voids the active uses (their invoices take the money back)."""
        active = [u for u in self.uses.values() if u.credit_id == credit.id and u.active]
        reverted = credit.cancel(mode, now=NOW, active_uses=active if mode is CancelMode.REVERT else [])
        self.removed += credit.events[-1].amount
        for use in reverted:
            payment = next(p for p in self.payments if p.id == use.payment_id)
            payment.void_credit_use(use.id, now=NOW)
            invoice = next(i for i in self.invoices if i.id == use.invoice_id)
            forfeited = self.take_back(invoice, use.amount, [("use", f"{use.credit_id}#{use.id}")])
            self.removed -= forfeited.get(f"{use.credit_id}#{use.id}", 0)  # removed once, with its adjustment credit

    def delete(self, credit: Credit) -> None:
        credit.soft_delete(now=NOW)
        self.removed += credit.amount

    def memo_total(self, credit: Credit) -> int:
        """What the push writes as the credit's CreditMemo total (documents.push_credit, through the planner); the
        planner finds the adjustment credits sharing the memo by walking its uses, so check it against all of them."""
        sharers = [(c.status is CreditStatus.ACTIVE, c.locations, c.drawn, [Cut.from_dict(x) for x in c.cuts])
                   for c in self.credits.values() if c.source is CreditSource.INVOICE_ADJUSTMENT]
        planned = plan_memo(self, credit)
        assert planned.total == credit.memo_amount - given_up((LocationKind.MEMO, credit.id), sharers)
        return planned.total

    # the planner's view of the book (domain.sync_plan.Book) -------------------------------------------------

    def credit(self, credit_id: str) -> Credit:
        return self.credits[credit_id]

    def credits_of(self, credit_ids) -> list[Credit]:
        return [self.credits[c] for c in dict.fromkeys(credit_ids)]

    def invoice(self, invoice_id: str) -> Invoice:
        return next(i for i in self.invoices if i.id == invoice_id)

    def invoices_of(self, invoice_ids) -> list[Invoice]:
        return [self.invoice(i) for i in dict.fromkeys(invoice_ids)]

    def payment(self, payment_id: str) -> Payment | None:
        return next((p for p in self.payments if p.id == payment_id), None)

    def uses_of(self, credit_id: str, *, active_only: bool = False) -> list[CreditUse]:
        return [u for u in self.uses.values() if u.credit_id == credit_id and (u.active or not active_only)]


def check(book: Book, manual: int) -> None:
    tenders = sum(p.tender_total for p in book.payments if p.active)
    remaining = sum(c.remaining for c in book.credits.values())
    assert manual + tenders == sum(i.paid for i in book.invoices) + remaining + book.removed, (
        "money counted twice (or lost)")
    qbo: dict[tuple[LocationKind, str], int] = defaultdict(int)  # what QBO derives for each credit source
    for credit in book.credits.values():
        if credit.source in (CreditSource.MANUAL,):
            total = book.memo_total(credit)
            assert total >= 0, f"{credit.number}: a memo cannot total {total}"
            qbo[(LocationKind.MEMO, credit.id)] += total
    for payment in book.payments:
        if payment.active:
            qbo[(LocationKind.UNAPPLIED, payment.id)] += payment.tender_total
    for invoice in book.invoices:
        links = book.links(invoice)
        assert invoice.paid == sum(link.amount for link in links), f"{invoice.number}: QBO would link another amount"
        assert 0 <= invoice.paid <= invoice.total
        for link in links:
            qbo[link.back_to] -= link.amount
    ours: dict[tuple[LocationKind, str], int] = defaultdict(int)
    for credit in book.credits.values():
        if credit.status is CreditStatus.ACTIVE:
            for key, amount in held(credit.locations, credit.drawn).items():
                ours[key] += amount
    assert {k: v for k, v in qbo.items() if v} == {k: v for k, v in ours.items() if v}
    assert _planned_books(book) == ({k: v for k, v in ours.items() if v}, {i.id: i.balance for i in book.invoices})
    _check_one_way(book)


def _planned_books(book: Book) -> tuple[dict, dict]:
    """QBO's credit sources and invoice Balances, derived only from the documents the planner says to write: each
    memo's total, each tender Payment's links (its invoice, and the lines spending its unapplied amount), each use's
    linking Payment while it stays."""
    sources: dict[tuple[LocationKind, str], int] = defaultdict(int)
    linked: dict[str, int] = defaultdict(int)
    for credit in (c for c in book.credits.values() if c.source is CreditSource.MANUAL):
        sources[(LocationKind.MEMO, credit.id)] += book.memo_total(credit)
    for payment in (p for p in book.payments if p.active and p.tender_total):
        sources[(LocationKind.UNAPPLIED, payment.id)] += payment.tender_total
        for invoice_id, amount in payment_links(book, payment).items():
            assert amount >= 0, f"{payment.number} would link {amount} to {invoice_id}"
            sources[(LocationKind.UNAPPLIED, payment.id)] -= amount
            linked[invoice_id] += amount
    for use in book.uses.values():
        plan = use_plan(book, use)
        assert plan.refused is None, plan.refused
        if plan.linking_payment is QboAction.UPDATE:
            assert use.active and plan.linked > 0
            for credit_id, amount in plan.memos:
                sources[(LocationKind.MEMO, credit_id)] -= amount
            linked[use.invoice_id] += plan.linked
        else:
            assert plan.linking_payment is None or not (use.active and plan.linked)
    return {k: v for k, v in sources.items() if v}, {i.id: i.total - linked[i.id] for i in book.invoices}


def _check_one_way(book: Book) -> None:
    """One-way: the tender Payments alone; each invoice stays open in QBO for what credits paid of it here."""
    books = one_way_books(book.invoices, book.payments, list(book.credits.values()))
    for payment in (p for p in book.payments if p.tender_total):
        expected = payment_links(book, payment, with_uses=False)[payment.invoice_id] if payment.active else 0
        assert (books.linked[payment.id], books.unapplied[payment.id]) == (expected, payment.tender_total - expected)
    by_credits: dict[str, int] = defaultdict(int)
    for use in (u for u in book.uses.values() if u.active):
        by_credits[use.invoice_id] += sum(part.amount for part in use_plan(book, use).links)
    assert books.balances == {i.id: i.balance + by_credits[i.id] for i in book.invoices}


