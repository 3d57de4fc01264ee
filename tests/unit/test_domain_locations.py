"""Money location: a use draws on a credit's QBO sources in order, never past what each still holds."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.locations import (Cut, Link, LocationKind, LocationsExhausted, cut_latest_first, draw, given_up,
                                         held, locations_freed, memo, unapplied)

amounts = st.integers(min_value=1, max_value=100_000)


@st.composite
def credit_sources(draw_):
    sizes = draw_(st.lists(amounts, min_size=1, max_size=4))
    return [memo(f"K{n}", size) if n % 2 == 0 else unapplied(f"P{n}", size) for n, size in enumerate(sizes)]


@given(credit_sources(), st.lists(st.integers(1, 50_000), max_size=8))
def test_uses_draw_in_order_and_never_past_a_source(locations, wanted):
    drawn = []
    for amount in wanted:
        available = sum(held(locations, drawn).values())
        if amount > available:
            with pytest.raises(LocationsExhausted):
                draw(locations, drawn, amount)
            continue
        parts = draw(locations, drawn, amount)
        assert sum(p.amount for p in parts) == amount
        drawn += parts
        left = held(locations, drawn)
        assert all(v >= 0 for v in left.values())
        # every part but the last empties its source: a later source is touched only when the earlier are spent
        assert all(left[p.key] == 0 for p in parts[:-1])
        order = [loc.key for loc in locations]
        assert [order.index(p.key) for p in parts] == sorted(order.index(p.key) for p in parts)


def test_a_voided_use_gives_its_sources_back_in_order():
    locations = [memo("K1", 3000), unapplied("P1", 2000)]
    first = draw(locations, [], 4000)
    assert [(p.kind, p.amount) for p in first] == [(LocationKind.MEMO, 3000), (LocationKind.UNAPPLIED, 1000)]
    second = draw(locations, first, 1000)
    assert [(p.owner_id, p.amount) for p in second] == [("P1", 1000)]
    # the first use is voided: its parts are no longer drawn, the memo is spent first again
    assert [(p.owner_id, p.amount) for p in draw(locations, second, 2500)] == [("K1", 2500)]


@given(st.lists(amounts, min_size=1, max_size=6), st.data())
def test_an_invoice_reduction_cuts_the_latest_links_first(sizes, data):
    links = [Link(("payment", f"P{n}"), (LocationKind.UNAPPLIED, f"P{n}"), size) for n, size in enumerate(sizes)]
    excess = data.draw(st.integers(1, sum(sizes)))
    cuts = cut_latest_first(links, excess)
    assert sum(cut.amount for cut in cuts) == excess
    latest = list(reversed(links))[:len(cuts)]
    assert [cut.doc for cut in cuts] == [link.doc for link in latest]
    assert all(cut.amount == link.amount for cut, link in zip(cuts[:-1], latest))  # only the last one is partial
    assert sum(loc.amount for loc in locations_freed(cuts)) == excess
    after = Link.less(links, cuts)
    assert sum(link.amount for link in after) == sum(sizes) - excess
    assert all(Cut.from_dict(cut.as_dict()) == cut for cut in cuts)


def test_freed_money_goes_back_where_each_link_came_from():
    links = [Link(("payment", "P1"), (LocationKind.UNAPPLIED, "P1"), 6000),
             Link(("use", "U1"), (LocationKind.MEMO, "K7"), 2500),
             Link(("use", "U2"), (LocationKind.MEMO, "K7"), 500)]
    freed = locations_freed(cut_latest_first(links, 4000))
    assert [(loc.kind, loc.owner_id, loc.amount) for loc in freed] == [(LocationKind.MEMO, "K7", 3000),
                                                                      (LocationKind.UNAPPLIED, "P1", 1000)]
    with pytest.raises(LocationsExhausted):
        cut_latest_first(links, 9001)


def test_locations_round_trip_through_storage():
    location = unapplied("P1", 1234)
    assert type(location).from_dict(location.as_dict()) == location


def test_a_use_links_its_memo_parts_less_the_cuts_taken_from_its_last_part_back():
    from chalicelib.domain.locations import memo, memo_linked, unapplied

    parts = [memo("c1", 300), unapplied("p1", 200)]
    assert [memo_linked(parts, cut) for cut in (0, 150, 200, 250, 500, 600)] == [300, 300, 300, 250, 0, 0]


def test_locations_links_and_cuts_are_values():
    """Stored money places are never changed in place: a change makes a new value (the credit keeps the list)."""
    from dataclasses import FrozenInstanceError

    link = Link(("payment", "P1"), (LocationKind.UNAPPLIED, "P1"), 5)
    for value in (memo("K", 5), link, Cut(link.doc, link.back_to, 2)):
        with pytest.raises(FrozenInstanceError):
            value.amount = 1


def test_a_part_drawn_from_a_source_the_credit_no_longer_lists_counts_against_it():
    assert held([], [memo("K", 5)]) == {(LocationKind.MEMO, "K"): -5}
    assert held([memo("K", 5)], [memo("K", 5), unapplied("P", 2)]) == {(LocationKind.MEMO, "K"): 0,
                                                                       (LocationKind.UNAPPLIED, "P"): -2}


def test_an_overdrawn_source_gives_nothing_and_the_next_one_pays():
    parts = draw([memo("K", 5), unapplied("P", 10)], [memo("K", 8)], 3)
    assert parts == [unapplied("P", 3)]


def test_links_of_one_document_and_source_share_the_cuts_in_order():
    doc, back = ("payment", "P1"), (LocationKind.UNAPPLIED, "P1")
    links = [Link(doc, back, 5), Link(doc, back, 5)]
    assert [l.amount for l in Link.less(links, [])] == [5, 5]
    assert [l.amount for l in Link.less(links, [Cut(doc, back, 7)])] == [0, 3]


def test_a_reduction_that_leaves_one_cent_to_cut_takes_it_from_the_next_link():
    doc_a, doc_b = ("payment", "A"), ("payment", "B")
    links = [Link(doc_a, (LocationKind.UNAPPLIED, "A"), 5), Link(doc_b, (LocationKind.UNAPPLIED, "B"), 5)]
    assert [(c.doc, c.amount) for c in cut_latest_first(links, 6)] == [(doc_b, 5), (doc_a, 1)]


@given(credit_sources(), st.lists(st.integers(1, 50_000), max_size=4), st.booleans())
def test_a_memo_gives_up_what_a_removed_adjustment_credit_had_not_spent_there(locations, wanted, active):
    """An adjustment credit's locations are its cuts (`locations_freed`): active, it keeps all it sent back into
    each source (nothing given up); canceled or deleted, each source gives up its unspent share there, never what
    its remaining uses still draw, never below zero; summed over sources it is the credit's unspent value."""
    cuts = [Cut(("use", f"K#{n}"), loc.key, loc.amount) for n, loc in enumerate(locations)]
    drawn = []
    for amount in wanted:
        if amount <= sum(held(locations, drawn).values()):
            drawn += draw(locations, drawn, amount)
    sharer = (active, locations, drawn, cuts)
    keys = {loc.key for loc in locations}
    for key in keys:
        assert given_up(key, [sharer]) == (0 if active else held(locations, drawn)[key]) >= 0
    assert sum(given_up(key, [sharer]) for key in keys) == (
        0 if active else sum(loc.amount for loc in locations) - sum(part.amount for part in drawn))
    assert given_up((LocationKind.MEMO, "elsewhere"), [sharer]) == 0


def test_a_forfeited_share_is_given_up_by_the_memo_the_cut_sent_it_to():
    """A use's credit that forfeited 4 of the 10 a standing cut sent back into memo K keeps 6 there: K gives up 4."""
    source = (LocationKind.MEMO, "K")
    cut = Cut(("use", "A#U"), source, 10)
    assert given_up(source, [(True, [memo("K", 6)], [], [cut])]) == 4
    assert given_up(source, [(False, [memo("K", 6)], [memo("K", 2)], [cut])]) == 8
    assert given_up(source, [(True, [memo("K", 10)], [memo("K", 10)], [cut]), (False, [], [], [])]) == 0
