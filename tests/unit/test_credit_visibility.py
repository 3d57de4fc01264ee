"""One rule, applied at the edge to every JSON answer, decides which credit fields a principal sees."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from chalicelib.api import presenters, schemas
from chalicelib.api.visibility import CREDIT_FIELDS, shown_to
from chalicelib.domain.customers import CreditSummary
from chalicelib.domain.permissions import ALL_PERMISSIONS, Permission, Principal

SEES = Principal("u1", "a1", ALL_PERMISSIONS, credits_enabled=True)
BLIND_ROLE = Principal("u2", "a1", ALL_PERMISSIONS - {Permission.VIEW_CREDITS}, credits_enabled=True)
FEATURE_OFF = Principal("u3", "a1", ALL_PERMISSIONS, credits_enabled=False)
STAFF_FEATURE_OFF = Principal("s1", "a1", frozenset(), staff=True, credits_enabled=False)
SETTINGS_FIELDS = {"credits_enabled", "qbo_credit_sync", "credit_balance_warning_threshold",
                   "sees_credits"}  # GET /me: whether the caller sees credits (false for those who do not)


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


def test_every_credit_field_of_a_non_credit_response_is_covered_by_the_rule():
    """A field about credits on a response that others see too must be one the rule strips."""
    credit_only = {schemas.CreditOut, schemas.CreditEventOut, schemas.CreditUseOut,  # served on credit routes only
                   schemas.CancelPreviewOut, schemas.LineageOut}
    outs = [m for m in vars(schemas).values()
            if isinstance(m, type) and issubclass(m, BaseModel) and m.__name__.endswith("Out") and m not in credit_only]
    named = {f for m in outs for f in _fields(m) if "credit" in f} - SETTINGS_FIELDS
    assert named and named <= CREDIT_FIELDS


@given(st.dictionaries(st.sampled_from(sorted(CREDIT_FIELDS) + ["id", "total", "status", "number"]),
                       st.integers()))
def test_credit_fields_are_stripped_exactly_for_principals_who_cannot_see_credits(payload):
    assert shown_to(SEES, payload) == payload
    for blind in (BLIND_ROLE, FEATURE_OFF):
        shown = shown_to(blind, payload)
        assert shown == {k: v for k, v in payload.items() if k not in CREDIT_FIELDS}


def test_vendor_staff_see_credit_fields_on_an_account_with_credits_off():
    """Support lists and repairs legacy overpayment memos by credit id on any account (review of this change)."""
    row = {"data": [{"credit_id": "K1", "credit_number": "CR-1"}]}
    assert shown_to(STAFF_FEATURE_OFF, row) == row
    assert shown_to(FEATURE_OFF, row) == {"data": [{"credit_number": "CR-1"}]}


def test_the_credit_summary_hides_available_credit_from_a_clerk_but_not_the_balance():
    summary = presenters.credit_summary(
        CreditSummary("c1", available_credit=1500, outstanding_balance=2500, warning_threshold=2000))
    assert shown_to(SEES, summary)["available_credit"] == "15.00"
    blind = shown_to(BLIND_ROLE, summary)
    assert "available_credit" not in blind
    assert blind["outstanding_balance"] == "25.00" and blind["warning"] is True


payloads = st.recursive(
    st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(sorted(CREDIT_FIELDS) + ["id", "payments", "data", "total"]), inner, max_size=4),
    max_leaves=12)


def _credit_names(value) -> set[str]:
    if isinstance(value, dict):
        return {k for k in value if k in CREDIT_FIELDS} | {n for v in value.values() for n in _credit_names(v)}
    if isinstance(value, list):
        return {n for v in value for n in _credit_names(v)}
    return set()


@given(payloads)
def test_nested_answers_lose_every_credit_field_and_keep_the_rest_for_those_who_cannot_see_credits(payload):
    """An invoice's payments and a list's rows are inside the answer: the rule reaches them too."""
    assert shown_to(SEES, payload) == payload
    shown = shown_to(FEATURE_OFF, payload)
    assert _credit_names(shown) == set()
    assert shown_to(FEATURE_OFF, shown) == shown
    if not _credit_names(payload):
        assert shown == payload
