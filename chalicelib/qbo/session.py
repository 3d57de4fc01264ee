"""HTTP session for python-quickbooks: timeouts, bearer token with refresh on 401, bounded jittered retries."""
from __future__ import annotations

import time
from collections import Counter
from typing import Any, Callable

import requests

from .. import observability
from .auth import TokenManager
from .config import QboSettings
from .errors import QboAuthError, QboConnectionError, QboThrottledError, QboTransientError, QboUnavailableError


class QboSession:
    """Drop-in for `QuickBooks.session` (needs `.access_token` and `.request()`)."""

    def __init__(self, tokens: TokenManager, settings: QboSettings, http: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.tokens = tokens
        self.settings = settings
        self.http = http or requests.Session()
        self.sleep = sleep
        self.stats: Counter = Counter()

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
            self.stats["requests"] += 1
            try:
                resp = self.http.request(method, url, headers=headers, params=params, data=data,
                                         timeout=(self.settings.connect_timeout, self.settings.read_timeout))
            except (requests.ConnectionError, requests.Timeout) as exc:
                self.stats["connection_errors"] += 1
                raise QboConnectionError(f"{type(exc).__name__} talking to QBO") from exc
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
            raise QboThrottledError("QBO throttled the request", 3001, resp.text, 429)
        if resp.status_code >= 500:
            self.stats["server_errors"] += 1
            raise QboUnavailableError(f"QBO answered {resp.status_code}", None, resp.text, resp.status_code)
        return resp
