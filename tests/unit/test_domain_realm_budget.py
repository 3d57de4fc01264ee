"""The realm budget's arithmetic: cells shared by many processes never let a sliding minute hold more than QBO's
limits, whoever takes them, however late within their window they are used; cells are never handed out twice; a 429
slows the realm down and pauses it."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.realm_budget import (
    BudgetLimits,
    Grant,
    RealmBudget,
    Stash,
    admits,
    apply,
    block_size,
    draw,
    granted,
    idle_burst,
    lapsed_slots,
    learn,
    sends_in_any_minute,
    slot_free_at,
)

limits_st = st.builds(
    BudgetLimits,
    requests_per_minute=st.integers(8, 60), batches_per_minute=st.integers(1, 8), burst=st.integers(0, 4),
    block=st.integers(1, 12), hold=st.floats(0, 4), margin=st.floats(0, 1),
    slow_for=st.floats(1, 90))
edge_st = st.sampled_from([0.0, 1.0]) | st.floats(0, 1)  # the extremes are where a limit would break
action_st = st.tuples(
    st.integers(0, 4),  # which process acts
    st.sampled_from([0.0, 0.01]) | st.floats(0, 5),  # seconds since the last action (of anyone)
    st.booleans(),  # a batch request?
    edge_st,  # how late within its cell's time the request goes (0: at once, 1: at the last moment)
    edge_st,  # how much of the margin the network takes
    st.integers(0, 30))  # 0: a 429 comes back and the realm learns (else an ordinary answer)


def run(limits: BudgetLimits, actions) -> tuple[list[float], list[float], RealmBudget, list]:
    """Processes drawing from one realm and sending as the domain allows; answers the arrivals at QBO (requests,
    batches), the realm, and every grant."""
    realm, now = RealmBudget(), 1000.0
    stashes: dict[int, Stash] = {}
    clocks: dict[int, float] = {}
    arrivals, batches, grants = [], [], []
    for who, gap, batch, lateness, network, answer in actions:
        now += gap
        clock = max(now, clocks.get(who, now))  # a process acts after its own last send
        stash = stashes.setdefault(who, Stash())
        stash.drop_lapsed(clock)
        if not stash.ready(batch):
            singles = 0 if batch and len(grants) % 2 else block_size(len(grants) % 7, limits)
            taken = draw(realm, clock, singles, batch, limits)
            realm = apply(realm, taken)
            grants.append(granted(taken, realm, limits))
            stash.add(grants[-1])
        start, end = stash.spend(clock, batch)
        sent = start + lateness * (end - start)
        clocks[who] = sent
        arrivals.append(sent + network * limits.margin)
        if batch:
            batches.append(arrivals[-1])
        if answer == 0:
            realm = learn(realm, sent, 0.5, limits)
            stash.clear()
    return arrivals, batches, realm, grants


@given(limits_st, st.lists(action_st, max_size=300))
def test_no_sliding_minute_ever_holds_more_than_the_limits_however_processes_share_the_realm(limits, actions):
    arrivals, batches, _, _ = run(limits, actions)
    assert sends_in_any_minute(arrivals) <= limits.requests_per_minute
    assert sends_in_any_minute(batches) <= limits.batches_per_minute


def worst_case(limits: BudgetLimits, gaps: list[float], pivot: int, batch: bool) -> list[float]:
    """Takes spent through a Stash, every request sent the moment its cells allow, except those of the cells that
    start within a window of the `pivot` one: sent at their last moment and delayed by the whole margin. The minute
    that starts with the pivot's arrival then catches the most arrivals it can."""
    realm, now, times = RealmBudget(), 1000.0, []
    for gap in gaps:
        now += gap
        taken = draw(realm, now, 0 if batch else limits.block, batch, limits)
        realm = apply(realm, taken)
        stash = Stash()
        stash.add(granted(taken, realm, limits))
        while stash.ready(batch):
            cell = stash.batch_cells[0] if batch else stash.cells[0]
            times.append((cell, *stash.spend(now, batch)))
    first = times[min(pivot, len(times) - 1)][0] if times else 0.0
    late = limits.batch_window if batch else limits.request_window
    return [end + limits.margin if first <= cell < first + late + limits.margin else start
            for cell, start, end in times]


@given(limits_st, st.lists(st.sampled_from([0.0, 0.5]) | st.floats(0, 20), min_size=1, max_size=80),
       st.integers(0, 60), st.booleans())
def test_a_process_sending_at_the_worst_moments_still_stays_within_the_limits(limits, gaps, pivot, batch):
    most = limits.batches_per_minute if batch else limits.requests_per_minute
    assert sends_in_any_minute(worst_case(limits, gaps, pivot, batch)) <= most


def test_the_bound_is_tight_so_a_shorter_interval_would_overrun_a_minute():
    limits = BudgetLimits()
    assert sends_in_any_minute(worst_case(limits, [0.0] * 100, 10, batch=False)) == 500  # 1,000 cells
    assert sends_in_any_minute(worst_case(limits, [0.0] * 40, 10, batch=True)) == 40


@given(limits_st, st.lists(action_st, max_size=200))
def test_a_cell_is_handed_out_once_and_every_cell_taken_is_accounted_for(limits, actions):
    _, _, realm, grants = run(limits, actions)
    cells = sorted(c for g in grants for c in g.cells)
    batch_cells = sorted(c for g in grants for c in g.batch_cells)
    assert all(b - a >= limits.request_interval() - 1e-6 for a, b in zip(cells, cells[1:]))
    assert all(b - a >= limits.batch_interval() - 1e-6 for a, b in zip(batch_cells, batch_cells[1:]))
    assert not cells or realm.tat >= cells[-1] + limits.request_interval() - 1e-6


@given(st.lists(st.tuples(st.booleans(), st.floats(0, 3)), max_size=60))
def test_a_processes_cells_are_spent_lapsed_or_still_held(steps):
    limits, stash, now = BudgetLimits(), Stash(), 0.0
    realm, taken_cells, spent = RealmBudget(), 0, 0
    for batch, gap in steps:
        now += gap
        stash.drop_lapsed(now)
        if not stash.ready(batch):
            taken = draw(realm, now, 0 if batch else 4, batch, limits)
            realm = apply(realm, taken)
            stash.add(granted(taken, realm, limits))
            taken_cells += taken.requests + taken.batch
        if stash.ready(batch):
            stash.spend(now, batch)
            spent += 1
    assert spent + stash.lapsed + stash.batch_lapsed + len(stash.cells) + len(stash.batch_cells) == taken_cells


def test_an_idle_realm_lets_a_burst_go_at_once_then_hands_out_later_cells():
    limits, now = BudgetLimits(), 5000.0
    taken = draw(RealmBudget(), now, 25, False, limits)
    realm = apply(RealmBudget(), taken)
    grant = granted(taken, realm, limits)
    at_once = [c for c in grant.cells if c <= now]
    assert len(at_once) == idle_burst(limits) == limits.burst + 1
    assert grant.cells[-1] == pytest.approx(now + (25 - idle_burst(limits)) * limits.request_interval())


def test_a_busy_realm_queues_the_next_take_behind_the_last_one():
    limits, now = BudgetLimits(), 5000.0
    first = draw(RealmBudget(), now, 25, False, limits)
    realm = apply(RealmBudget(), first)
    second = draw(realm, now, 25, False, limits)
    after = apply(realm, second)
    assert granted(second, after, limits).cells[0] == pytest.approx(realm.tat)


def test_a_batch_and_its_request_cell_start_together_at_the_later_stream():
    limits, now = BudgetLimits(), 5000.0
    for realm, start in ((RealmBudget(tat=now + 4.0, batch_tat=now + 1.0), now + 4.0),
                         (RealmBudget(tat=now + 1.0, batch_tat=now + 3.0), now + 3.0),
                         (RealmBudget(tat=now - 9.0, batch_tat=now - 2.0), now)):
        taken = draw(realm, now, 2, True, limits)
        after = apply(realm, taken)
        grant = granted(taken, after, limits)
        assert grant.batch_cells == (start,) and after.batch_tat == pytest.approx(start + limits.batch_interval())
        assert grant.cells == pytest.approx((start + limits.request_interval(), start + 2 * limits.request_interval()))
        assert after.tat == pytest.approx(start + 3 * limits.request_interval())


def test_the_intervals_keep_every_minute_within_qbos_limits():
    limits = BudgetLimits()
    extent = 60 + limits.request_window + limits.margin  # cells that may arrive within one sliding minute
    assert 499.99 < extent / limits.request_interval() <= 500
    assert (60 + limits.batch_window + limits.margin) / limits.batch_interval() <= 40
    assert 60 / limits.request_interval() > 480 and 60 / limits.batch_interval() > 38  # within 5 % of the floor


def test_a_429_pauses_the_realm_and_halves_its_rate_for_a_while():
    limits, now = BudgetLimits(), 5000.0
    realm = learn(RealmBudget(tat=now - 10, batch_tat=now - 10), now, 2.0, limits)
    assert realm.tat == realm.batch_tat == now + 2.0
    assert draw(realm, now + 3, 1, True, limits).interval == pytest.approx(2 * limits.request_interval())
    assert draw(realm, now + 3, 1, True, limits).batch_interval == pytest.approx(2 * limits.batch_interval())
    again = learn(realm, now + 1, 0.0, limits)
    assert again.factor == 0.25 and again.tat == realm.tat  # a pause never moves the realm back
    assert draw(again, now + 1 + limits.slow_for, 1, False, limits).interval == pytest.approx(limits.request_interval())
    assert learn(again, now + 1 + limits.slow_for, 0, limits).factor == 0.5  # the slow-down had lapsed


@given(st.lists(st.floats(0, 100), min_size=1, max_size=20))
def test_the_rate_never_falls_below_its_floor(moments):
    limits, realm = BudgetLimits(), RealmBudget()
    for at in sorted(moments):
        realm = learn(realm, at, 1.0, limits)
    assert limits.min_factor <= realm.factor <= 0.5


@given(st.integers(0, 1000))
def test_blocks_follow_what_a_process_spends(spent):
    limits = BudgetLimits()
    assert 1 <= block_size(spent, limits) <= limits.block
    assert block_size(spent, limits) <= max(1, 2 * spent)  # never much more than the process used last time
    assert block_size(0, limits) == 1 and block_size(2, limits) == 4 and block_size(100, limits) == limits.block


def test_slots_are_at_most_in_flight_and_lapse_a_margin_after_their_lease():
    limits = BudgetLimits(in_flight=2, margin=0.5)
    realm = RealmBudget(leases={"a": 100.0, "b": 130.0})
    assert admits(realm, "a", limits) and not admits(realm, "c", limits)
    assert lapsed_slots(realm, 100.4, limits) == {} and slot_free_at(realm, 100.4, limits) == 100.5
    assert lapsed_slots(realm, 120.0, limits) == {"a": 100.0} and slot_free_at(realm, 120.0, limits) == 120.0
    assert slot_free_at(RealmBudget(leases={"b": 130.0}), 120.0, limits) == 130.5
    assert admits(RealmBudget(leases={"a": 100.0}), "c", limits)


def test_limits_that_leave_no_room_are_refused():
    with pytest.raises(ValueError):
        BudgetLimits(requests_per_minute=5, burst=5)
    with pytest.raises(ValueError):
        BudgetLimits(block=0)


def test_the_sliding_minute_count_is_qbos():
    assert sends_in_any_minute([0.0, 59.9, 60.0, 119.95]) == 2  # (t - 60, t]: 0.0 has left the minute at 60.0
    assert sends_in_any_minute([]) == 0


@given(st.lists(st.floats(0, 100), max_size=30), st.lists(st.floats(0, 100), max_size=5), st.floats(0, 120))
def test_a_stash_forgets_exactly_the_cells_whose_time_is_over(cells, batch_cells, now):
    stash = Stash()
    stash.add(Grant(tuple(cells), tuple(batch_cells), 2.0, 1.0))
    stash.drop_lapsed(now)
    assert all(c + 2.0 >= now for c in stash.cells) and all(c + 1.0 >= now for c in stash.batch_cells)
    assert stash.lapsed == sum(c + 2.0 < now for c in cells)
    assert stash.batch_lapsed == sum(c + 1.0 < now for c in batch_cells)


def test_the_default_limits_are_intuits_and_the_readmes():
    limits = BudgetLimits()
    assert (limits.requests_per_minute, limits.batches_per_minute, limits.in_flight) == (500, 40, 10)
    assert (limits.burst, limits.block, limits.hold, limits.margin, limits.lease) == (5, 10, 1.0, 0.5, 10.0)
    assert (limits.slow_for, limits.min_factor) == (60.0, 0.125)


def test_an_idle_realm_has_both_streams_at_the_start_and_its_full_rate():
    state = RealmBudget()
    assert (state.tat, state.batch_tat, state.factor, state.slow_until, dict(state.leases)) == (0.0, 0.0, 1.0, 0.0, {})
    assert state.factor_at(0.0) == 1.0


@pytest.mark.parametrize("settings", [
    {"requests_per_minute": 5, "burst": 5}, {"batches_per_minute": 0}, {"in_flight": 0}, {"block": 0},
    {"hold": -0.1}, {"margin": -0.1}, {"lease": -0.1},
])
def test_limits_that_cannot_work_are_refused(settings):
    with pytest.raises(ValueError):
        BudgetLimits(**settings)


@pytest.mark.parametrize("settings", [
    {"requests_per_minute": 6, "burst": 5}, {"batches_per_minute": 1}, {"in_flight": 1}, {"block": 1},
    {"hold": 0.0, "margin": 0.0, "lease": 0.0},
])
def test_the_smallest_limits_that_work_are_taken(settings):
    assert BudgetLimits(**settings)


def test_limits_and_shared_state_are_values():
    from dataclasses import FrozenInstanceError

    taken = draw(RealmBudget(), 100.0, 2, True, BudgetLimits())
    for value, name in [(BudgetLimits(), "burst"), (RealmBudget(), "tat"), (taken, "requests"),
                        (granted(taken, apply(RealmBudget(), taken), BudgetLimits()), "window")]:
        with pytest.raises(FrozenInstanceError):
            setattr(value, name, 1)


def test_a_cell_is_usable_to_the_end_of_its_window_and_lapses_after_and_lapses_add_up():
    stash = Stash(cells=[10.0, 11.0], batch_cells=[10.0, 11.0], window=2.0, batch_window=1.0)
    assert (stash.window, Stash().window, Stash().batch_window, Stash().lapsed, Stash().batch_lapsed) == (
        2.0, 0.0, 0.0, 0, 0)
    stash.drop_lapsed(11.0)  # request cell 10 ends at 12; batch cell 10 ends at 11, exactly now
    assert (stash.cells, stash.batch_cells, stash.lapsed, stash.batch_lapsed) == ([10.0, 11.0], [10.0, 11.0], 0, 0)
    stash.drop_lapsed(11.5)
    assert (stash.cells, stash.batch_cells, stash.lapsed, stash.batch_lapsed) == ([10.0, 11.0], [11.0], 0, 1)
    stash.drop_lapsed(13.5)
    assert (stash.cells, stash.batch_cells, stash.lapsed, stash.batch_lapsed) == ([], [], 2, 2)


def test_a_batch_cell_goes_from_its_start_until_its_window_ends():
    stash = Stash(batch_cells=[5.0], batch_window=1.0)
    assert stash.peek(3.0, True) == (5.0, 6.0) and stash.peek(5.5, True) == (5.5, 6.0)


def test_a_slot_lapses_once_its_lease_and_the_margin_are_over_not_before():
    state, limits = RealmBudget(leases={"a": 10.0, "b": 20.0}), BudgetLimits(margin=0.5)
    assert lapsed_slots(state, 10.49, limits) == {} and lapsed_slots(state, 10.5, limits) == {"a": 10.0}


def test_the_sliding_minute_count_steps_past_each_arrival_that_left_the_minute():
    assert sends_in_any_minute([0.0, 30.0, 60.5, 61.0]) == 3
    assert sends_in_any_minute([0.0, 1.0, 61.0, 61.5]) == 2
