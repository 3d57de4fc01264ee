"""The parity rule case by case: which difference each shape of the two sides gives, with every field the report
shows (test_domain_parity.py states the rule over generated books; these pin the edges a mutation run found open)."""
from __future__ import annotations

from chalicelib.domain.locations import LocationKind, memo, qbo_unapplied
from chalicelib.domain.parity import (Action, Difference, Doc, Holding, Kind, Mine, Summary, compare, kept_in_sources,
                                      summarize)


def _found(mine, docs, **options) -> list[Difference]:
    return compare(mine, {d.key: d for d in docs}, available=options.pop("available", {}),
                   customer_refs=options.pop("customer_refs", {}), **options)


def test_an_imported_credits_applications_come_off_its_own_document_not_another_it_holds_money_in():
    holding = Holding("K1", True, [memo("M0", 50), qbo_unapplied("K1", 100)], [], applied_in_qbo=30)
    assert kept_in_sources([holding]) == {(LocationKind.MEMO, "M0"): 50, qbo_unapplied("K1", 0).key: 70}
    assert kept_in_sources([Holding("K2", True, [memo("K2", 80)], [])]) == {(LocationKind.MEMO, "K2"): 80}


def test_a_difference_id_is_16_hex_digits():
    [found] = _found([Mine("credit", "K1", "c1", "CreditMemo", None, source=5)], [])
    assert len(found.id) == 16 and int(found.id, 16) >= 0


def test_every_missing_object_is_reported_with_whose_it_is_and_why():
    never = Mine("payment", "P1", "c1", "Payment", None, source=30, total=100, sync_status="pending")
    deleted = Mine("credit", "K1", "c2", "CreditMemo", "M1", source=70, sync_status="synced")
    found = _found([never, deleted], [])
    assert found == [
        Difference(Kind.MISSING, "credit", "K1", "CreditMemo", "M1", 70, None, found[0].repair, "c2", "synced"),
        Difference(Kind.MISSING, "payment", "P1", "Payment", None, 100, None, found[1].repair, "c1", "pending")]
    assert found[0].repair.why.startswith("its QuickBooks document was deleted")
    assert found[1].repair.why.startswith("it never reached QuickBooks")


def test_a_removed_object_whose_document_still_holds_money_is_extra_and_the_next_objects_are_still_checked():
    removed = [Mine("credit", f"K{i}", "c1", "CreditMemo", f"M{i}", exists=False) for i in range(4)]
    docs = [Doc("CreditMemo", "M0", "Q1", 700, 0, marker=("credit", "K0")),  # fully applied: still holds its total
            Doc("CreditMemo", "M1", "Q1", 0, 0, marker=("credit", "K1")),  # emptied: nothing to remove
            Doc("CreditMemo", "M2", "Q1", 500, 500, voided=True, marker=("credit", "K2")),
            Doc("CreditMemo", "M3", "Q1", 0, 20, marker=("credit", "K3"))]
    missing = Mine("credit", "K9", "c1", "CreditMemo", None, source=5)
    assert [(d.kind, d.object_id, d.ours, d.theirs) for d in _found([*removed, missing], docs)] == [
        (Kind.EXTRA, "K0", 0, 700), (Kind.EXTRA, "K3", 0, 0), (Kind.MISSING, "K9", 5, None)]


def test_checks_go_on_after_an_unlinked_a_voided_import_and_a_recreated_document():
    lost = Mine("credit", "K1", "c1", "CreditMemo", None, source=700)
    voided_import = Mine("credit", "K2", "c1", "Payment", "Y2", owned=False, source=0)
    recreated = Mine("invoice", "I1", "c1", "Invoice", "V1", balance=100)
    payment = Mine("payment", "P1", "c1", "Payment", "Y1", total=100, source=0, ref_num="PAY-1")
    docs = [Doc("CreditMemo", "M1", "Q1", 700, 700, marker=("credit", "K1")),
            Doc("Payment", "Y2", "Q1", 40, 0, voided=True), Doc("Invoice", "V1", "Q1", 100, 0, voided=True),
            Doc("Payment", "Y1", "Q1", 90, 0, "PAY-1", marker=("payment", "P1"))]
    assert [(d.kind, d.object_id) for d in _found([lost, voided_import, recreated, payment], docs)] == [
        (Kind.UNLINKED, "K1"), (Kind.VOIDED, "K2"), (Kind.VOIDED, "I1"), (Kind.PAYMENT_AMOUNT, "P1")]


def test_a_lost_id_is_relinked_to_the_live_document_with_the_lowest_id():
    lost = Mine("credit", "K1", "c1", "CreditMemo", None, source=700)
    docs = [Doc("CreditMemo", "9", "Q1", 700, 700, marker=("credit", "K1")),
            Doc("CreditMemo", "10", "Q1", 700, 700, marker=("credit", "K1")),
            Doc("CreditMemo", "8", "Q1", 700, 700, voided=True, marker=("credit", "K1"))]
    found = _found([lost], docs)
    assert [(d.kind, d.qbo_id) for d in found] == [(Kind.UNLINKED, "9"), (Kind.DUPLICATE, "10")]
    assert found[1].repair.action is Action.DELETE and found[1].repair.targets == (("CreditMemo", "10"),)
    assert "ours is QBO CreditMemo (none)" in found[1].repair.why


def test_a_payment_ref_is_compared_on_the_21_characters_qbo_keeps():
    long_number = "PAY-" + "7" * 21
    ours = Mine("payment", "P1", "c1", "Payment", "Y1", total=100, source=0, ref_num=long_number)
    kept = Doc("Payment", "Y1", "Q1", 100, 0, long_number[:21], marker=("payment", "P1"))
    assert _found([ours], [kept]) == []
    [wrong] = _found([ours], [Doc("Payment", "Y1", "Q1", 100, 0, long_number[:20], marker=("payment", "P1"))])
    assert wrong.kind is Kind.PAYMENT_REF and f"our number {long_number[:21]} " in wrong.repair.why


def test_a_source_two_credits_share_is_reported_once_on_the_first():
    first = Mine("credit", "K1", "c1", "Payment", "Y1", owned=False, source=30)
    second = Mine("credit", "K2", "c1", "Payment", "Y1", owned=False, source=20)
    [found] = _found([first, second], [Doc("Payment", "Y1", "Q1", 100, 60)])
    assert (found.kind, found.object_id, found.ours, found.theirs) == (Kind.SOURCE, "K1", 50, 60)
    assert found.repair.action is Action.ACCEPT and found.repair.targets == (("credit", "K1"), ("credit", "K2"))


def test_only_live_documents_with_a_marker_of_ours_for_nothing_here_are_unknown():
    docs = [Doc("CreditMemo", "M1", "Q1", 10, 10, marker=("credit", "GONE1")),
            Doc("Invoice", "V1", "Q1", 10, 10, marker=("invoice", "GONE2")),
            Doc("CreditMemo", "M2", "Q1", 10, 10, voided=True, marker=("credit", "GONE3")),
            Doc("Customer", "C1", None, 0, 0, marker=("customer", "GONE4"))]
    found = _found([], docs)
    assert [(d.kind, d.object_type, d.object_id, d.qbo_id, d.theirs) for d in found] == [
        (Kind.UNKNOWN, "credit", "GONE1", "M1", 10), (Kind.UNKNOWN, "invoice", "GONE2", "V1", 10)]


def test_a_second_document_of_ours_is_a_duplicate_unless_it_holds_nothing():
    ours = Mine("credit", "K1", "c1", "CreditMemo", "M1", source=10)
    invoice = Mine("invoice", "I1", "c1", "Invoice", "V1", balance=10)
    docs = [Doc("CreditMemo", "M1", "Q1", 10, 10, marker=("credit", "K1")),
            Doc("Invoice", "V1", "Q1", 10, 10, marker=("invoice", "I1")),
            Doc("CreditMemo", "M2", "Q1", 0, 0, marker=("credit", "K1")),  # an emptied leftover
            Doc("CreditMemo", "M3", "Q1", 10, 10, voided=True, marker=("credit", "K1")),
            Doc("CreditMemo", "M4", "Q1", 0, 5, marker=("credit", "K1")),
            Doc("CreditMemo", "M5", "Q1", 5, 0, marker=("credit", "K1")),
            Doc("Invoice", "V2", "Q1", 0, 0, marker=("invoice", "I1"))]  # an invoice at 0 is still a document
    found = _found([ours, invoice], docs)
    assert [(d.kind, d.object_id, d.qbo_id, d.theirs) for d in found] == [
        (Kind.DUPLICATE, "K1", "M4", 0), (Kind.DUPLICATE, "K1", "M5", 5), (Kind.DUPLICATE, "I1", "V2", 0)]
    assert "ours is QBO CreditMemo M1, this one is deleted" in found[0].repair.why


def test_the_accountants_document_is_not_imported_only_while_it_holds_credit():
    docs = [Doc("CreditMemo", "M1", "Q1", 10, 1), Doc("CreditMemo", "M2", "Q1", 10, 0),
            Doc("Payment", "Y1", "Q1", 10, 1), Doc("Invoice", "V1", "Q1", 10, 10)]
    assert [(d.kind, d.qbo_id, d.theirs) for d in _found([], docs)] == [
        (Kind.NOT_IMPORTED, "M1", 1), (Kind.NOT_IMPORTED, "Y1", 1)]


def test_a_customer_total_follows_when_a_document_of_that_customer_explains_it():
    docs = [Doc("CreditMemo", "M1", "Q1", 10, 10), Doc("CreditMemo", "M2", "Q2", 10, 10)]
    found = _found([], docs, available={"c1": 0, "c2": 10}, customer_refs={"c1": "Q1", "c2": "Q2", "c3": "Q3"},
                   imported=frozenset({("CreditMemo", "M2")}))
    assert [(d.kind, d.object_id, d.ours, d.theirs, d.repair.action) for d in found] == [
        (Kind.NOT_IMPORTED, None, None, 10, Action.IMPORT), (Kind.CUSTOMER_CREDIT, "c1", 0, 10, Action.FOLLOWS)]
    [alone] = _found([], docs[1:], available={"c2": 0}, customer_refs={"c2": "Q2"},
                     imported=frozenset({("CreditMemo", "M2")}))
    assert (alone.kind, alone.ours, alone.theirs, alone.repair.action) == (Kind.CUSTOMER_CREDIT, 0, 10, Action.MANUAL)


def test_a_customer_with_no_credit_on_either_side_has_no_difference():
    assert _found([], [], available={}, customer_refs={"c1": "Q1"}) == []


def test_the_summary_counts_each_kind():
    found = _found([Mine("credit", f"K{i}", "c1", "CreditMemo", None, source=1) for i in range(2)], [])
    assert summarize(found) == Summary(2, {"missing_in_qbo": 2})
    assert summarize([]) == Summary() == Summary(0, {})
