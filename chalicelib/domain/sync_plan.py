"""What QuickBooks must receive for one object of ours (DESIGN §5 money location): the planner.

From a snapshot of our objects (a `Book`) it answers the amounts each document carries and what becomes of it: the
links a tender Payment carries (its own invoice less what reductions cut, plus the lines that spend its unapplied
amount for the credits it keeps), a use's parts as QBO links them and whether its linking Payment stays or goes, the
lines our uses put on the accountant's Payment, and a CreditMemo's total once removed adjustment credits gave up
what they kept in it. `services/sync` loads the book, pushes what the plan says and records the answer; no money
arithmetic of the sync lives anywhere else. tests/unit/test_sync_plan.py checks the plan against the money-location
model: what QBO derives from the planned documents is what our ledger says, to the cent.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from .credits import Credit, CreditStatus, CreditUse
from .invoices import Invoice
from .locations import Cut, Location, LocationKind, after_cut, given_up
from .payments import Payment
from .qbo_actions import QboAction, linking_payment_action


class Book(Protocol):
    """Our ledger as the planner reads it: store.ledger.LedgerBook reads it from the table (a batch per list), the
    unit tests keep one in memory."""

    def credit(self, credit_id: str) -> Credit: ...

    def credits_of(self, credit_ids: Iterable[str]) -> list[Credit]: ...

    def invoice(self, invoice_id: str) -> Invoice: ...

    def invoices_of(self, invoice_ids: Iterable[str]) -> list[Invoice]: ...

    def payment(self, payment_id: str) -> Payment | None: ...

    def uses_of(self, credit_id: str, *, active_only: bool = False) -> list[CreditUse]: ...


# ----- links and what reductions cut from them -------------------------------------------------------------------

def cuts_of(credit: Credit) -> list[Cut]:
    return [Cut.from_dict(c) for c in credit.cuts]


def cut_from(book: Book, invoice_id: str, doc: tuple[str, str]) -> int:
    """What the invoice's reductions cut from one of its links (("payment", id): a tender line; ("use", key))."""
    adjustments = book.credits_of(book.invoice(invoice_id).adjustment_credit_ids)
    return sum(cut.amount for credit in adjustments for cut in cuts_of(credit) if cut.doc == doc)


def cuts_by_link(credits: Iterable[Credit]) -> dict[tuple[str, str], int]:
    """What reductions cut from each link, over many credits at once (parity reads every credit)."""
    cut: dict[tuple[str, str], int] = {}
    for credit in credits:
        for each in cuts_of(credit):
            cut[each.doc] = cut.get(each.doc, 0) + each.amount
    return cut


def tender_link(payment: Payment, cut: int) -> int:
    """What a tender Payment links to its own invoice: its tenders applied there less what reductions cut from that
    line (the rest stays its UnappliedAmt); nothing once voided."""
    return payment.tender_applied - cut if payment.active else 0


def use_links(book: Book, use: CreditUse) -> list[Location]:
    """A use's parts as QBO links them: less what its invoice's reductions cut, from its last part back."""
    return after_cut(use.parts, cut_from(book, use.invoice_id, ("use", use.key)))


def use_linked(book: Book, use: CreditUse) -> int:
    """What a use's linking Payment links to its invoice: its memo parts after the cuts (0 once voided)."""
    return sum(amount for _, amount in memo_links(use_links(book, use))) if use.active else 0


def memo_links(links: Iterable[Location]) -> list[tuple[str, int]]:
    """(credit id, cents) a use's linking Payment links of each memo: its memo parts that still link something."""
    return [(part.owner_id, part.amount) for part in links if part.kind is LocationKind.MEMO and part.amount]


def open_balance(invoice: Invoice, linked: int) -> int | None:
    """What QBO shows open on an invoice its documents link `linked` of (None: a deleted one has no balance)."""
    return None if invoice.deleted else invoice.total - linked


@dataclass(frozen=True)
class OneWayBooks:
    """What one-way sync leaves in QBO: no credit and no use reaches it, so each tender Payment links its invoice for
    what its tenders pay there (less what reductions cut) and keeps the rest unapplied, and each invoice's Balance is
    what its tender Payments leave open (the part paid by credits stays open in QBO)."""

    linked: dict[str, int]  # tender payment id -> what its Payment links to its invoice
    unapplied: dict[str, int]  # tender payment id -> its UnappliedAmt
    balances: dict[str, int | None]  # invoice id -> its Balance (None: deleted, voided in QBO)


def one_way_books(invoices: Iterable[Invoice], payments: Sequence[Payment], credits: Iterable[Credit]) -> OneWayBooks:
    cut = cuts_by_link(credits)
    linked = {p.id: tender_link(p, cut.get(("payment", p.id), 0)) for p in payments if p.tender_total}
    paid: dict[str, int] = {}
    for payment in (p for p in payments if p.id in linked):
        paid[payment.invoice_id] = paid.get(payment.invoice_id, 0) + linked[payment.id]
    return OneWayBooks(linked, {p.id: p.tender_total - linked[p.id] for p in payments if p.id in linked},
                       {i.id: open_balance(i, paid.get(i.id, 0)) for i in invoices})


# ----- a tender Payment and the credits it keeps ------------------------------------------------------------------

def keepers(book: Book, payment_id: str) -> list[str]:
    """The credits whose value this Payment's UnappliedAmt holds: its overpayment, its invoice's adjustments, and the
    adjustments of other invoices whose reduction cut a use drawn from here (the freed money stays here), and so on
    for their uses in turn."""
    payment = book.payment(payment_id)
    invoice = book.invoice(payment.invoice_id)
    found = [payment.overpayment_credit_id] if payment.overpayment_credit_id else []
    found += invoice.adjustment_credit_ids
    here = (LocationKind.UNAPPLIED, payment_id)
    for keeper in found:  # grows while it is walked
        for use in book.uses_of(keeper, active_only=True):
            if any(part.key == here for part in use.parts):
                found += [c.id for c in _cutting(book, use, here) if c.id not in found]
    return found


def _cutting(book: Book, use: CreditUse, back_to: tuple[LocationKind, str]) -> list[Credit]:
    """The adjustment credits of the use's invoice whose cuts of the use sent money back to `back_to`."""
    adjustments = book.credits_of(book.invoice(use.invoice_id).adjustment_credit_ids)
    return [c for c in adjustments if any(cut.doc == ("use", use.key) and cut.back_to == back_to for cut in cuts_of(c))]


def unapplied_lines(book: Book, payment: Payment) -> list[tuple[str, int]]:
    """(invoice id, cents) of the active uses that spend this Payment's unapplied amount (the credits it keeps)."""
    lines: list[tuple[str, int]] = []
    for credit_id in keepers(book, payment.id):
        for use in book.uses_of(credit_id, active_only=True):
            lines += [(use.invoice_id, part.amount) for part in use_links(book, use)
                      if part.key == (LocationKind.UNAPPLIED, payment.id) and part.amount]
    return lines


def payment_links(book: Book, payment: Payment, *, with_uses: bool = True) -> dict[str, int]:
    """Invoice id → what our tender Payment links there: its own invoice first, then the invoices that uses of the
    credits it keeps pay from its unapplied amount (two-way only: one-way keeps credits here, all of it unapplied)."""
    links = {payment.invoice_id: tender_link(payment, cut_from(book, payment.invoice_id, ("payment", payment.id)))}
    for invoice_id, amount in unapplied_lines(book, payment) if with_uses else []:
        links[invoice_id] = links.get(invoice_id, 0) + amount
    return links


# ----- a credit use ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UsePlan:
    """A use's links as QBO holds them, and what becomes of its linking Payment (None: it has no memo part, so it
    is only lines on the Payments whose unapplied amounts it spends). `refused`: why no document of ours can link
    where the ledger keeps its money (the use is parked with it)."""

    links: list[Location]
    linking_payment: QboAction | None
    refused: str | None = None

    @property
    def memos(self) -> list[tuple[str, int]]:
        return memo_links(self.links)

    @property
    def linked(self) -> int:
        """What its linking Payment links to the invoice: its memo links together."""
        return sum(amount for _, amount in self.memos)

    @property
    def payments(self) -> list[str]:
        """Our payments whose unapplied amount it spends: their Payments carry its lines."""
        return [part.owner_id for part in self.links if part.kind is LocationKind.UNAPPLIED]


def use_plan(book: Book, use: CreditUse) -> UsePlan:
    """What QBO must hold of one of our uses (not one of the accountant's Payment: `accountants_lines`)."""
    links = use_links(book, use)
    refused = _refusal(book, use, links)
    if not any(part.kind is LocationKind.MEMO for part in links):
        return UsePlan(links, None, refused)
    plan = UsePlan(links, None, refused)
    return replace(plan, linking_payment=linking_payment_action(active=use.active, linked=plan.linked))


def _refusal(book: Book, use: CreditUse, links: list[Location]) -> str | None:
    for owner in dict.fromkeys(part.owner_id for part in links if part.kind is LocationKind.UNAPPLIED):
        if book.payment(owner) is None:
            return ("this credit keeps money on a Payment the accountant made in QuickBooks for another credit (a "
                    "reduction cut a use of it); such uses are not pushed by this version")
        if use.credit_id not in keepers(book, owner):
            return "the ledger keeps this credit's money on a payment that does not hold it"
    return None


def accountants_lines(book: Book, credit: Credit) -> dict[str, int]:
    """Invoice id → what our active uses of a credit kept on the accountant's Payment link there, for every invoice
    one of its uses paid (0: a line to remove), oldest use first."""
    lines: dict[str, int] = {}
    for use in book.uses_of(credit.id):
        links = use_links(book, use) if use.active else []
        kept = sum(p.amount for p in links if p.key == (LocationKind.UNAPPLIED, credit.id))
        lines[use.invoice_id] = lines.get(use.invoice_id, 0) + kept
    return lines


def with_accountants_share(ours: Mapping[str, int], share: Callable[[str], int]) -> dict[str, int]:
    """The accountant's Payment's line per invoice: what our uses link there plus what the accountant applied there
    (`share`, as the inbound sync recorded it)."""
    return {invoice: amount + share(invoice) for invoice, amount in ours.items()}


# ----- a credit's own CreditMemo ---------------------------------------------------------------------------------

def sources(credit: Credit) -> set[tuple[LocationKind, str]]:
    """The QBO sources an adjustment credit keeps money in, or sent money back into with its standing cuts."""
    return {loc.key for loc in credit.locations} | {cut.back_to for cut in cuts_of(credit)}


def memos_given_back(credit: Credit) -> list[str]:
    """The credits whose memos an adjustment credit keeps money in (or cut money back into), in no set order."""
    return list(dict.fromkeys(owner for kind, owner in sources(credit) if kind is LocationKind.MEMO))


def source_sharers(book: Book, credit: Credit, here: set[tuple[LocationKind, str]]) -> list[Credit]:
    """The adjustment credits that keep money in the credit's own QBO source (named by any key in `here`): those of
    invoices whose reduction cut a use drawn from it (the freed money went back into it), and so on for their own
    uses in turn."""
    if not credit.use_count:
        return []
    walked, sharers = [credit.id], []
    for holder_id in walked:  # grows while it is walked
        uses = [use for use in book.uses_of(holder_id) if any(part.key in here for part in use.parts)]
        invoices = book.invoices_of(dict.fromkeys(use.invoice_id for use in uses))
        adjustments = dict.fromkeys(c for invoice in invoices for c in invoice.adjustment_credit_ids)
        for adjustment in book.credits_of(c for c in adjustments if c not in walked):
            if here & sources(adjustment):
                walked.append(adjustment.id)
                sharers.append(adjustment)
    return sharers


def given_up_for(credit: Credit, sharers: Iterable[Credit]) -> int:
    """Cents the credit's memo no longer holds for removed adjustment credits (`locations.given_up`)."""
    return given_up((LocationKind.MEMO, credit.id), [
        (c.status is CreditStatus.ACTIVE, c.locations, c.drawn, cuts_of(c)) for c in sharers])


@dataclass(frozen=True)
class MemoPlan:
    """A credit's own CreditMemo: what becomes of it, what it totals, and its line shape."""

    action: QboAction
    total: int
    whole: int  # all of the credit a memo of ours ever holds (less what an old company applied of it)
    itemized: bool  # its lines are the returned products' (the whole credit, with lineage)
    sharers: tuple[str, ...] = ()  # the adjustment credits keeping money in it (their voided uses' Payments go first)

    @property
    def balance_canceled(self) -> bool:
        return self.total != self.whole


def memo_plan(credit: Credit, sharers: Iterable[Credit] = ()) -> MemoPlan:
    """The memo as the push, a re-sync's create and the judge of its echo write or expect it: the credit's
    `memo_amount` less what removed adjustment credits gave up in it; deleted once nothing of its credit is in it."""
    sharers = list(sharers)
    given = given_up_for(credit, sharers)
    total = credit.memo_amount - given
    return MemoPlan(credit.memo_action(given), total, credit.amount - credit.applied_in_qbo,
                    bool(credit.line_items) and total == credit.amount, tuple(c.id for c in sharers))


def plan_memo(book: Book, credit: Credit) -> MemoPlan:
    return memo_plan(credit, source_sharers(book, credit, {(LocationKind.MEMO, credit.id)}))
