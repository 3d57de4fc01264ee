"""Money is never counted twice over any sequence of pay / reduce / void / cancel / delete (DESIGN §5 money
location, issue 9).

A small in-memory ledger drives the domain objects the way the use cases do (services/payments.py, postings.py,
services/credits.py); after every move three things hold:
- conservation: manual credits + active tenders = invoices' paid + credits' remaining + what cancels and deletes
  removed (a canceled credit's unspent balance, and what its uses give back once voided);
- every invoice's `paid` is what its links carry after the cuts (QBO's linked amount, so its Balance matches);
- every QBO credit source (a memo's RemainingCredit, a Payment's UnappliedAmt, as QBO derives it from the memo's
  total as the push writes it and from the links) holds exactly what our active credits keep there.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.credits import CancelMode, Credit, CreditInUse, CreditSource, CreditStatus, CreditUse
from chalicelib.domain.errors import DomainError
from chalicelib.domain.invoices import Invoice, Line
from chalicelib.domain.locations import Cut, Link, LocationKind, cut_latest_first, given_up, held, locations_freed
from chalicelib.domain.payments import Payment, PaymentCreditUse, Tender, TenderMethod
from chalicelib.qbo.mapping import memo_total

NOW = "2026-11-26T00:00:00.000000Z"


def _invoice(n: int, total: int) -> Invoice:
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
        """What the push writes as the credit's CreditMemo total (documents.push_credit)."""
        sharers = [(c.status is CreditStatus.ACTIVE, c.locations, c.drawn, [Cut.from_dict(x) for x in c.cuts])
                   for c in self.credits.values() if c.source is CreditSource.INVOICE_ADJUSTMENT]
        return memo_total(credit, given_up((LocationKind.MEMO, credit.id), sharers))


def _check(book: Book, manual: int) -> None:
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


moves = st.lists(st.tuples(st.sampled_from(["pay", "pay", "reduce", "void", "cancel", "delete"]), st.integers(0, 99),
                           st.integers(0, 90_00), st.integers(0, 99)), max_size=30)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.integers(1, 60_00), min_size=1, max_size=3), st.lists(st.integers(1, 80_00), min_size=1,
                                                                         max_size=3), moves)
def test_pay_reduce_void_cancel_never_counts_money_twice(manual, totals, script):
    book = Book([_invoice(n, total) for n, total in enumerate(totals)])
    for amount in manual:
        book.issue(CreditSource.MANUAL, amount)
    for move, pick, amount, other in script:
        saved = copy.deepcopy(book)
        try:
            if move == "pay":
                credits = list(book.credits.values())
                credit = credits[other % len(credits)] if other % 3 else None
                book.pay(book.invoices[pick % len(book.invoices)], amount % 50_00, credit)
            elif move == "reduce":
                book.reduce(book.invoices[pick % len(book.invoices)], amount)
            elif move in ("cancel", "delete"):
                credits = list(book.credits.values())
                credit = credits[pick % len(credits)]
                if move == "delete":
                    book.delete(credit)
                else:
                    book.cancel(credit, CancelMode.REVERT if other % 2 else CancelMode.BALANCE_ONLY)
            elif book.payments:
                book.void(book.payments[pick % len(book.payments)])
        except DomainError:
            book = saved  # refused: the use case's transaction would not commit
        _check(book, sum(manual))


def test_a_bounced_check_that_funded_an_adjustment_credit_takes_it_back():
    """The case the workload could not run: 60 + 40 paid, reduced to 70, the 40 voided."""
    book = Book([_invoice(1, 100_00)])
    book.pay(book.invoices[0], 60_00, None)
    book.pay(book.invoices[0], 40_00, None)
    book.reduce(book.invoices[0], 70_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.void(book.payments[1])
    assert (book.invoices[0].paid, book.invoices[0].balance, book.invoices[0].adjusted_to_credit) == (60_00, 10_00, 0)
    assert adjustment.status is CreditStatus.VOIDED and adjustment.remaining == 0 and adjustment.cuts == []
    _check(book, 0)


def test_a_partly_cut_adjustment_credit_shrinks_to_what_remains_elsewhere():
    book = Book([_invoice(1, 100_00)])
    book.pay(book.invoices[0], 60_00, None)
    book.pay(book.invoices[0], 40_00, None)
    book.reduce(book.invoices[0], 50_00)  # cuts all 40 of the second payment and 10 of the first
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.void(book.payments[1])
    assert (adjustment.status, adjustment.amount, adjustment.remaining) == (CreditStatus.ACTIVE, 10_00, 10_00)
    assert [loc.as_dict() for loc in adjustment.locations] == [{"kind": "unapplied", "owner_id": book.payments[0].id,
                                                                "amount": 10_00}]
    assert adjustment.events[-1].details["amount"] == {"from": 50_00, "to": 10_00}
    assert book.invoices[0].balance == 0
    _check(book, 0)


def test_one_void_gives_back_all_its_cut_links_at_once_and_the_voided_credit_keeps_its_amount():
    """A payment of tender and credit use, both cut by one reduction: its void empties the adjustment credit in one
    step, so it is voided holding all it had (as a canceled or an overpayment credit keeps its amount), not first
    shrunk by the tender's share and then voided holding only the use's, an amount that hung on the links' order."""
    book = Book([_invoice(1, 100_00)])
    manual = book.issue(CreditSource.MANUAL, 30_00)
    book.pay(book.invoices[0], 70_00, manual)  # links: the tender's 70, then the use's 30
    book.reduce(book.invoices[0], 10_00)  # cuts all 30 of the use, then 60 of the tender
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    assert sorted(Cut.from_dict(c).amount for c in adjustment.cuts) == [30_00, 60_00]
    book.void(book.payments[0])
    assert (adjustment.status, adjustment.amount, adjustment.remaining) == (CreditStatus.VOIDED, 90_00, 0)
    assert [(e.kind, e.amount) for e in adjustment.events] == [("created", 90_00), ("voided", 90_00)]
    assert adjustment.cuts == [] and held(adjustment.locations, adjustment.drawn) == {}
    assert (book.invoices[0].paid, book.invoices[0].adjusted_to_credit, manual.remaining) == (0, 0, 30_00)
    _check(book, 30_00)


def test_the_void_is_refused_while_the_adjustment_credit_pays_another_invoice():
    book = Book([_invoice(1, 100_00), _invoice(2, 30_00)])
    book.pay(book.invoices[0], 100_00, None)
    book.reduce(book.invoices[0], 80_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.pay(book.invoices[1], 0, adjustment)
    use = next(iter(book.uses.values()))
    try:
        book.void(book.payments[0])
    except CreditInUse as refused:
        assert refused.details["credit_id"] == adjustment.id
    else:
        raise AssertionError("the void went through while the adjustment credit it funded pays another invoice")
    assert use.active


def test_a_canceled_adjustment_credit_kept_in_a_memo_leaves_it_and_a_later_void_does_not_bring_it_back():
    """50 of credit pays 40; the invoice is reduced to 30, so the memo regains the adjustment credit's 10. Canceling
    that credit removes the 10 from the memo (its total drops to 40); voiding the use afterwards gives the credit
    back only the 30 the invoice kept: the 10 stays canceled (forfeit), in the ledger as in QBO."""
    book = Book([_invoice(1, 40_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.reduce(book.invoices[0], 30_00)
    adjustment = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    assert book.memo_total(manual) == 50_00
    book.cancel(adjustment, CancelMode.BALANCE_ONLY)
    assert book.memo_total(manual) == 40_00 and manual.remaining == 10_00
    _check(book, 50_00)
    book.void(book.payments[0])
    assert (manual.amount, manual.remaining, book.memo_total(manual)) == (40_00, 40_00, 40_00)
    assert manual.events[-1].details["amount"] == {"from": 50_00, "to": 40_00}
    assert (adjustment.status, adjustment.remaining, adjustment.cuts) == (CreditStatus.CANCELED, 0, [])
    _check(book, 50_00)


def test_a_forfeit_by_an_adjustment_credit_leaves_the_memo_total_as_it_was():
    """The adjustment credit's own use is cut by a second reduction whose credit is canceled, then voided: the first
    adjustment credit forfeits the cut 4 and the memo's total does not move (the forfeit and the undone cut cancel
    out), while its RemainingCredit grows by what the voided use still linked."""
    book = Book([_invoice(1, 40_00), _invoice(2, 20_00)])
    manual = book.issue(CreditSource.MANUAL, 50_00)
    book.pay(book.invoices[0], 0, manual)
    book.reduce(book.invoices[0], 30_00)
    first = book.credits[book.invoices[0].adjustment_credit_ids[0]]
    book.pay(book.invoices[1], 14_00, first)  # all 10 of the first adjustment credit, then 10 cash (4 over)
    book.reduce(book.invoices[1], 16_00)  # cuts the use (latest link) by 4
    second = book.credits[book.invoices[1].adjustment_credit_ids[0]]
    book.cancel(second, CancelMode.REVERT)
    total = book.memo_total(manual)
    _check(book, 50_00)
    book.void(book.payments[1])
    assert (first.amount, first.remaining, book.memo_total(manual)) == (6_00, 6_00, total)
    _check(book, 50_00)
