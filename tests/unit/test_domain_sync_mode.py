"""The sync modes (DESIGN §5): derived from the credit-sync switch and the connection, never stored; what each
pushes and reads."""
from __future__ import annotations

import pytest

from chalicelib.domain.sync import ConnectionState
from chalicelib.domain.sync_modes import (ONE_WAY_KINDS, TWO_WAY_KINDS, SyncMode, pushes_now, reads_qbo, sync_mode,
                                          synced_kinds)


@pytest.mark.parametrize("sync_on, connection, expected", [
    (True, ConnectionState.CONNECTED, SyncMode.TWO_WAY),
    (False, ConnectionState.CONNECTED, SyncMode.ONE_WAY),
    (True, ConnectionState.SOFT_DISCONNECTED, SyncMode.PAUSED),
    (False, ConnectionState.SOFT_DISCONNECTED, SyncMode.PAUSED),
    (True, ConnectionState.NONE, SyncMode.OFF),
    (False, ConnectionState.NONE, SyncMode.OFF),
])
def test_sync_mode(sync_on, connection, expected):
    assert sync_mode(sync_on, connection) is expected


@pytest.mark.parametrize("sync_on", [True, False])
@pytest.mark.parametrize("connection", list(ConnectionState))
def test_what_each_mode_marks_pushes_and_reads(sync_on, connection):
    kinds = synced_kinds(sync_on, connection)
    if connection is ConnectionState.NONE:
        assert kinds == frozenset()
    else:  # soft keeps the same kinds pending for the reconnect
        assert kinds == (TWO_WAY_KINDS if sync_on else ONE_WAY_KINDS)
    assert pushes_now(connection) == (connection is ConnectionState.CONNECTED)
    assert reads_qbo(sync_on, connection) == (sync_mode(sync_on, connection) is SyncMode.TWO_WAY)


def test_one_way_pushes_no_credit_nor_use():
    assert ONE_WAY_KINDS == {"customer", "invoice", "payment"} and TWO_WAY_KINDS - ONE_WAY_KINDS == {"credit", "use"}
