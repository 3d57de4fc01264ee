"""Money location (DESIGN §5): where each credit's value sits in QBO, and which of those places a use draws on.

A credit's value lives in one or more QBO credit sources: a CreditMemo's RemainingCredit (kind `memo`, owned by
the credit it was created for) or a Payment's UnappliedAmt (kind `unapplied`, owned by our payment, or, for a
credit imported from the accountant's Payment, by that credit: see `qbo_unapplied`). A use spends
them in order; a link that shrinks (an invoice reduced below what was paid) gives its money back to its source.
When a cut link is later voided, the adjustment credit gives its cut back (`Credit.give_back_cut`): that money is
what the voided link's payer recovers, so it is never counted twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from .errors import Conflict


class LocationKind(str, Enum):
    MEMO = "memo"
    UNAPPLIED = "unapplied"


@dataclass(frozen=True)
class Location:
    """An amount of a credit kept in one QBO source: `owner_id` is our credit (memo) or payment (unapplied)."""

    kind: LocationKind
    owner_id: str
    amount: int

    @property
    def key(self) -> tuple[LocationKind, str]:
        return self.kind, self.owner_id

    def as_dict(self) -> dict:
        return {"kind": self.kind.value, "owner_id": self.owner_id, "amount": self.amount}

    @classmethod
    def from_dict(cls, data: dict) -> "Location":
        return cls(LocationKind(data["kind"]), data["owner_id"], int(data["amount"]))


def memo(credit_id: str, amount: int) -> Location:
    return Location(LocationKind.MEMO, credit_id, amount)


def unapplied(payment_id: str, amount: int) -> Location:
    return Location(LocationKind.UNAPPLIED, payment_id, amount)


def qbo_unapplied(credit_id: str, amount: int) -> Location:
    """The UnappliedAmt of a Payment the accountant made in QBO, imported as credit `credit_id`.

    No payment of ours stands for that Payment, and exactly one credit is imported from it (QBMAP), so the credit
    names the source; its uses are lines linking our invoices on that Payment, never a CreditMemo of its id.
    """
    return Location(LocationKind.UNAPPLIED, credit_id, amount)


def held(locations: Iterable[Location], drawn: Iterable[Location]) -> dict[tuple[LocationKind, str], int]:
    """What each source still holds for a credit: its amount there less the active parts drawn from it."""
    left: dict[tuple[LocationKind, str], int] = {}
    for location in locations:
        left[location.key] = left.get(location.key, 0) + location.amount
    for part in drawn:
        left[part.key] = left.get(part.key, 0) - part.amount
    return left


def given_up(source: tuple[LocationKind, str],
             sharers: Iterable[tuple[bool, Sequence[Location], Sequence[Location], Iterable["Cut"]]]) -> int:
    """What a CreditMemo gives up of the money reductions sent back into it, given the adjustment credits that keep
    money there as (active, locations, drawn, cuts).

    QBO's RemainingCredit is the memo's total less what linking Payments link, and those links are our uses' parts
    less what reductions cut from them; so for RemainingCredit to be what our active credits keep there, the memo
    must total its own credit's share less, for each such credit, what its standing cuts sent back into the memo
    beyond what it still keeps there (its share while active, only what its remaining uses draw once it is canceled
    or deleted). That is the unspent money of a removed adjustment credit, and what a voided use's credit forfeited
    (`Credit.forfeit`); for active credits that forfeited nothing it is 0.
    """
    total = 0
    for active, locations, drawn, cuts in sharers:
        kept = locations if active else drawn
        total += (sum(cut.amount for cut in cuts if cut.back_to == source)
                  - sum(loc.amount for loc in kept if loc.key == source))
    return total


def relocate(locations: Iterable[Location], old: tuple[LocationKind, str], new: tuple[LocationKind, str]
             ) -> list[Location]:
    """The same amounts with the source `old` renamed `new` (merged with what `new` already held), in order: a
    credit imported from the accountant's Payment, reissued to a new company, keeps its money in a CreditMemo of its
    own there (`Credit.reissue`), and so does everything that named the Payment as its source."""
    merged: dict[tuple[LocationKind, str], int] = {}
    for location in locations:
        key = new if location.key == old else location.key
        merged[key] = merged.get(key, 0) + location.amount
    return [Location(kind, owner_id, amount) for (kind, owner_id), amount in merged.items()]


class LocationsExhausted(Conflict):
    """The credit's QBO sources hold less than the use needs: the ledger and its sources disagree."""

    code = "credit_locations_exhausted"


def draw(locations: Sequence[Location], drawn: Iterable[Location], amount: int) -> list[Location]:
    """The parts a new use of `amount` takes: each source in the credit's order, as far as it still holds."""
    parts: list[Location] = []
    need = amount
    for (kind, owner_id), available in held(locations, drawn).items():
        take = min(need, max(available, 0))
        if take:
            parts.append(Location(kind, owner_id, take))
            need -= take
        if need == 0:
            return parts
    raise LocationsExhausted("the credit's QuickBooks sources hold less than this use needs",
                             details={"needed": amount, "short_by": need})


@dataclass(frozen=True)
class Link:
    """Money QBO links to an invoice: a tender Payment's own line, or one part of a credit use.

    `doc` names the QBO document carrying the line (("payment", payment id) or ("use", use key)); `back_to` is where
    the money returns if the link shrinks.
    """

    doc: tuple[str, str]
    back_to: tuple[LocationKind, str]
    amount: int

    @staticmethod
    def less(links: Sequence["Link"], cuts: Iterable["Cut"]) -> list["Link"]:
        """The links as they stand after earlier reductions cut them."""
        taken: dict[tuple, int] = {}
        for cut in cuts:
            taken[(cut.doc, cut.back_to)] = taken.get((cut.doc, cut.back_to), 0) + cut.amount
        out = []
        for link in links:
            key = (link.doc, link.back_to)
            used = min(link.amount, taken.get(key, 0))
            taken[key] = taken.get(key, 0) - used
            out.append(Link(link.doc, link.back_to, link.amount - used))
        return out


@dataclass(frozen=True)
class Cut:
    """What one reduction took off one link; the adjustment credit keeps its cuts (the sync shrinks those lines)."""

    doc: tuple[str, str]
    back_to: tuple[LocationKind, str]
    amount: int

    def as_dict(self) -> dict:
        return {"doc": list(self.doc), "back_to": [self.back_to[0].value, self.back_to[1]], "amount": self.amount}

    @classmethod
    def from_dict(cls, data: dict) -> "Cut":
        kind, owner = data["back_to"]
        return cls(tuple(data["doc"]), (LocationKind(kind), owner), int(data["amount"]))


def relocate_cuts(cuts: Iterable[dict], old: tuple[LocationKind, str], new: tuple[LocationKind, str]) -> list[dict]:
    """Stored cuts (`Cut.as_dict`) whose money went back to `old` now name `new` as where it went (`relocate`)."""
    moved = []
    for cut in (Cut.from_dict(c) for c in cuts):
        moved.append((Cut(cut.doc, new, cut.amount) if cut.back_to == old else cut).as_dict())
    return moved


def cut_latest_first(links: Sequence[Link], excess: int) -> list[Cut]:
    """Which links give up `excess` when an invoice is reduced below what was paid: the latest ones first.

    The freed money stays where QBO puts it (a tender Payment's UnappliedAmt, or back in a use's own source), and
    the adjustment credit records those places as its locations.
    """
    cuts: list[Cut] = []
    need = excess
    for link in reversed(links):
        take = min(need, link.amount)
        if take:
            cuts.append(Cut(link.doc, link.back_to, take))
            need -= take
        if need == 0:
            break
    if need:
        raise LocationsExhausted("the invoice's links hold less than the reduction",
                                 details={"excess": excess, "short_by": need})
    return cuts


def locations_freed(cuts: Sequence[Cut]) -> list[Location]:
    """The adjustment credit's locations: one per place the cut links gave money back to, in cut order."""
    freed: dict[tuple[LocationKind, str], int] = {}
    for cut in cuts:
        freed[cut.back_to] = freed.get(cut.back_to, 0) + cut.amount
    return [Location(kind, owner_id, amount) for (kind, owner_id), amount in freed.items()]


def after_cut(parts: Sequence[Location], cut: int) -> list[Location]:
    """A use's parts as QBO links them: less what invoice reductions cut from it, from its last part back (as
    `cut_latest_first` takes them)."""
    out = list(parts)
    for n in range(len(out) - 1, -1, -1):
        take = min(cut, out[n].amount)
        out[n], cut = Location(out[n].kind, out[n].owner_id, out[n].amount - take), cut - take
    return out


def memo_linked(parts: Sequence[Location], cut: int) -> int:
    """What a use's linking Payment links to its invoice: its memo parts, less what invoice reductions cut from it."""
    return sum(part.amount for part in after_cut(parts, cut) if part.kind is LocationKind.MEMO)
