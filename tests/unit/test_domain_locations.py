"""Money location: a use draws on a credit's QBO sources in order, never past what each still holds."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.locations import (Cut, Link, LocationKind, LocationsExhausted, cut_latest_first, draw, held,
                                         locations_freed, memo, unapplied)

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
