"""A credit imported from the accountant's unapplied Payment follows that Payment (issue 12 §3, found by the soak):
its value is the Payment's money the accountant did not apply, whatever our own lines on it are doing.

Seed 2 of the soak at 300 operations: the accountant lowered the TotalAmt of their Payment, and the credit kept its
amount while counting the drop as "applied in QuickBooks", so it showed money used with no use behind it.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.qbo.test_sync_imported_payments import (  # noqa: F401 - `stack` is the fixture these tests share
    _doc, _imported_payment_credit, _our_invoice, _parity, _pay_with_credit, stack)


def _shown(stack, credit_id: str) -> tuple[str, str, str]:
    credit = stack.account.owner.get(f"/credits/{credit_id}").json
    return credit["amount"], credit["used"], credit["remaining"]


def _accountant_sets_total(stack, payment_id: str, total: str) -> None:
    stack.accountant("POST", f"objects/Payment/{payment_id}", {"TotalAmt": total})
    stack.pull()


def test_the_accountant_lowering_their_payment_lowers_the_credit_instead_of_using_it(stack):
    _, theirs = _our_invoice(stack, "50.00")
    payment, credit = _imported_payment_credit(stack, theirs["CustomerRef"], "45.95")
    _accountant_sets_total(stack, payment["Id"], "9.85")
    assert _shown(stack, credit["id"]) == ("9.85", "0.00", "9.85")
    _accountant_sets_total(stack, payment["Id"], "60.00")  # and raising it raises the credit
    assert _shown(stack, credit["id"]) == ("60.00", "0.00", "60.00")
    assert _parity(stack) == []
    # the note we gave the Payment's credit (QBO's has none) is not taken away by following it
    edits = [e["details"] for e in stack.account.owner.get(f"/credits/{credit['id']}/transactions").json["data"]
             if e["kind"] == "edited"]
    assert edits and not any("internal_note" in e for e in edits), edits
    assert stack.account.owner.get(f"/credits/{credit['id']}").json["internal_note"] == (
        f"imported from QuickBooks Payment {payment['Id']}")


def test_lowering_the_payment_of_a_credit_we_spent_keeps_our_use_and_lowers_the_rest(stack):
    ours, theirs = _our_invoice(stack, "50.00")
    payment, credit = _imported_payment_credit(stack, theirs["CustomerRef"], "80.00")
    _pay_with_credit(stack, ours["id"], credit["id"], "30.00")
    assert stack.push().parked == []
    _accountant_sets_total(stack, payment["Id"], "50.00")
    assert _doc(stack, "Payment", payment["Id"])["UnappliedAmt"] == Decimal("20.00")
    assert _shown(stack, credit["id"]) == ("50.00", "30.00", "20.00")
    assert _parity(stack) == []


@pytest.mark.parametrize("read_before_push", [True, False], ids=["read-before-void-push", "read-after-void-push"])
def test_a_voided_use_of_that_credit_gives_its_money_back_however_the_reads_fall(stack, read_before_push):
    """Our line is still on the Payment until the void is pushed: a read in between must not take it for the
    accountant's application (nor count it twice once it is gone)."""
    ours, theirs = _our_invoice(stack, "50.00")
    payment, credit = _imported_payment_credit(stack, theirs["CustomerRef"], "80.00")
    paid = _pay_with_credit(stack, ours["id"], credit["id"], "36.10")
    stack.pull()  # before our line lands
    assert _shown(stack, credit["id"]) == ("80.00", "36.10", "43.90")
    assert stack.push().parked == []
    assert stack.account.owner.post(f"/payments/{paid['id']}/void", {}).status == 200
    if read_before_push:
        stack.pull()  # QBO still shows our line
        assert _shown(stack, credit["id"]) == ("80.00", "0.00", "80.00")
    assert stack.push().parked == []
    stack.pull()
    assert _shown(stack, credit["id"]) == ("80.00", "0.00", "80.00")
    assert _doc(stack, "Payment", payment["Id"])["UnappliedAmt"] == Decimal("80.00")
    assert _parity(stack) == []
