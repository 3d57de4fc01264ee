"""What an account's QBO connection does (guide: one-way and two-way accounts; DESIGN §5 modes): which kinds of object
it pushes, whether it reads QBO back, and what the status panel calls it.

- one-way: connected with `qbo_credit_sync` off, the integration accounts had before credits: customers, invoices
  and tender payments go to QBO; credits, their uses and return memos stay here; nothing is read from QBO.
- two-way: connected with `qbo_credit_sync` on (staff switch it): everything, both ways.
- paused: softly disconnected: changes in scope are kept pending and flow on reconnecting to the same company.
- off: never connected, or hard-disconnected.
"""
from __future__ import annotations

from enum import Enum

from . import sync_kinds
from .sync import ConnectionState

ONE_WAY_KINDS = sync_kinds.ONE_WAY  # what one-way pushes (each kind says: domain.sync_kinds)
TWO_WAY_KINDS = sync_kinds.TWO_WAY


class SyncMode(str, Enum):
    """What the status panel says the sync is doing."""

    TWO_WAY = "two_way"  # connected, credit sync on: everything, both ways
    ONE_WAY = "one_way"  # connected, credit sync off: customers, invoices and payments pushed, nothing read
    PAUSED = "paused"  # softly disconnected: changes are kept pending and flow again on reconnecting
    OFF = "off"  # no connection (never connected, or hard-disconnected)


def sync_mode(qbo_credit_sync: bool, connection: ConnectionState) -> SyncMode:
    """Derived from the switch and the connection, never stored."""
    if connection is ConnectionState.SOFT_DISCONNECTED:
        return SyncMode.PAUSED
    if connection is ConnectionState.CONNECTED:
        return SyncMode.TWO_WAY if qbo_credit_sync else SyncMode.ONE_WAY
    return SyncMode.OFF


def synced_kinds(qbo_credit_sync: bool, connection: ConnectionState) -> frozenset[str]:
    """The kinds whose changes are marked for QBO: those the mode pushes, kept while softly disconnected (they flow
    on reconnecting), none without a connection."""
    if connection is ConnectionState.NONE:
        return frozenset()
    return TWO_WAY_KINDS if qbo_credit_sync else ONE_WAY_KINDS


def pushes_now(connection: ConnectionState) -> bool:
    """The workers push an account's pending changes (of the kinds its mode pushes) only while it is connected."""
    return connection is ConnectionState.CONNECTED


def reads_qbo(qbo_credit_sync: bool, connection: ConnectionState) -> bool:
    """Only two-way reads QBO back (webhooks, CDC, imports, drift); one-way never does."""
    return sync_mode(qbo_credit_sync, connection) is SyncMode.TWO_WAY
