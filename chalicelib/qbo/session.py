"""HTTP session for python-quickbooks: timeouts, bearer token with refresh on 401, bounded jittered retries, and
the company's shared budget (qbo/budget.py) around every request it sends: the one place every QBO call passes."""
from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable
from urllib.parse import urlsplit

import requests

from .. import observability
from .auth import TokenManager
from .budget import BUDGETS, RealmBudgets
from .config import QboSettings
from .errors import QboAuthError, QboConnectionError, QboThrottledError, QboTransientError, QboUnavailableError


class QboSession:
    """Drop-in for `QuickBooks.session` (needs `.access_token` and `.request()`)."""

    def __init__(self, tokens: TokenManager, settings: QboSettings, http: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, budget: RealmBudgets = BUDGETS) -> None:
        self.tokens = tokens
        self.settings = settings
        self.http = http or requests.Session()
        self.sleep = sleep
        self.budget = budget
        self.stats: Counter = Counter()
        self._throttles = 0  # 429s in a row: the realm's pause grows with them, as our backoff does

    @property
    def access_token(self) -> str:
        """Current access token (python-quickbooks puts it in the Authorization header)."""
        return self.tokens.current().access_token

    def request(self, method: str, url: str, headers: dict | None = None, params: dict | None = None,
                data: Any = None, **kwargs: Any) -> requests.Response:
        """Send with retries on 429/5xx/connection errors; raises our Qbo*Error once the budget is spent."""
        from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

        retrying = Retrying(
            stop=stop_after_attempt(max(1, self.settings.max_attempts)),
            wait=wait_random_exponential(multiplier=self.settings.backoff_base, max=self.settings.backoff_max),
            retry=retry_if_exception_type(QboTransientError), reraise=True, sleep=self.sleep)
        return retrying(self._attempt, method, url, dict(headers or {}), params, data)

    def _attempt(self, method: str, url: str, headers: dict, params: dict | None, data: Any) -> requests.Response:
        conn = self.tokens.current()
        if self.tokens.expiring(conn):
            conn = self.tokens.refresh(conn.access_token)
        for refreshed in (False, True):
            headers["Authorization"] = "Bearer " + conn.access_token
            resp = self._send(conn.realm_id, method, url, headers, params, data)
            if resp.status_code == 401 and not refreshed:
                self.stats["auth_refreshes"] += 1
                conn = self.tokens.refresh(conn.access_token)
                continue
            break
        if resp.status_code == 401:
            raise QboAuthError("QBO refused a freshly refreshed token", 3200, resp.text, 401)
        if resp.status_code == 429:
            self.stats["throttled"] += 1
            observability.record_qbo_throttled()
            self._throttles += 1
            self.budget.throttled(conn.realm_id, min(self.settings.backoff_max,
                                                     self.settings.backoff_base * 2 ** (self._throttles - 1)))
            raise QboThrottledError("QBO throttled the request", 3001, resp.text, 429)
        self._throttles = 0
        if resp.status_code >= 500:
            self.stats["server_errors"] += 1
            raise QboUnavailableError(f"QBO answered {resp.status_code}", None, resp.text, resp.status_code)
        return resp

    def _send(self, realm_id: str, method: str, url: str, headers: dict, params: dict | None,
              data: Any) -> requests.Response:
        """One HTTP request, inside the company's budget (a cell and a slot: it may wait for them)."""
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        with self.budget.permit(realm_id, batch=urlsplit(url).path.rstrip("/").endswith("/batch"),
                                request_seconds=sum(timeout)):
            self.stats["requests"] += 1
            try:
                return self.http.request(method, url, headers=headers, params=params, data=data, timeout=timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                self.stats["connection_errors"] += 1
                raise QboConnectionError(f"{type(exc).__name__} talking to QBO") from exc
