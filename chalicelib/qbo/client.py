"""QboClient: typed raw-JSON operations over python-quickbooks, plus the factory that builds it for an account."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from ..ports.tokens import TokenStore
from .auth import TokenManager, utcnow
from .config import QboSettings
from .errors import QboStaleObjectError, from_library
from .money import dumps
from .requestids import make_request_id
from .session import QboSession


class QboClient:
    """One account's QBO company; every method raises our Qbo*Error classes."""

    def __init__(self, qb: Any, session: QboSession, realm_id: str) -> None:
        self.qb = qb
        self.session = session
        self.realm_id = realm_id

    def _url(self, path: str) -> str:
        return f"{self.qb.api_url}/company/{self.realm_id}/{path}"

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if type(exc).__module__.startswith("quickbooks"):
                raise from_library(exc) from exc
            raise

    def post(self, path: str, body: Any, params: dict | None = None, request_id: str | None = None,
             content_type: str = "application/json") -> dict:
        """POST raw JSON (Decimals as numbers) and return the parsed answer (amounts as Decimal)."""
        text = body if isinstance(body, str) else dumps(body)
        return self._call(self.qb.post, self._url(path), text, params=dict(params or {}),
                          request_id=request_id, content_type=content_type)

    def create(self, entity: str, body: dict, request_id: str) -> dict:
        """Create an object; the requestid makes a retry after a lost answer replay, not duplicate."""
        return self.post(entity.lower(), body, request_id=request_id)[entity]

    def read(self, entity: str, obj_id: str) -> dict:
        """Read one object."""
        return self._call(self.qb.get, self._url(f"{entity.lower()}/{obj_id}"), params={})[entity]

    def update(self, entity: str, body: dict, request_id: str) -> dict:
        """Full update (body must carry Id and the current SyncToken)."""
        return self.post(entity.lower(), body, request_id=request_id)[entity]

    def sparse_update(self, entity: str, obj_id: str, sync_token: str, fields: dict, request_id: str) -> dict:
        """True sparse update: only `fields` are sent (the library would send every attribute)."""
        body = {**fields, "Id": obj_id, "SyncToken": str(sync_token), "sparse": True}
        return self.post(entity.lower(), body, request_id=request_id)[entity]

    def delete(self, entity: str, obj_id: str, sync_token: str, request_id: str) -> dict:
        """Delete an object."""
        return self.post(entity.lower(), {"Id": obj_id, "SyncToken": str(sync_token)},
                         params={"operation": "delete"}, request_id=request_id)[entity]

    def void_payment(self, obj_id: str, sync_token: str, request_id: str) -> dict:
        """Void a Payment (amounts go to 0; linked invoices and memos get their balance back)."""
        return self.post("payment", {"Id": obj_id, "SyncToken": str(sync_token), "sparse": True},
                         params={"operation": "update", "include": "void"}, request_id=request_id)["Payment"]

    def void_invoice(self, obj_id: str, sync_token: str, request_id: str) -> dict:
        """Void an Invoice."""
        return self.post("invoice", {"Id": obj_id, "SyncToken": str(sync_token)},
                         params={"operation": "void"}, request_id=request_id)["Invoice"]

    def query(self, text: str) -> list[dict]:
        """Run one query page and return its rows."""
        answer = self.post("query", text, content_type="application/text")["QueryResponse"]
        entity = next((k for k, v in answer.items() if isinstance(v, list)), None)
        return answer[entity] if entity else []

    def query_all(self, entity: str, where: str = "", page_size: int = 1000) -> list[dict]:
        """All rows of a query, paging with STARTPOSITION/MAXRESULTS."""
        rows: list[dict] = []
        clause = f" WHERE {where}" if where else ""
        while True:
            page = self.query(f"SELECT * FROM {entity}{clause} ORDERBY Id STARTPOSITION {len(rows) + 1} "
                              f"MAXRESULTS {page_size}")
            rows.extend(page)
            if len(page) < page_size:
                return rows

    def count(self, entity: str, where: str = "") -> int:
        """SELECT count(*)."""
        clause = f" WHERE {where}" if where else ""
        answer = self.post("query", f"SELECT count(*) FROM {entity}{clause}", content_type="application/text")
        return int(answer["QueryResponse"].get("totalCount", 0))

    def cdc(self, entities: list[str], changed_since: datetime) -> dict[str, list[dict]]:
        """Changed (and deleted, status "Deleted") objects per entity since a time (30-day lookback)."""
        since = changed_since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        answer = self._call(self.qb.get, self._url("cdc"),
                            params={"entities": ",".join(entities), "changedSince": since})
        out: dict[str, list[dict]] = {e: [] for e in entities}
        for block in answer["CDCResponse"][0]["QueryResponse"]:
            for key, value in block.items():
                if isinstance(value, list):
                    out.setdefault(key, []).extend(value)
        return out

    def update_fresh(self, entity: str, obj_id: str, change: Callable[[dict], dict], request_key: str,
                     attempts: int = 3) -> dict:
        """Sparse-update from a fresh read; on a stale SyncToken re-read and apply `change` again."""
        for attempt in range(attempts):
            current = self.read(entity, obj_id)
            fields = change(current)
            request_id = make_request_id("update", entity, obj_id, current["SyncToken"], request_key)
            try:
                return self.sparse_update(entity, obj_id, current["SyncToken"], fields, request_id)
            except QboStaleObjectError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")


def build_client(account_id: str, *, settings: QboSettings | None = None, store: TokenStore | None = None,
                 now: Callable[[], datetime] = utcnow, http: Any = None, tokens: TokenManager | None = None) -> QboClient:
    """QboClient for an account from its stored tokens, against production, sandbox or an emulator."""
    from quickbooks import QuickBooks

    settings = settings or QboSettings.from_env()
    if store is None:
        from ..ports.tokens import token_store

        store = token_store()
    tokens = tokens or TokenManager(account_id, store, settings, now=now)
    conn = tokens.current()
    session = QboSession(tokens, settings, http=http)
    qb = QuickBooks(company_id=conn.realm_id, minorversion=settings.minorversion, use_decimal=True)
    qb.sandbox = False
    qb.api_url_v3 = settings.api_base
    qb.session = session
    return QboClient(qb, session, conn.realm_id)
