"""Value objects are immutable (they are shared between plans, payments and presenters); callers are not staff."""
import dataclasses

import pytest

from datetime import date

from chalicelib.domain.aging import AgingReport, AgingRow, OpenCredit
from chalicelib.domain.allocation import ChosenCredit, PaymentPlan
from chalicelib.domain.connection import Connection
from chalicelib.domain.credits import CreditEvent
from chalicelib.domain.customers import CreditSummary
from chalicelib.domain.history import HistoryLine, PaymentAt
from chalicelib.domain.imports import QboCreditTerms
from chalicelib.domain.invoices import Charge, Line, Reversal
from chalicelib.domain.parity import Action, Difference, Doc, Drift, Holding, Kind, Mine, Repair
from chalicelib.domain.payments import Tender, TenderMethod
from chalicelib.domain.permissions import Permission, Principal
from chalicelib.domain.returns import ReturnLine
from chalicelib.domain.settings import AccountSettings
from chalicelib.domain.sync import ConnectionState

VALUES = [ChosenCredit("c"), PaymentPlan([], 0, 0, 0), CreditEvent("created", "t"), CreditSummary("C", 0, 0, None),
          Line("d", "1", 1), Charge("d", 1), Reversal([], 0), Tender(TenderMethod.CASH, 1),
          Principal("u", "a", frozenset()), ReturnLine("P", None, None, "1", 1), AccountSettings(),
          OpenCredit("k", "manual", date(2026, 1, 1), 1), AgingReport(date(2026, 1, 1), {}, AgingRow()),
          Connection(ConnectionState.NONE, None), HistoryLine("c", "created", "t", 1), PaymentAt("t", None, 1, []),
          QboCreditTerms(1, 0), Repair(Action.PUSH, "w"), Doc("Payment", "1", None, 0, 0),
          Mine("credit", "K", "c", "CreditMemo", None), Drift("credit", "K", "CreditMemo", "1", 0, 0),
          Difference(Kind.DRIFT, None, None, None, None, None, None, Repair(Action.PUSH, "w")),
          Holding("K", True, [], [])]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_value_objects_are_frozen(value):
    name = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, name, getattr(value, name))


def test_a_principal_is_neither_staff_nor_credit_enabled_unless_said():
    principal = Principal("u", "a", frozenset({Permission.VIEW_CREDITS}))
    assert not principal.staff and not principal.credits_enabled and not principal.qbo_sync
    assert not principal.sees_credits and not principal.can(Permission.MANAGE_ROLES)
