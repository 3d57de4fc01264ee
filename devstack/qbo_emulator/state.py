"""Emulator state: companies (realms) with their books, clocks, limits, faults and replay caches."""
from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field

from .books import Books
from .clock import Clock, iso
from .limits import FaultPlan, RateLimiter
from .oauth import OAuthRegistry
from .starter import DEFAULT_COMPANY_NAME
from .webhooks import WebhookDispatcher


@dataclass
class Company:
    """One QBO company and everything the emulator tracks about it."""

    realm_id: str
    client_id: str
    company_name: str = DEFAULT_COMPANY_NAME
    clock: Clock = field(default_factory=Clock)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    faults: FaultPlan = field(default_factory=FaultPlan)
    replay: dict = field(default_factory=dict)
    stats: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    books: Books = field(init=False)

    def __post_init__(self) -> None:
        self.books = Books(self.clock, self.company_name)


class EmulatorState:
    """Everything the HTTP layer serves; safe to use from many handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.companies: dict[str, Company] = {}
        self.oauth = OAuthRegistry(self._realm_time)
        self.webhooks = WebhookDispatcher()
        self.base_url = ""

    def _realm_time(self, realm_id: str) -> float:
        company = self.companies.get(realm_id)
        return company.clock.timestamp() if company else Clock().timestamp()

    def reset(self) -> None:
        """Forget every company, client, token and webhook setting."""
        with self._lock:
            self.companies.clear()
            self.oauth = OAuthRegistry(self._realm_time)
            self.webhooks = WebhookDispatcher()

    def create_company(self, client_id: str | None = None, client_secret: str | None = None,
                       realm_id: str | None = None, redirect_uri: str | None = None,
                       company_name: str | None = None) -> dict:
        """New realm connected to an (existing or new) OAuth client, with a first token pair; `company_name` is
        its CompanyInfo.CompanyName."""
        client = self.oauth.add_client(client_id, client_secret, redirect_uri)
        with self._lock:
            realm_id = realm_id or str(9130000000000000 + secrets.randbelow(10 ** 12))
            if realm_id in self.companies:
                raise ValueError(f"realm {realm_id} exists")
            self.companies[realm_id] = Company(realm_id, client["client_id"], company_name or DEFAULT_COMPANY_NAME)
        tokens = self.oauth.issue(client["client_id"], realm_id)
        return {"realm_id": realm_id, **client, **tokens,
                "auth_code": self.oauth.new_code(client["client_id"], realm_id),
                "discovery_url": self.discovery_url, "api_base": self.base_url + "/v3"}

    @property
    def discovery_url(self) -> str:
        """URL of the OpenID discovery document (pass as AuthClient `environment`)."""
        return self.base_url + "/.well-known/openid_configuration"

    def record_change(self, company: Company, entity: str, obj_id: str, operation: str, from_api: bool) -> None:
        """Turn a committed change into a webhook event."""
        self.webhooks.notify(company.client_id, {
            "realm": company.realm_id, "entity": entity, "id": obj_id, "operation": operation,
            "time": iso(company.clock.now())}, from_api=from_api)
