"""The QBO company port: what the sync use cases call on one account's company (raw JSON documents, amounts as
Decimal), so their signatures say what they use. chalicelib/qbo/client.py's QboClient (python-quickbooks underneath)
implements it; the use cases build one per account through a ClientFactory (its default: `qbo.client.build_client`,
imported only when a push or read really happens)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Callable, Protocol


class QboSessionStats(Protocol):
    """The client's HTTP session, as far as the use cases look at it: its counters (requests made, refreshes)."""

    stats: Counter


class QboApi(Protocol):
    """One account's QBO company."""

    realm_id: str
    session: QboSessionStats

    def post(self, path: str, body: Any, params: dict | None = None, request_id: str | None = None,
             content_type: str = "application/json") -> dict: ...

    def create(self, entity: str, body: dict, request_id: str) -> dict: ...

    def read(self, entity: str, obj_id: str) -> dict: ...

    def update(self, entity: str, body: dict, request_id: str) -> dict: ...

    def sparse_update(self, entity: str, obj_id: str, sync_token: str, fields: dict, request_id: str) -> dict: ...

    def delete(self, entity: str, obj_id: str, sync_token: str, request_id: str) -> dict: ...

    def void_payment(self, obj_id: str, sync_token: str, request_id: str) -> dict: ...

    def void_invoice(self, obj_id: str, sync_token: str, request_id: str) -> dict: ...

    def query(self, text: str) -> list[dict]: ...

    def query_all(self, entity: str, where: str = "", page_size: int = 1000) -> list[dict]: ...

    def count(self, entity: str, where: str = "") -> int: ...

    def cdc(self, entities: list[str], changed_since: datetime) -> dict[str, list[dict]]: ...

    def update_fresh(self, entity: str, obj_id: str, change: Callable[[dict], dict], request_key: str,
                     attempts: int = 3) -> dict: ...


ClientFactory = Callable[[str], QboApi]  # account id → its company's client
