"""The status panel's sync mode, for every switch position and connection state."""
from __future__ import annotations

import pytest

from chalicelib.domain.sync import ConnectionState, SyncMode, records_sync_intent, sync_mode


@pytest.mark.parametrize("sync_on, connection, expected", [
    (True, ConnectionState.CONNECTED, SyncMode.TWO_WAY),
    (True, ConnectionState.SOFT_DISCONNECTED, SyncMode.PAUSED),
    (False, ConnectionState.SOFT_DISCONNECTED, SyncMode.PAUSED),
    (True, ConnectionState.NONE, SyncMode.OFF),
    (False, ConnectionState.CONNECTED, SyncMode.OFF),
    (False, ConnectionState.NONE, SyncMode.OFF),
])
def test_sync_mode(sync_on, connection, expected):
    assert sync_mode(sync_on, connection) is expected


@pytest.mark.parametrize("connection", list(ConnectionState))
def test_changes_flow_now_only_in_two_way_mode_and_wait_only_when_paused_with_sync_on(connection):
    """two_way means intents are recorded and pushed; paused with sync on means they are recorded and kept."""
    assert (sync_mode(True, connection) is SyncMode.TWO_WAY) == (connection is ConnectionState.CONNECTED)
    if sync_mode(True, connection) is not SyncMode.OFF:
        assert records_sync_intent(True, connection)
