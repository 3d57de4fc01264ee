"""The one HTTP client of the ops CLI: JSON (or CSV) over the service's API with a staff bearer token.

POSTs carry a fresh Idempotency-Key, so the adapter's retries of a dropped connection or a 502/503/504 never have a
second effect. Neither the token nor the secret it was minted with ever appears in what this module raises."""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import ConfigError, ServiceError, Unreachable

TIMEOUT = (5.0, 60.0)  # connect, read (a re-sync start counts the account's items before answering)
STAFF_TOKEN_TTL_SECONDS = 15 * 60


class StaffToken:
    """A staff token for one account, minted with the stage's JWT secret (chalicelib/login_tokens.py, never the API's
    modules) and minted again before it expires (a watched job can outlive one token)."""

    def __init__(self, user_id: str, account_id: str, *, ttl_seconds: int = STAFF_TOKEN_TTL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.user_id, self.account_id, self.ttl, self.clock = user_id, account_id, ttl_seconds, clock
        self._token, self._expires = "", 0.0
        self()  # a missing secret is a usage error now, not in the middle of a command

    def __call__(self) -> str:
        now = self.clock()
        if now > self._expires - self.ttl / 3:
            from .. import config
            from ..login_tokens import issue_token

            try:
                self._token = issue_token(self.user_id, self.account_id, staff=True, ttl_seconds=self.ttl, now=int(now))
            except config.MissingSecret:
                raise ConfigError("set JWT_SECRET to the stage's JWT secret, or pass a staff token (--token or "
                                  "CREDITS_TOKEN); for the local stack (make run) set LOCAL_DEV=1") from None
            self._expires = now + self.ttl
        return self._token


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


class ApiClient:
    """`get` / `post` a path of the API under `base_url`; an error answer raises ServiceError with the service's code."""

    def __init__(self, base_url: str, token: Callable[[], str], *, retries: int = 2,
                 session: requests.Session | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"the API URL must start with http:// or https:// (got {base_url!r})")
        self.base_url, self.token = base_url.rstrip("/"), token
        self.session = session or requests.Session()
        retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=0.3,
                      status_forcelist=(502, 503, 504), allowed_methods=None, raise_on_status=False)
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=retry))

    def get(self, path: str, *, accept: str = "application/json") -> Answer:
        return self._call("GET", path, None, accept)

    def post(self, path: str, body: dict | None = None) -> Answer:
        return self._call("POST", path, {} if body is None else body, "application/json")

    def patch(self, path: str, body: dict) -> Answer:
        return self._call("PATCH", path, body, "application/json")

    def _call(self, method: str, path: str, body: dict | None, accept: str) -> Answer:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": accept, "User-Agent": "credits-ops"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = f"ops-{uuid.uuid4().hex}"
            data = json.dumps(body)
        url = self.base_url + path
        try:
            response = self.session.request(method, url, data=data, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise Unreachable(f"{method} {url}: no answer ({type(error).__name__})",
                              details={"url": url}) from None
        answer = Answer(response.status_code, response.content, response.headers.get("Content-Type", ""))
        if response.status_code >= 400:
            raise _service_error(method, url, answer)
        return answer


def _service_error(method: str, url: str, answer: Answer) -> ServiceError:
    """The service's error shape, or (a gateway's page, a proxy) the status with a short excerpt of the body."""
    try:
        error = answer.json()["error"]
        return ServiceError(answer.status, str(error["code"]), str(error.get("message", "")),
                            error.get("details") or {})
    except (ValueError, KeyError, TypeError):
        excerpt = answer.body[:200].decode("utf-8", "replace")
        return ServiceError(answer.status, f"http_{answer.status}", f"{method} {url} answered {excerpt!r}")
