"""The credit: a customer's balance that can pay invoices, and the rules for changing it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .credit_sources import CreditHome, CreditSource, credit_home
from .errors import (
    Conflict,
    CreditAlreadyUsed,
    CreditBelowUsed,
    CreditNotActive,
    InvalidInput,
    OverpaymentCreditImmutable,
)
from .locations import Cut, Location, LocationKind, draw, memo, qbo_unapplied, relocate, relocate_cuts, unapplied
from .qbo_actions import QboAction, history_note, memo_action, memo_total
from .sync import Synced, SyncState
from .sync_kinds import use_key


@dataclass(frozen=True)
class CreditEvent:
    """One line of a credit's history (created, applied, use_voided, edited, canceled, deleted, voided, reissued)."""

    kind: str
    at: str
    amount: int = 0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class CreditUse(Synced):
    """Part of a credit paying an invoice through a payment; voided uses stay for the audit trail.

    A use is its own object (a credit may be used thousands of times): it records the QBO sources it draws on
    (`parts`, DESIGN §5 money location) and syncs as its own QBO document.
    """

    id: str
    credit_id: str
    payment_id: str
    invoice_id: str
    amount: int
    at: str
    parts: list[Location] = field(default_factory=list)
    voided_at: str | None = None
    from_qbo: bool = False  # the accountant applied it in QBO; recorded here so invoice balances stay equal
    sync: SyncState = field(default_factory=SyncState, compare=False)
    version: int = 0

    @property
    def active(self) -> bool:
        return self.voided_at is None

    @property
    def key(self) -> str:
        """Its name in the pending index and on the API (domain.sync_kinds.use_key)."""
        return use_key(self.credit_id, self.id)

    def move_source(self, old: tuple[LocationKind, str], new: tuple[LocationKind, str]) -> bool:
        """The QBO source `old` its parts draw on is now `new` (`Credit.reissue`); True if a part moved."""
        if not any(part.key == old for part in self.parts):
            return False
        self.parts = relocate(self.parts, old, new)
        return True


class CreditAmountFixed(Conflict):
    code = "credit_amount_fixed"


class CreditOwnedByQbo(Conflict):
    """The credit was imported from a QBO document: its money is changed there (DESIGN §7 ownership)."""

    code = "credit_owned_by_qbo"


class CreditHeldByPayment(Conflict):
    """Part of the credit's value is a Payment's UnappliedAmt in QBO, which only voiding that payment removes."""

    code = "credit_held_by_payment"


class CreditFromSameInvoice(Conflict):
    """A credit never pays the invoice that generated it (an overpayment or adjustment would pay itself)."""

    code = "credit_from_same_invoice"


class InsufficientCredit(Conflict):
    """The credit has less left than the amount asked of it."""

    code = "insufficient_credit"


class CreditInUse(Conflict):
    """The credit pays other invoices; those uses must be voided first."""

    code = "credit_in_use"


class CreditStatus(str, Enum):
    ACTIVE = "active"
    CANCELED = "canceled"
    DELETED = "deleted"
    VOIDED = "voided"


class CancelMode(str, Enum):
    BALANCE_ONLY = "balance_only"
    REVERT = "revert"


def _own_locations(credit_id: str, source: "CreditSource", amount: int, origin_payment_id: str | None,
                   imported_from: str | None = None) -> list[Location]:
    """Where a credit's value sits in QBO when nothing else says: its own memo, or its payment's unapplied amount
    (an imported credit: the document it came from, a CreditMemo or the accountant's Payment)."""
    if source is CreditSource.QBO and imported_from == "Payment":
        return [qbo_unapplied(credit_id, amount)]
    if source is CreditSource.OVERPAYMENT:
        return [unapplied(origin_payment_id or "", amount)]
    if source is CreditSource.INVOICE_ADJUSTMENT:
        return []  # decided by the invoice links the reduction cut (see locations.cut_latest_first)
    return [memo(credit_id, amount)]


def _merge(locations: list[Location], change: list[Location], sign: int) -> list[Location]:
    totals: dict[tuple[LocationKind, str], int] = {loc.key: loc.amount for loc in locations}
    for part in change:
        totals[part.key] = totals.get(part.key, 0) + sign * part.amount
    return [Location(kind, owner, amount) for (kind, owner), amount in totals.items() if amount]


@dataclass
class Credit(Synced):
    id: str
    number: str
    customer_id: str
    source: CreditSource
    amount: int
    created_at: str
    status: CreditStatus = CreditStatus.ACTIVE
    internal_note: str = ""
    external_note: str = ""
    origin_invoice_id: str | None = None
    origin_payment_id: str | None = None
    return_id: str | None = None
    line_items: list[dict[str, Any]] = field(default_factory=list)
    uses_total: int = 0  # what our active uses take (uses are objects of their own: the credit keeps the sums)
    applied_in_qbo: int = 0  # imported credits only: what the accountant applied in QBO, outside our ledger
    use_count: int = 0  # uses ever made, voided ones included: a credit once used is never deleted
    locations: list[Location] = field(default_factory=list)  # where its value sits in QBO (DESIGN §5)
    drawn: list[Location] = field(default_factory=list)  # what its active uses take from each location
    cuts: list[dict[str, Any]] = field(default_factory=list)  # adjustment credits: the invoice links they cut
    reissued_at: str | None = None  # imported credits: when a re-sync to a new company made it ours (`reissue`)
    updated_at: str | None = None
    sync: SyncState = field(default_factory=SyncState, compare=False)
    version: int = 0
    events: list[CreditEvent] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def issue(cls, *, id: str, number: str, customer_id: str, source: CreditSource, amount: int, now: str,
              internal_note: str = "", external_note: str = "", imported_from: str | None = None,
              **lineage: Any) -> "Credit":
        """A new active credit of a positive amount, recording its creation in the history.

        `imported_from`: the QBO entity a `qbo` credit was imported from ("CreditMemo" or "Payment").
        """
        if amount <= 0:
            raise InvalidInput("a credit amount must be greater than zero", details={"amount": "must be > 0"})
        if "locations" not in lineage:
            lineage["locations"] = _own_locations(id, source, amount, lineage.get("origin_payment_id"), imported_from)
        credit = cls(id=id, number=number, customer_id=customer_id, source=source, amount=amount, created_at=now,
                     updated_at=now, internal_note=internal_note, external_note=external_note, **lineage)
        created = {"source": source.value, **({"applied_in_qbo": credit.applied_in_qbo} if credit.applied_in_qbo else {})}
        credit.events.append(CreditEvent("created", now, amount, created))  # history replays `remaining` from these
        return credit

    @property
    def used(self) -> int:
        """What active uses take (voided uses give their amount back), plus what QBO applied of an imported credit."""
        return self.uses_total + self.applied_in_qbo

    @property
    def remaining(self) -> int:
        """What is still spendable: nothing once the credit is no longer active."""
        return self.amount - self.used if self.status is CreditStatus.ACTIVE else 0

    @property
    def in_accountants_payment(self) -> bool:
        """An imported credit kept in the UnappliedAmt of the accountant's Payment (not in a CreditMemo)."""
        return self.owned_by_qbo and any(
            loc.kind is LocationKind.UNAPPLIED and loc.owner_id == self.id for loc in self.locations)

    @property
    def own_source(self) -> tuple[LocationKind, str]:
        """The QBO source its own value sits in (a credit kept in a memo, or imported): its CreditMemo, or the
        accountant's Payment it was imported from."""
        return next((loc.key for loc in self.locations if loc.owner_id == self.id), (LocationKind.MEMO, self.id))

    @property
    def home(self) -> CreditHome:
        """Where its value sits in QBO (domain.credit_sources)."""
        return credit_home(self.source, reissued=self.reissued_at is not None)

    @property
    def owned_by_qbo(self) -> bool:
        """Imported from a QBO document, which owns its money (DESIGN §7): it follows QBO and is never pushed. A
        re-sync to a new company after a hard disconnect reissues it as ours (`reissue`)."""
        return self.home is CreditHome.ACCOUNTANTS_DOCUMENT

    @property
    def in_our_memo(self) -> bool:
        """Its value is a CreditMemo we create and own: a manual or return credit, or a reissued imported one."""
        return self.home is CreditHome.OWN_MEMO

    @property
    def memo_amount(self) -> int:
        """What its own CreditMemo holds for it: its amount while active, only what its uses still take once it is
        canceled or removed; less what the accountant applied in QBO outside our ledger (`applied_in_qbo`: for a
        reissued credit, what the old company applied of it, which the new company never sees). Its memo's
        RemainingCredit is then this less what its uses link: its `remaining`."""
        return memo_total(active=self.status is CreditStatus.ACTIVE, amount=self.amount, used=self.used,
                          applied=self.applied_in_qbo)

    def reissue(self, *, now: str) -> tuple[tuple[LocationKind, str], tuple[LocationKind, str]] | None:
        """A credit imported from the company a hard disconnect left becomes ours in the new one (DESIGN §5): a
        CreditMemo we create there for what is left of it (`memo_amount`), its uses linked to that memo. Its
        amount, uses and remaining stay as they are. Answers (old source, new source): a credit kept in the
        accountant's Payment now keeps its value in its own memo, and whatever drew on or gave money back to that
        Payment for it (its uses, adjustment credits) must name the memo too (`move_source`); None if it already was
        ours."""
        if not self.owned_by_qbo:
            return None
        if self.status is not CreditStatus.ACTIVE:
            raise CreditNotActive(f"credit {self.number} is {self.status.value}", details={"status": self.status.value})
        old, new = self.own_source, (LocationKind.MEMO, self.id)
        self.move_source(old, new)
        self.reissued_at = self.updated_at = now
        self.events.append(CreditEvent("reissued", now, self.amount, {
            "memo_total": self.memo_amount, "applied_in_qbo": self.applied_in_qbo,
            "imported_from": "Payment" if old[0] is LocationKind.UNAPPLIED else "CreditMemo"}))
        return old, new

    def names_source(self, source: tuple[LocationKind, str]) -> bool:
        """Whether this credit names the QBO source: among its locations, what its uses drew, where its cuts gave
        money back."""
        return any(loc.key == source for loc in (*self.locations, *self.drawn)) or any(
            Cut.from_dict(c).back_to == source for c in self.cuts)

    def move_source(self, old: tuple[LocationKind, str], new: tuple[LocationKind, str]) -> bool:
        """The QBO source `old` is now `new` wherever this credit names it (`names_source`); True if anything
        moved."""
        if old == new or not self.names_source(old):
            return False
        self.locations = relocate(self.locations, old, new)
        self.drawn = relocate(self.drawn, old, new)
        self.cuts = relocate_cuts(self.cuts, old, new)
        return True

    @property
    def is_overpayment(self) -> bool:
        return self.source is CreditSource.OVERPAYMENT

    def may_pay(self, invoice_id: str) -> bool:
        """The spec's rule, stated once: a credit never pays the invoice that generated it."""
        return self.origin_invoice_id != invoice_id

    def require_may_pay(self, invoice_id: str) -> None:
        if not self.may_pay(invoice_id):
            raise CreditFromSameInvoice(f"credit {self.number} was generated by this invoice and cannot pay it",
                                        details={"credit_id": self.id})

    def require_remaining(self, amount: int) -> None:
        """Not enough credit left: the one place that refuses spending more than remains."""
        if amount > self.remaining:
            raise InsufficientCredit(f"credit {self.number} has only {self.remaining} cents left",
                                     details={"credit_id": self.id, "remaining": self.remaining})

    def _require_directly_editable(self) -> None:
        if self.is_overpayment:
            raise OverpaymentCreditImmutable(
                "an overpayment credit cannot be edited, canceled or deleted; void the payment that created it instead",
                details={"origin_payment_id": self.origin_payment_id})
        if self.status is not CreditStatus.ACTIVE:
            raise CreditNotActive(f"credit {self.number} is {self.status.value}", details={"status": self.status.value})

    def _require_ours_to_remove(self, imported_memos: Iterable[str] = ()) -> None:
        """Deleting or canceling takes money off a QBO document, so it is refused where no push can take it off: an
        imported credit's memo is the accountant's (also when it keeps this adjustment credit's money: a reduction
        cut a use of it; `imported_memos` names the imported credits among its memo locations' owners), and a
        Payment's UnappliedAmt is what its payer paid."""
        self._require_directly_editable()
        if self.owned_by_qbo:
            raise CreditOwnedByQbo(
                f"credit {self.number} was imported from QuickBooks, which owns its balance: delete or void its credit "
                "memo there and it follows here", details={"credit_id": self.id, "qbo_id": self.sync.qbo_id})
        owners = set(imported_memos)
        theirs = sorted({loc.owner_id for loc in self.locations
                         if loc.kind is LocationKind.MEMO and loc.amount and loc.owner_id in owners})
        if theirs:
            raise CreditOwnedByQbo(
                f"credit {self.number} is kept in a credit memo the accountant made in QuickBooks (a reduction gave "
                "the money back to it), which QuickBooks owns: change that memo there, or spend this credit",
                details={"credit_id": self.id, "memo_credit_ids": theirs})
        payments = sorted({loc.owner_id for loc in self.locations if loc.kind is LocationKind.UNAPPLIED and loc.amount})
        if payments:  # an adjustment credit whose reduction cut a tender line: the money stays on that Payment
            raise CreditHeldByPayment(
                f"credit {self.number} is money its payer paid, kept as the unapplied amount of their payment in "
                "QuickBooks: it can only be spent, or removed by voiding that payment", details={
                    "credit_id": self.id, "payment_ids": payments})

    def edit(self, *, now: str, amount: int | None = None, internal_note: str | None = None,
             external_note: str | None = None) -> None:
        """Change amount or notes; the amount may never drop below what invoices already used."""
        self._require_directly_editable()
        changes: dict[str, Any] = {}
        if amount is not None and amount != self.amount:
            if self.source is not CreditSource.MANUAL and self.reissued_at is None:  # reissued: ours, as a manual one
                raise CreditAmountFixed(
                    f"the amount of a {self.source.value} credit follows what created it; only notes can change",
                    details={"source": self.source.value})
            if amount < self.used:
                raise CreditBelowUsed(
                    f"amount cannot be lower than the {self.used} cents already used",
                    details={"used": self.used, "requested": amount})
            if amount <= 0:
                raise InvalidInput("a credit amount must be greater than zero", details={"amount": "must be > 0"})
            changes["amount"] = {"from": self.amount, "to": amount}
            self.amount = amount
            self.locations = [memo(self.id, amount)]  # a manual credit is one CreditMemo of its amount
        for name, value in (("internal_note", internal_note), ("external_note", external_note)):
            if value is not None and value != getattr(self, name):
                changes[name] = {"from": getattr(self, name), "to": value}
                setattr(self, name, value)
        if changes:
            self.updated_at = now
            self.events.append(CreditEvent("edited", now, self.amount, changes))

    def soft_delete(self, *, now: str, imported_memos: Iterable[str] = ()) -> None:
        """Hide a credit that was never used (voided uses count: they stay in the audit trail); else cancel it."""
        self._require_ours_to_remove(imported_memos)
        if self.use_count:
            raise CreditAlreadyUsed("a credit that has been used cannot be deleted; cancel it instead",
                                    details={"used": self.used, "uses": self.use_count})
        self.status = CreditStatus.DELETED
        self.updated_at = now
        self.events.append(CreditEvent("deleted", now, self.amount, self._qbo_note([])))

    def memo_action(self, given_up: int = 0) -> QboAction:
        """What becomes of this credit's own CreditMemo in QBO as it stands (the table in `qbo_actions`)."""
        return memo_action(active=self.status is CreditStatus.ACTIVE, amount=self.amount, used=self.used,
                           given_up=given_up, applied=self.applied_in_qbo)

    def _qbo_note(self, reverted: list[CreditUse]) -> dict[str, str]:
        """What QuickBooks does about this cancel or delete, from the table the push and the previews read
        (`qbo_actions`), for the history line; nothing for a credit QBO does not hold."""
        if not self.sync.qbo_id:
            return {}
        links_first = any(use.qbo_id for use in reverted)
        if self.in_our_memo:
            return {"qbo": history_note(self.sync.qbo_id, self.memo_action(), links_first=links_first)}
        in_memos = any(loc.kind is LocationKind.MEMO for loc in self.locations)
        if self.source is CreditSource.INVOICE_ADJUSTMENT and in_memos:
            return {"qbo": history_note(None, QboAction.REDUCE, links_first=links_first)}
        return {}

    def apply(self, *, use_id: str, payment_id: str, invoice_id: str, amount: int, now: str) -> CreditUse:
        """Spend part of the credit on an invoice; never more than what remains, never on its own invoice."""
        if self.status is not CreditStatus.ACTIVE:
            raise CreditNotActive(f"credit {self.number} is {self.status.value}", details={"credit_id": self.id})
        if amount <= 0:
            raise InvalidInput("a credit use must be greater than zero", details={"amount": amount})
        self.require_may_pay(invoice_id)
        self.require_remaining(amount)
        parts = draw(self.locations, self.drawn, amount)
        use = CreditUse(use_id, self.id, payment_id, invoice_id, amount, now, parts)
        self.uses_total += amount
        self.use_count += 1
        self.drawn = _merge(self.drawn, parts, +1)
        self.updated_at = now
        self.events.append(CreditEvent("applied", now, amount, {"payment_id": payment_id, "invoice_id": invoice_id,
                                                                "use_id": use_id}))
        return use

    def release(self, use: CreditUse, *, now: str) -> CreditUse:
        """Void one use: its amount comes back to the credit (if still active) and the use stays listed."""
        if use.credit_id != self.id:
            raise ValueError(f"use {use.id} belongs to credit {use.credit_id}, not {self.id}")
        if use.active:
            use.voided_at = now
            self.uses_total -= use.amount
            self.drawn = _merge(self.drawn, use.parts, -1)
            self.updated_at = now
            self.events.append(CreditEvent("use_voided", now, use.amount, {"payment_id": use.payment_id,
                                                                            "invoice_id": use.invoice_id,
                                                                            "use_id": use.id}))
        return use

    def give_back_cut(self, docs: Iterable[tuple[str, str]], *, now: str, reason: str,
                      active_uses: list[CreditUse] = ()) -> int:
        """An adjustment credit gives up what it cut from the links one void removes (`docs`); returns that amount.

        The void rule of DESIGN §5 money location: the money a reduction cut from a link is the very money the
        link's payer gets back when the link is voided (a tender refunded, a use's credit restored), so it leaves
        the adjustment credit, and the invoice loses only the link's uncut rest. Cutting again elsewhere would
        move a share the voided payer never paid onto another payment. The rule weighs everything the one void
        removes together (a payment's tender line and its credit uses): a credit left with nothing is voided and,
        like any voided credit, keeps the amount it held; one left with less shrinks. One that already spends
        money (active uses) refuses, as a generated credit does when its origin is voided: those payments are
        voided first.
        """
        voided = {tuple(doc) for doc in docs}
        mine = [Cut.from_dict(c) for c in self.cuts if tuple(c["doc"]) in voided]
        amount = sum(cut.amount for cut in mine)
        if not amount:
            return 0
        if self.uses_total:
            raise CreditInUse(f"credit {self.number} was funded by what is being voided and already pays other "
                              "invoices; void those payments first",
                              details={"credit_id": self.id, "used": self.used,
                                       "uses": [{"payment_id": u.payment_id, "invoice_id": u.invoice_id,
                                                 "amount": u.amount} for u in active_uses if u.active]})
        self.cuts = [c for c in self.cuts if tuple(c["doc"]) not in voided]
        self.locations = _merge(self.locations, [Location(c.back_to[0], c.back_to[1], c.amount) for c in mine], -1)
        self.updated_at = now
        if amount < self.amount:
            self.events.append(CreditEvent("edited", now, self.amount - amount, {
                "amount": {"from": self.amount, "to": self.amount - amount}, "reason": reason}))
            self.amount -= amount
        elif self.status is CreditStatus.ACTIVE:
            self.status = CreditStatus.VOIDED
            self.events.append(CreditEvent(CreditStatus.VOIDED.value, now, self.amount, {"reason": reason}))
        return amount

    def removed_cuts(self, docs: Iterable[tuple[str, str]]) -> list[Cut]:
        """What this adjustment credit cut from the links one void removes (`docs`), if it was canceled or deleted
        meanwhile: that money left the customer with it (its memo gave it up, `locations.given_up`), so the voided
        use's credit must not get it back (`forfeit`)."""
        if self.status not in (CreditStatus.CANCELED, CreditStatus.DELETED):
            return []
        voided = {tuple(doc) for doc in docs}
        return [cut for cut in (Cut.from_dict(c) for c in self.cuts) if cut.doc in voided and cut.doc[0] == "use"]

    def forfeit(self, cut: Cut, *, now: str, reason: str) -> None:
        """A voided use of this credit gives back only what its invoice kept: the share a reduction cut from it had
        become an adjustment credit that was then canceled or deleted (`removed_cuts`), so that money is gone for
        good and this credit shrinks by it, in its amount and in the QBO source the share was kept in."""
        if cut.amount <= 0:
            return
        self.locations = _merge(self.locations, [Location(cut.back_to[0], cut.back_to[1], cut.amount)], -1)
        self.updated_at = now
        if cut.amount < self.amount:
            self.amount -= cut.amount
            self.events.append(CreditEvent("edited", now, self.amount, {
                "amount": {"from": self.amount + cut.amount, "to": self.amount}, "reason": reason}))
        elif self.status is CreditStatus.ACTIVE:  # left with nothing: voided keeping its amount, as give_back_cut
            self.status = CreditStatus.VOIDED
            self.events.append(CreditEvent(CreditStatus.VOIDED.value, now, self.amount, {"reason": reason}))

    def cancel(self, mode: CancelMode, *, now: str, active_uses: list[CreditUse] = (),
               imported_memos: Iterable[str] = ()) -> list[CreditUse]:
        """Cancel the remaining balance; in revert mode also void every active use (the caller loads them).
        `imported_memos`: which owners of the memos it keeps money in were imported from QBO (refused then)."""
        self._require_ours_to_remove(imported_memos)
        reverted = [use for use in active_uses if use.active] if mode is CancelMode.REVERT else []
        if sum(use.amount for use in reverted) != (self.uses_total if mode is CancelMode.REVERT else 0):
            raise ValueError(f"credit {self.number}: the active uses given do not add up to what it has used")
        for use in reverted:
            self.release(use, now=now)
        removed = self.remaining
        self.status = CreditStatus.CANCELED
        self.updated_at = now
        self.events.append(CreditEvent("canceled", now, removed, {"mode": mode.value,
                                                                   "reverted_uses": [u.id for u in reverted],
                                                                   **self._qbo_note(reverted)}))
        return reverted

    def void_with_origin(self, *, now: str, reason: str, status: CreditStatus = CreditStatus.VOIDED,
                         active_uses: list[CreditUse] = ()) -> None:
        """Remove a credit together with what created it (voided payment, deleted order); refused while in use.

        The refusal lists the `active_uses` the caller loaded, so the user sees which payments to void first.
        """
        if self.used:
            raise CreditInUse(f"credit {self.number} already pays other invoices; void those payments first",
                              details={"credit_id": self.id, "used": self.used,
                                       "uses": [{"payment_id": u.payment_id, "invoice_id": u.invoice_id,
                                                 "amount": u.amount} for u in active_uses if u.active]})
        if self.status is CreditStatus.ACTIVE:
            self.status = status
            self.updated_at = now
            self.events.append(CreditEvent(status.value, now, self.amount, {"reason": reason}))
