"""The registry of synced kinds (chalicelib/domain/sync_kinds.py) ties every list of kinds together: the push, the
re-sync, parity repair, the pull and imports, the store's items and pending index, the status panel's types and the
sync modes either read it or are checked against it here, so a kind cannot be half added."""
from __future__ import annotations

import typing

from chalicelib.domain import sync_kinds
from chalicelib.domain.credit_sources import HOMES, CreditSource
from chalicelib.domain.sync_modes import ONE_WAY_KINDS, TWO_WAY_KINDS

NAMES = set(sync_kinds.NAMES)


def test_each_kind_has_a_pusher_and_a_repository_of_its_name():
    from chalicelib.services.sync.documents import PUSHERS
    from chalicelib.services.sync.record import KINDS, repository
    from chalicelib.store.ledger import Ledger
    from chalicelib.store.uow import UnitOfWork

    assert set(PUSHERS) == NAMES and set(KINDS) == NAMES
    book = Ledger(UnitOfWork("account"))
    for kind in sync_kinds.KINDS:
        repo = repository(book, kind.name)  # the ledger's repository the entry names
        assert repo.noun == kind.name  # what the pending index names it (store.sync_state)
        assert repo.prefix == kind.item_prefix


def test_each_kind_has_items_in_the_table():
    from chalicelib.store.account_items import MODEL_BY_PREFIX, PREFIX_BY_KIND

    assert set(PREFIX_BY_KIND) == NAMES
    assert {kind.item_prefix for kind in sync_kinds.KINDS} <= set(MODEL_BY_PREFIX)


def test_the_resync_and_parity_repair_go_through_every_kind_after_what_it_depends_on():
    from chalicelib.services.sync.parity_repair import PUSH_ORDER
    from chalicelib.services.sync.resync import ENTITY, PHASES

    order = sync_kinds.push_order()
    assert set(PHASES) == NAMES and set(PUSH_ORDER) == NAMES and set(ENTITY) == NAMES
    for kind in sync_kinds.KINDS:
        assert all(order.index(d) < order.index(kind.name) for d in kind.depends_on), kind.name


def test_the_push_batches_only_kinds_that_create_a_document_of_their_own():
    from chalicelib.services.sync.documents import BATCH_ENTITY
    from chalicelib.services.sync.push import BATCH_PHASES

    batched = {name for phase in BATCH_PHASES for name in phase}
    assert batched == set(BATCH_ENTITY) <= NAMES
    assert all(BATCH_ENTITY[name] == sync_kinds.BY_NAME[name].document for name in batched)


def test_the_inbound_reader_reads_every_kind_that_is_read_back():
    from chalicelib.services.sync.imports import OWN_KINDS
    from chalicelib.services.sync.pull import ENTITIES

    read_back = {kind for kind in sync_kinds.KINDS if kind.read_back}
    assert set(ENTITIES) == {kind.document for kind in read_back}
    assert set(OWN_KINDS) | {"use"} == {kind.name for kind in read_back}  # a use is judged as its linking Payment


def test_the_status_panel_and_the_retry_route_name_every_kind():
    from chalicelib.api.wire.qbo_status import SyncObjectType

    assert set(typing.get_args(SyncObjectType)) == NAMES


def test_the_modes_push_the_kinds_the_registry_says():
    assert TWO_WAY_KINDS == NAMES and ONE_WAY_KINDS == {k.name for k in sync_kinds.KINDS if k.one_way}
    assert ONE_WAY_KINDS == {"customer", "invoice", "payment"}


def test_every_credit_source_has_a_qbo_home():
    assert set(HOMES) == set(CreditSource)


def test_a_use_key_names_its_credit_then_the_use():
    key = sync_kinds.use_key("01CREDIT", "01USE")
    assert key == "01CREDIT#01USE" and sync_kinds.split_use_key(key) == ("01CREDIT", "01USE")


def test_a_kind_without_a_resync_rule_of_its_own_goes_to_the_push_unless_it_is_in_qbo():
    """A new kind needs no line in the re-sync: its objects are handed to the push (one by one, through PUSHERS)."""
    import pytest

    from chalicelib.services.sync.resync import Batch, Skip, _push_instead
    from chalicelib.store.models import InvoiceItem

    batch = Batch("made_up")
    _push_instead(None, InvoiceItem("ACCOUNT#a", "INV#01NEW"), batch)
    assert batch.handed_over == [("made_up", "01NEW")]
    with pytest.raises(Skip):
        _push_instead(None, InvoiceItem("ACCOUNT#a", "INV#01OLD", qbo_id="42"), batch)
    assert batch.handed_over == [("made_up", "01NEW")]
