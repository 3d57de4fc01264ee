"""Signed webhook delivery (legacy eventNotifications or CloudEvents) with delay, batching and duplicates."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass

_PAST = {"Create": "created", "Update": "updated", "Delete": "deleted", "Void": "voided",
         "Merge": "merged", "Emailed": "emailed"}


@dataclass
class WebhookConfig:
    """Where and how to deliver one OAuth client's notifications."""

    url: str | None = None
    verifier: str = "verifier-token"
    format: str = "legacy"  # or "cloudevents"
    delay_s: float = 0.0
    batch_size: int = 1
    duplicate: bool = False
    include_api_changes: bool = True  # real QBO notifies changes made through the API too (the app's own echoes)


def sign(verifier: str, body: bytes) -> str:
    """intuit-signature header value."""
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()


def build_body(fmt: str, events: list[dict]) -> bytes:
    """Serialize events (realm, entity, id, operation, time) in the chosen format."""
    if fmt == "cloudevents":
        payload: object = [{
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": "intuit.qbo.emulator",
            "type": f"qbo.{e['entity'].lower()}.{_PAST.get(e['operation'], e['operation'].lower())}.v1",
            "datacontenttype": "application/json", "time": e["time"],
            "intuitentityid": e["id"], "intuitaccountid": e["realm"], "data": {},
        } for e in events]
    else:
        by_realm: dict[str, list[dict]] = defaultdict(list)
        for e in events:
            by_realm[e["realm"]].append({"name": e["entity"], "id": e["id"], "operation": e["operation"],
                                         "lastUpdated": e["time"]})
        payload = {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": ents}}
                                          for realm, ents in by_realm.items()]}
    return json.dumps(payload).encode()


class WebhookDispatcher:
    """Queues change events per OAuth client and POSTs them to the configured URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.configs: dict[str, WebhookConfig] = {}
        self._pending: dict[str, list[dict]] = defaultdict(list)
        self.delivered: list[dict] = []

    def configure(self, client_id: str, changes: dict) -> WebhookConfig:
        """Create or change a client's webhook settings."""
        with self._lock:
            cfg = self.configs.setdefault(client_id, WebhookConfig())
            for key, value in changes.items():
                if not hasattr(cfg, key):
                    raise ValueError(f"unknown webhook setting {key}")
                setattr(cfg, key, value)
            return cfg

    def notify(self, client_id: str, event: dict, from_api: bool) -> None:
        """Record a change; deliver once a batch is full."""
        with self._lock:
            cfg = self.configs.get(client_id)
            if cfg is None or not cfg.url or (from_api and not cfg.include_api_changes):
                return
            self._pending[client_id].append(event)
            if len(self._pending[client_id]) < max(1, cfg.batch_size):
                return
            events, self._pending[client_id] = self._pending[client_id], []
        self._schedule(cfg, events)

    def flush(self, client_id: str | None = None) -> int:
        """Deliver pending (partial) batches now; returns how many deliveries were scheduled."""
        with self._lock:
            keys = [client_id] if client_id else list(self._pending)
            work = [(self.configs[k], self._pending.pop(k)) for k in keys if self._pending.get(k)]
        for cfg, events in work:
            self._schedule(cfg, events)
        return len(work)

    def _schedule(self, cfg: WebhookConfig, events: list[dict]) -> None:
        body = build_body(cfg.format, events)
        copies = 2 if cfg.duplicate else 1
        timer = threading.Timer(cfg.delay_s, self._deliver, args=(cfg.url, cfg.verifier, body, copies))
        timer.daemon = True
        timer.start()

    def _deliver(self, url: str, verifier: str, body: bytes, copies: int) -> None:
        for _ in range(copies):
            req = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", "intuit-signature": sign(verifier, body)})
            status = None
            try:
                with urllib.request.urlopen(req, timeout=5) as resp:
                    status = resp.status
            except Exception as exc:  # delivery is best effort, like the real thing
                status = repr(exc)
            with self._lock:
                self.delivered.append({"url": url, "status": status, "bytes": len(body)})
