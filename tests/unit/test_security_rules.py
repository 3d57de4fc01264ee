"""Pure rules behind issue 7 §1: the money cap, ASCII-only amounts, the idempotency scope and the role guard."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.api.idempotency import scope_of
from chalicelib.api.csv_export import csv_cell
from chalicelib.domain.money import MAX_CENTS, AmountTooLarge, InvalidAmount, parse_cents, within_limit
from chalicelib.domain.permissions import (
    ADMIN_ROLE_ID,
    ALL_PERMISSIONS,
    OwnerKeepsAdmin,
    Permission,
    PermissionEscalation,
    Principal,
    check_grant,
    check_role_assignment,
)

permission_sets = st.frozensets(st.sampled_from(list(Permission)))


@given(st.integers(min_value=-10 * MAX_CENTS, max_value=10 * MAX_CENTS))
def test_within_limit_refuses_exactly_what_lies_beyond_the_cap(cents):
    if abs(cents) <= MAX_CENTS:
        assert within_limit(cents) == cents
    else:
        with pytest.raises(AmountTooLarge):
            within_limit(cents)


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=6))
def test_only_ascii_digits_make_an_amount(digits):
    if digits.isascii():
        assert parse_cents(digits) == int(digits) * 100
    else:
        with pytest.raises(InvalidAmount):
            parse_cents(digits)


@given(st.text(max_size=8), st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
def test_idempotency_scopes_of_different_user_key_pairs_differ(user_a, key_a, user_b, key_b):
    if (user_a, key_a) != (user_b, key_b):
        assert scope_of(user_a, key_a) != scope_of(user_b, key_b)


def test_the_issues_two_users_get_two_scopes():
    assert scope_of("X:ops", "K1") != scope_of("X", "ops:K1")


@given(st.text(max_size=20))
def test_csv_cells_never_start_a_formula_nor_carry_nul(text):
    cell, kept = csv_cell(text), text.replace("\0", "")
    assert "\0" not in cell and not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == ("'" + kept if kept[:1] in ("=", "+", "-", "@", "\t", "\r") else kept)


def _actor(permissions, *, staff=False, user_id="actor"):
    return Principal(user_id, "acct", frozenset(permissions), staff=staff)


@given(permission_sets, permission_sets, st.booleans())
def test_nobody_but_staff_grants_what_they_lack(held, granted, staff):
    escalates = not staff and not granted <= held
    if escalates:
        with pytest.raises(PermissionEscalation):
            check_grant(_actor(held, staff=staff), granted)
    else:
        check_grant(_actor(held, staff=staff), granted)


def test_owner_keeps_admin_even_against_an_admin_and_themselves():
    for actor in (_actor(ALL_PERMISSIONS), _actor(ALL_PERMISSIONS, user_id="owner")):
        with pytest.raises(OwnerKeepsAdmin):
            check_role_assignment(actor, user_id="owner", owner_user_id="owner", role_id="viewer",
                                  granted=frozenset({Permission.VIEW_CREDITS}), current=ALL_PERMISSIONS)
    check_role_assignment(_actor(ALL_PERMISSIONS), user_id="owner", owner_user_id="owner", role_id=ADMIN_ROLE_ID,
                          granted=ALL_PERMISSIONS, current=ALL_PERMISSIONS)
    check_role_assignment(_actor((), staff=True), user_id="owner", owner_user_id="owner", role_id="viewer",
                          granted=frozenset(), current=ALL_PERMISSIONS)


@given(permission_sets, permission_sets, permission_sets)
def test_a_user_who_outranks_the_actor_is_not_theirs_to_change(held, granted, current):
    actor = _actor(held | {Permission.MANAGE_ROLES})
    allowed = granted <= actor.permissions and current <= actor.permissions
    call = dict(user_id="someone", owner_user_id="owner", role_id="r", granted=granted, current=current)
    if allowed:
        check_role_assignment(actor, **call)
    else:
        with pytest.raises(PermissionEscalation):
            check_role_assignment(actor, **call)
