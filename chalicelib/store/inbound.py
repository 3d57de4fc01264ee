"""Inbound sync items: which QBO document became which object here (QBMAP), and drift on documents we own."""
from __future__ import annotations

from .models import DriftItem, QboMapItem, account_pk
from .repository import ItemRepository
from .tables import bind


def map_id(entity: str, qbo_id: str) -> str:
    """The QBMAP key of one QBO document: `QBMAP#<Entity>#<qbo id>`."""
    return f"{entity}#{qbo_id}"


class QboMaps(ItemRepository):
    """Written with attribute_not_exists in the import's own transaction: each document is imported once."""

    model, prefix, noun = QboMapItem, "QBMAP", "qbo mapping"


class Drifts(ItemRepository):
    """One item per object we own whose QBO document the accountant changed (latest values win)."""

    model, prefix, noun = DriftItem, "DRIFT", "drift"


def mapped(account_id: str, entity: str) -> list[QboMapItem]:
    """Every document of one QBO entity imported into the account (a full re-sync finds which vanished)."""
    bind()
    return list(QboMapItem.query(account_pk(account_id), QboMapItem.sk.startswith(f"QBMAP#{entity}#")))


def all_mapped(account_id: str) -> list[QboMapItem]:
    """Every QBO document mapped to an object of the account (imported, linked, or ours by its echo)."""
    bind()
    return list(QboMapItem.query(account_pk(account_id), QboMapItem.sk.startswith("QBMAP#"), consistent_read=True))


def drifts(account_id: str) -> list[DriftItem]:
    """Drift recorded for the account (status panel, parity)."""
    bind()
    return list(DriftItem.query(account_pk(account_id), DriftItem.sk.startswith("DRIFT#")))


def forget_drift(account_id: str, kind: str, object_id: str) -> None:
    """Drop the drift recorded for one object (a repair pushed ours over the accountant's change)."""
    bind()
    DriftItem(account_pk(account_id), f"DRIFT#{kind}#{object_id}").delete()
