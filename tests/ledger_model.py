"""A small in-memory reference model of the ledger, used by the stateful test to predict the API's answers."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MCredit:
    id: str
    customer: int
    amount: int
    source: str
    seq: int
    origin_invoice: str | None = None
    status: str = "active"
    uses: dict[str, int] = field(default_factory=dict)  # use id -> amount (active only)
    ever_used: bool = False  # voided uses stay in the audit trail: such a credit can't be deleted
    cuts: dict[tuple[str, str], int] = field(default_factory=dict)  # adjustment credits: link -> amount cut

    @property
    def used(self) -> int:
        return sum(self.uses.values())

    @property
    def remaining(self) -> int:
        return self.amount - self.used if self.status == "active" else 0


@dataclass
class MInvoice:
    id: str
    order_id: str
    customer: int
    total: int
    paid: int = 0
    adjusted: int = 0
    adjustment_credits: list[str] = field(default_factory=list)
    deleted: bool = False
    links: list[tuple[tuple[str, str], int, str]] = field(default_factory=list)  # (link, amount, payment id)

    @property
    def balance(self) -> int:
        return self.total - self.paid


@dataclass
class MPayment:
    id: str
    invoice: str
    uses: dict[str, tuple[str, int]]  # use id -> (credit id, amount), active only
    tender_applied: int
    over_credit: str | None
    active: bool = True

    @property
    def applied(self) -> int:
        return self.tender_applied + sum(a for _, a in self.uses.values()) if self.active else 0


class LedgerModel:
    def __init__(self):
        self.credits: dict[str, MCredit] = {}
        self.invoices: dict[str, MInvoice] = {}
        self.payments: dict[str, MPayment] = {}
        self._seq = 0

    def add_credit(self, credit_id, customer, amount, source, origin_invoice=None) -> MCredit:
        self._seq += 1
        credit = MCredit(credit_id, customer, amount, source, self._seq, origin_invoice)
        self.credits[credit_id] = credit
        return credit

    def fifo(self, invoice: MInvoice, cash: int) -> list[tuple[str, int]]:
        room = max(0, invoice.balance - cash)
        plan = []
        for credit in sorted(self.credits.values(), key=lambda c: c.seq):
            if room == 0:
                break
            if credit.customer != invoice.customer or credit.origin_invoice == invoice.id or credit.remaining <= 0:
                continue
            amount = min(credit.remaining, room)
            plan.append((credit.id, amount))
            room -= amount
        return plan

    def chosen_error(self, invoice: MInvoice, credit_ids: list[str]) -> str | None:
        for cid in credit_ids:
            credit = self.credits[cid]
            if credit.origin_invoice == invoice.id:
                return "credit_from_same_invoice"
            if credit.customer != invoice.customer or credit.remaining <= 0:
                return "credit_not_applicable"
        return None

    def chosen(self, invoice: MInvoice, credit_ids: list[str]) -> list[tuple[str, int]]:
        room, plan = invoice.balance, []
        for cid in credit_ids:
            amount = min(self.credits[cid].remaining, room)
            if amount:
                plan.append((cid, amount))
                room -= amount
        return plan

    def add_links(self, invoice: MInvoice, payment: MPayment) -> None:
        """What QBO links to the invoice for a new payment: its tender line, then each credit use."""
        if payment.tender_applied:
            invoice.links.append((("payment", payment.id), payment.tender_applied, payment.id))
        invoice.links += [(("use", use_id), amount, payment.id) for use_id, (_, amount) in payment.uses.items()]

    def live_links(self, invoice: MInvoice) -> list[tuple[tuple[str, str], int]]:
        """The invoice's links still in force, less what its reductions cut from them."""
        cut: dict[tuple[str, str], int] = {}
        for credit_id in invoice.adjustment_credits:
            for link, amount in self.credits[credit_id].cuts.items():
                cut[link] = cut.get(link, 0) + amount
        out = []
        for link, amount, payment_id in invoice.links:
            payment = self.payments[payment_id]
            if payment.active and (link[0] == "payment" or link[1] in payment.uses):
                out.append((link, amount - cut.get(link, 0)))
        return out

    def cut_latest_first(self, invoice: MInvoice, excess: int) -> dict[tuple[str, str], int]:
        cuts, need = {}, excess
        for link, amount in reversed(self.live_links(invoice)):
            take = min(need, amount)
            if take:
                cuts[link], need = take, need - take
        assert need == 0
        return cuts

    def take_back(self, invoice: MInvoice, amount: int, links: list[tuple[str, str]]) -> list[str] | None:
        """Mirror of the service; returns adjustment credits to void, or None when one is in use (refused).

        Adjustment credits give back what they cut from the voided links first (Credit.give_back_cut)."""
        uncut = 0
        forfeited: list[tuple[str, int]] = []
        for credit_id in invoice.adjustment_credits:
            credit = self.credits[credit_id]
            if credit.status in ("canceled", "deleted"):  # Credit.removed_cuts: that money left with the credit
                forfeited += [(link[1], credit.cuts[link]) for link in links
                              if link[0] == "use" and credit.cuts.get(link)]
            share = sum(credit.cuts.pop(link, 0) for link in links)
            if not share:
                continue
            if credit.used:
                return None
            if share < credit.amount:
                credit.amount -= share
            elif credit.status == "active":
                credit.status = "voided"
            uncut += share
        for use_id, lost in forfeited:  # Credit.forfeit: the voided use's credit does not get it back
            owner = next(c for c in self.credits.values() if use_id in c.uses)
            if lost < owner.amount:
                owner.amount -= lost
            elif owner.status == "active":
                owner.status = "voided"
        invoice.adjusted -= uncut
        amount -= uncut
        if amount <= invoice.paid:
            invoice.paid -= amount
            return []
        if any(self.credits[c].used for c in invoice.adjustment_credits):
            return None
        undone = invoice.adjustment_credits
        invoice.paid += invoice.adjusted - amount
        excess = max(0, invoice.paid - invoice.total)
        invoice.paid -= excess
        invoice.adjusted, invoice.adjustment_credits = excess, []
        for cid in undone:
            if self.credits[cid].status == "active":
                self.credits[cid].status = "voided"
        return undone
