"""Money parsing, permissions, settings, returns and the credit summary warning, each at its edges."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.customers import CreditSummary
from chalicelib.domain.errors import CreditsDisabled, DomainError, Forbidden, InvalidInput
from chalicelib.domain.money import MAX_CENTS, InvalidAmount, format_cents, parse_cents
from chalicelib.domain.permissions import ALL_PERMISSIONS, Permission, Principal, parse_permissions
from chalicelib.domain.returns import CustomerReturn, ReturnLine, ReturnStatus
from chalicelib.domain.settings import AccountSettings

T0 = "2026-01-01T00:00:00.000000Z"


@pytest.mark.parametrize("text, cents", [("120", 12000), ("120.5", 12050), ("120.50", 12050), ("0.01", 1),
                                         (" 7.00 ", 700), ("0", 0), ("1000000000.00", MAX_CENTS),
                                         ("0000000000123.4", 12340)])
def test_parse_cents(text, cents):
    assert parse_cents(text) == cents


@pytest.mark.parametrize("text, options", [("0", {"allow_zero": False}), ("0.00", {"allow_zero": False}),
                                           ("-0.01", {}), ("1000000000.01", {}),
                                           ("-1000000000.01", {"allow_negative": True}), ("1.234", {}),
                                           ("12345678901234", {}), (".5", {}), ("1.", {}), ("+1", {})])
def test_parse_cents_refuses(text, options):
    with pytest.raises(InvalidAmount) as refused:
        parse_cents(text, **options)
    too_large = text.lstrip("-") == "1000000000.01"
    assert refused.value.code == ("amount_too_large" if too_large else "invalid_amount")


@pytest.mark.parametrize("value", [1.5, 150, None])
def test_parse_cents_wants_a_string(value):
    with pytest.raises(InvalidAmount):
        parse_cents(value)


def test_parse_cents_signs_and_zero():
    assert parse_cents("-0.01", allow_negative=True) == -1
    assert parse_cents("-12.30", allow_negative=True) == -1230
    assert parse_cents("0.01", allow_zero=False) == 1
    assert parse_cents("-1000000000.00", allow_negative=True) == -MAX_CENTS


@pytest.mark.parametrize("cents, text", [(0, "0.00"), (1, "0.01"), (-1, "-0.01"), (12050, "120.50"),
                                         (-100, "-1.00"), (MAX_CENTS, "1000000000.00")])
def test_format_cents(cents, text):
    assert format_cents(cents) == text


@given(st.integers(min_value=-MAX_CENTS, max_value=MAX_CENTS))
def test_cents_round_trip(cents):
    assert parse_cents(format_cents(cents), allow_negative=True) == cents


def principal(*permissions: Permission, staff=False, credits_enabled=True) -> Principal:
    return Principal("u", "a", frozenset(permissions), staff=staff, credits_enabled=credits_enabled)


def test_permissions_and_staff():
    clerk = principal(Permission.VIEW_CREDITS)
    assert clerk.can(Permission.VIEW_CREDITS) and not clerk.can(Permission.EDIT_CREDITS)
    assert principal(staff=True).can(Permission.MANAGE_ROLES)
    clerk.require(Permission.VIEW_CREDITS)
    with pytest.raises(Forbidden) as refused:
        clerk.require(Permission.EDIT_CREDITS)
    assert refused.value.details == {"permission": "edit_credits"} and refused.value.code == "forbidden"
    clerk.require_any(Permission.EDIT_CREDITS, Permission.VIEW_CREDITS)
    with pytest.raises(Forbidden) as refused:
        clerk.require_any(Permission.EDIT_CREDITS, Permission.MANAGE_ROLES)
    assert refused.value.details == {"permissions": ["edit_credits", "manage_roles"]}
    with pytest.raises(Forbidden) as refused:
        clerk.require_staff("staff only")
    assert refused.value.code == "staff_only"
    principal(staff=True).require_staff("fine")
    assert len(ALL_PERMISSIONS) == len(Permission)


def test_credit_visibility_and_credit_routes():
    assert principal(Permission.VIEW_CREDITS).sees_credits
    assert not principal(Permission.VIEW_CREDITS, credits_enabled=False).sees_credits
    assert not principal(Permission.CREATE_CREDITS).sees_credits
    principal(Permission.VIEW_CREDITS, Permission.CREATE_CREDITS).require_credits(Permission.CREATE_CREDITS)
    principal(Permission.VIEW_CREDITS).require_credits()
    with pytest.raises(CreditsDisabled) as refused:
        principal(staff=True, credits_enabled=False).require_credits()
    assert refused.value.code == "credits_disabled"
    with pytest.raises(Forbidden) as refused:
        principal(Permission.CREATE_CREDITS).require_credits(Permission.CREATE_CREDITS)
    assert refused.value.details == {"permission": "view_credits"}
    with pytest.raises(Forbidden) as refused:
        principal(Permission.VIEW_CREDITS).require_credits(Permission.DELETE_CREDITS)
    assert refused.value.details == {"permission": "delete_credits"}


def test_parse_permissions():
    assert parse_permissions(["view_credits", "view_credits"]) == frozenset({Permission.VIEW_CREDITS})
    assert parse_permissions([]) == frozenset()
    with pytest.raises(InvalidInput) as refused:
        parse_permissions(["view_credits", "fly", "dig"])
    assert refused.value.details["permissions"] == ["dig", "fly"]
    assert refused.value.details["allowed"] == sorted(p.value for p in Permission)


@pytest.mark.parametrize("switch", ["credits_enabled", "qbo_credit_sync"])
def test_only_staff_switch_features_on(switch):
    admin = principal(*ALL_PERMISSIONS)
    with pytest.raises(Forbidden) as refused:
        AccountSettings().changed_by(admin, {switch: True})
    assert refused.value.code == "staff_only"
    assert getattr(AccountSettings().changed_by(principal(staff=True), {switch: True}), switch) is True
    assert getattr(AccountSettings(**{switch: True}).changed_by(admin, {switch: True}), switch) is True
    assert getattr(AccountSettings().changed_by(principal(), {switch: False}), switch) is False


@pytest.mark.parametrize("switch, permission", [("credits_enabled", Permission.MANAGE_ROLES),
                                                ("qbo_credit_sync", Permission.MANAGE_INTEGRATION)])
def test_switching_off_needs_the_feature_permission(switch, permission):
    on = AccountSettings(**{switch: True})
    with pytest.raises(Forbidden) as refused:
        on.changed_by(principal(*(ALL_PERMISSIONS - {permission})), {switch: False})
    assert refused.value.details == {"permission": permission.value}
    assert getattr(on.changed_by(principal(permission), {switch: False}), switch) is False


def test_warning_threshold_needs_manage_roles():
    with pytest.raises(Forbidden):
        AccountSettings().changed_by(principal(Permission.MANAGE_INTEGRATION), {"credit_balance_warning_threshold": 5})
    changed = AccountSettings().changed_by(principal(Permission.MANAGE_ROLES), {"credit_balance_warning_threshold": 5})
    assert changed.credit_balance_warning_threshold == 5
    assert AccountSettings().changed_by(principal(), {}) == AccountSettings()


@pytest.mark.parametrize("outstanding, threshold, warning", [(101, 100, True), (100, 100, False), (0, None, False),
                                                             (10**9, None, False), (1, 0, True)])
def test_credit_summary_warns_above_the_threshold(outstanding, threshold, warning):
    assert CreditSummary("C", 0, outstanding, threshold).warning is warning


def test_return_completes_once_and_keeps_lineage():
    line = ReturnLine("P1", "PK", None, "1.5", 333)
    ret = CustomerReturn(id="R", number="RET-1", customer_id="C", created_at=T0,
                         lines=[line, ReturnLine("P2", None, "B", "2", 100)])
    assert line.total == 500 and ret.total == 700
    assert line.lineage() == {"product_id": "P1", "package_id": "PK", "batch_id": None, "quantity": "1.5",
                              "unit_price": 333, "total": 500}
    assert ret.complete(credit_id="CR", now=T0) is True
    assert (ret.status, ret.credit_id, ret.completed_at) == (ReturnStatus.COMPLETED, "CR", T0)
    assert ret.complete(credit_id="OTHER", now="later") is False and ret.credit_id == "CR"


@pytest.mark.parametrize("unit_price", [0, -1])
def test_a_return_worth_nothing_issues_no_credit(unit_price):
    ret = CustomerReturn(id="R", number="RET-1", customer_id="C", created_at=T0,
                         lines=[ReturnLine("P", None, None, "1", unit_price)])
    with pytest.raises(InvalidInput):
        ret.complete(credit_id="CR", now=T0)
    assert ret.status is ReturnStatus.OPEN and ret.credit_id is None
    ok = CustomerReturn(id="R", number="RET-1", customer_id="C", created_at=T0,
                        lines=[ReturnLine("P", None, None, "1", 1)])
    assert ok.complete(credit_id="CR", now=T0)


def test_domain_error_carries_code_message_and_details():
    error = DomainError("nope")
    assert (error.code, error.message, error.details, str(error)) == ("domain_error", "nope", {}, "nope")
    error = Forbidden("no", details={"x": 1}, code="staff_only")
    assert (error.code, error.details) == ("staff_only", {"x": 1}) and Forbidden.code == "forbidden"


def test_a_return_above_the_cap_issues_no_credit():
    from chalicelib.domain.money import MAX_CENTS, AmountTooLarge

    at_cap = CustomerReturn(id="R", number="RET-1", customer_id="C", created_at=T0,
                            lines=[ReturnLine("P", None, None, "2", MAX_CENTS // 2)])
    at_cap.require_valid_total()
    over = CustomerReturn(id="R", number="RET-1", customer_id="C", created_at=T0,
                          lines=[ReturnLine("P", None, None, "1", MAX_CENTS), ReturnLine("Q", None, None, "1", 1)])
    with pytest.raises(AmountTooLarge):
        over.require_valid_total()
    with pytest.raises(AmountTooLarge):
        over.complete(credit_id="CR", now=T0)
    assert over.status is ReturnStatus.OPEN and over.credit_id is None
