"""The one way routes are declared: auth, body/query parsing, idempotency, errors, OpenAPI registry."""
from __future__ import annotations

import json
import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from .. import observability
from ..domain.errors import DomainError, InvalidInput
from ..domain.errors import NotFound as NotFoundError
from ..domain.permissions import Principal
from ..domain.settings import AccountSettings
from ..store.uow import APPLIED_KEY, Contention
from .auth import authenticate
from .errors import UnsupportedMediaType, throttled
from .idempotency import run_once
from .responses import domain_error_response, error_response
from .visibility import shown_to

logger = logging.getLogger(__name__)
MUTATING = {"POST", "PATCH", "PUT", "DELETE"}
PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
JSON_MEDIA_TYPE = "application/json"
# Chalice's own 415 has another shape: every route accepts any type, and require_media_type refuses
ROUTE_CONTENT_TYPES = ["*/*"]
# On every answer of a route: no MIME sniffing of our JSON/CSV, and no cache (shared or browser) keeps account data.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Call:
    """What a route handler receives (a public route has no principal, and reads its raw body itself)."""

    principal: Principal | None
    settings: AccountSettings | None
    body: Any
    query: Any
    params: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes = b""


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    extra_responses: dict[str, Any] = field(default_factory=dict)
    public: bool = False  # no bearer token (the OpenAPI document lists no security for it)
    module: str = ""  # the route module that declares it, and its view's name (chalicelib/api/route_table.py)
    view_name: str = ""
    description: str = ""  # for /openapi.json and /docs: what it does, who may call it, its errors, in Markdown
    example: Any = None  # one example: the request body where the route takes one, else the success answer


ROUTES: list[RouteSpec] = []
VIEWS: dict[tuple[str, str], Callable[..., Response]] = {}  # (method, path) -> the view Chalice calls
ANONYMOUS = Principal("", "", frozenset())  # the caller of a public route, before it authenticates itself
_REQUEST: ContextVar[Request | None] = ContextVar("request", default=None)


def remember_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """HTTP middleware: keep this call's request where only this thread sees it, with its log keys and metrics.

    Chalice stores the request on the shared app object, so under a threaded local server or test client one
    call could read another's; Lambda runs one request per process, but local concurrency tests must be real.
    Every log line of the request carries its request_id and correlation_id (and account_id once authenticated);
    one line per request says what was answered, and the metrics it counted are flushed when it ends.
    """
    token = _REQUEST.set(request)
    started = time.perf_counter()
    try:
        with observability.invocation(**observability.request_keys(request)):
            response = get_response(request)
            logger.info("%s %s answered %s", request.method, request.path,
                        response.status_code, extra={"status": response.status_code,
                                                     "duration_ms": round((time.perf_counter() - started) * 1000)})
            return response
    finally:
        _REQUEST.reset(token)


def current_request() -> Request | None:
    """This thread's request (see remember_request), for views declared outside endpoint()."""
    return _REQUEST.get()


class BadRequest(InvalidInput):
    """The request could not be read (body, query): a 400 before any use case runs."""


def require_media_type(content_type: str | None, accepted: tuple[str, ...] = (JSON_MEDIA_TYPE,)) -> None:
    """Bodies are JSON (or another of `accepted`); Chalice's own 415 has another shape, so routes accept any type and
    we refuse it here."""
    media_type = (content_type or accepted[0]).split(";", 1)[0].strip().lower()
    if media_type not in accepted:
        raise UnsupportedMediaType(f"send the body as {' or '.join(accepted)}",
                                   details={"content_type": (content_type or "")[:100], "expected": accepted[0]})


def _secured(response: Response) -> Response:
    response.headers = {**(response.headers or {}), **SECURITY_HEADERS}
    return response


def _field_errors(error: ValidationError) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in error.errors()}


def _parse_body(raw: bytes | None, model: type[BaseModel] | None) -> Any:
    if model is None:
        return None
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadRequest("the body has invalid fields", details={"fields": _field_errors(error)}) from None


def _parse_query(params: dict[str, str] | None, model: type[BaseModel] | None) -> Any:
    if model is None:
        return None
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as error:
        raise BadRequest("the query has invalid parameters", details={"fields": _field_errors(error)}) from None


def _check_path_ids(params: dict[str, str]) -> None:
    """Ids we hand out are short and alphanumeric; anything else names nothing (and must not reach DynamoDB)."""
    for name, value in params.items():
        if not PATH_ID.fullmatch(value or ""):
            raise NotFoundError(f"no such {name.removesuffix('_id').replace('_', ' ')}", details={name: value[:100]})


def endpoint(bp: Blueprint, path: str, method: str, *, summary: str, body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None, status: int = 200,
             account_optional: bool = False, public: bool = False, raw_body: bool = False,
             description: str = "", example: Any = None) -> Callable:
    """Declare a JSON route; the handler takes a Call and returns a payload, or a chalice Response.

    `description` (Markdown: what it does, **Who:** may call it, **Errors:** with their codes) and `example` (the
    request body where the route takes one, else a success answer) are what /openapi.json and /docs show.

    `public`: no bearer token (QBO's webhook, authenticated by its signature; the OAuth callback, by its signed
    state): the handler authenticates the request itself and gets an anonymous principal. No Idempotency-Key either,
    since there is no caller to scope it to. `raw_body`: the handler reads `call.raw_body` and checks its media type
    itself (the webhook checks its signature first).
    """

    def decorate(handler: Callable[[Call], Any]) -> Callable:
        spec = RouteSpec(path, method, summary, body, query, response, status, public=public,
                         module=handler.__module__, view_name=handler.__name__, description=description,
                         example=example)
        ROUTES.append(spec)
        route = _Route(spec, handler, account_optional=account_optional, raw_body=raw_body)

        @bp.route(path, methods=[method], content_types=ROUTE_CONTENT_TYPES, name=handler.__name__)
        def view(**params: str) -> Response:
            return _secured(route.answer(_REQUEST.get() or bp.current_request, params))

        VIEWS[(method, path)] = view
        return view

    return decorate


@dataclass(frozen=True)
class _Route:
    """One declared route at work: read the request into a Call, run the handler (once per Idempotency-Key), shape
    the answer; any error is the one error shape, never a bare 500 page."""

    spec: RouteSpec
    handler: Callable[[Call], Any]
    account_optional: bool = False
    raw_body: bool = False

    def answer(self, request: Request, params: dict[str, str]) -> Response:
        try:
            call = self._call(request, params)
            key = call.headers.get("idempotency-key")
            if key and self.spec.method in MUTATING and not self.spec.public:
                fingerprint = {"method": self.spec.method, "params": params,
                               "path": request.context.get("resourcePath", self.spec.path),
                               "body": call.body.model_dump(mode="json") if call.body else None}
                principal = call.principal
                outcome = run_once(principal.account_id or principal.user_id, principal.user_id, key, fingerprint,
                                   lambda applied_key=None: self._respond(call, applied_key), request.lambda_context)
            else:
                outcome = self._respond(call)
            return Response(body=outcome["body"], status_code=outcome["status"],
                            headers=outcome.get("headers") or {"Content-Type": "application/json"})
        except DomainError as error:
            return domain_error_response(error)
        except Exception as error:  # noqa: BLE001 - the one place that turns a bug into a clean 500
            return self._unexpected(error)

    def _call(self, request: Request, params: dict[str, str]) -> Call:
        """Authenticate (unless public), check path ids and the media type, parse body and query."""
        spec = self.spec
        headers = {k.lower(): v for k, v in (request.headers or {}).items()}
        caller = None if spec.public else authenticate(headers.get("authorization"),
                                                       account_optional=self.account_optional)
        if caller is not None:
            observability.log_keys(account_id=caller.principal.account_id or None, user_id=caller.principal.user_id)
        _check_path_ids(params)
        if spec.method in MUTATING and not self.raw_body:
            require_media_type(headers.get("content-type"))
        parsed_body = _parse_body(request.raw_body, spec.body) if spec.method in MUTATING else None
        return Call(caller.principal if caller else ANONYMOUS, caller.settings if caller else None, parsed_body,
                    _parse_query(request.query_params, spec.query), params, headers, request.raw_body or b"")

    def _respond(self, call: Call, applied_key: str | None = None) -> dict:
        """The handler's answer as {status, body, headers}; a domain refusal is an answer too (and is stored
        with its key like any other), a lost race is not (it is raised, so the key can be tried again)."""
        marker = APPLIED_KEY.set(applied_key)
        try:
            result = self.handler(call)
        except Contention:
            raise
        except DomainError as error:
            response = domain_error_response(error)
            return {"status": response.status_code, "body": response.body, "headers": response.headers}
        finally:
            APPLIED_KEY.reset(marker)
        if isinstance(result, Response):
            return {"status": result.status_code, "body": result.body, "headers": result.headers}
        return {"status": self.spec.status,
                "body": json.dumps(shown_to(call.principal, result), separators=(",", ":"))}

    def _unexpected(self, error: Exception) -> Response:
        busy = throttled(error)
        if busy is not None:
            logger.warning("DynamoDB throttled %s %s", self.spec.method, self.spec.path, exc_info=True)
            return domain_error_response(busy)
        logger.exception("unhandled error on %s %s", self.spec.method, self.spec.path)
        return error_response(500, "internal_error", "something went wrong on our side")
