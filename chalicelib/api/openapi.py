"""OpenAPI 3.1 document built from the route registry and the same pydantic models the routes validate with."""
from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from .routing import ROUTES
from .wire.errors import ErrorOut

# The groups /docs shows, by route module (chalicelib/api/routes_<name>.py).
TAGS = {"routes_accounts": "Accounts, settings, roles", "routes_customers": "Customers",
        "routes_credits": "Credits", "routes_credit_reads": "Credit reports and previews",
        "routes_sales": "Sales orders, invoices, payments", "routes_returns": "Returns",
        "routes_qbo_status": "QuickBooks: status and retry", "routes_qbo_connection": "QuickBooks: connection and jobs",
        "routes_qbo_parity": "QuickBooks: parity", "routes_qbo_webhook": "QuickBooks: webhook"}
INTRO = """The accounts-receivable credits module of a B2B wholesale ERP, with two-way QuickBooks Online sync.

**Auth.** `Authorization: Bearer <JWT>` (HS256; claims `sub`, `account_id`, optional `staff: true` for vendor
teammates). Under `make run` the banner prints a token per demo user: click *Authorize* and paste one. Permissions come
from the user's role: `view_credits`, `create_credits`, `edit_credits`, `delete_credits`, `receive_payments`,
`manage_sales`, `manage_roles`, `manage_integration`.

**Money** is a string with two decimals (`"120.00"`), never a number.

**Errors** always look like `{"error": {"code", "message", "details"}}`. Besides each route's own, any route may
answer: 401 `unauthenticated` (no, expired or invalid token), 403 `unknown_account` / `not_a_member`, 404 `not_found`
(also another account's object), 429/503 `throttled` (retry shortly), 409 `contention` (the objects kept changing:
retry). Every POST/PATCH/PUT/DELETE takes an optional `Idempotency-Key`: a replay answers the first response, the same
key with another request is 422 `idempotency_key_reused`, a key still running is 409 `idempotency_in_progress`, one
whose effect committed but whose answer was lost is 409 `idempotency_key_already_applied`; a body that is not JSON is
415 `unsupported_media_type`; unreadable fields are 400 `invalid_request` with the fields in `details`."""

_ERRORS = {"400": "bad input", "401": "missing or invalid token", "403": "not allowed", "404": "not found",
           "409": "state conflict", "422": "Idempotency-Key reused with another request"}


def build_document() -> dict[str, Any]:
    models = {m for r in ROUTES for m in (r.body, r.response) if m is not None} | {ErrorOut}
    refs, schema = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                      ref_template="#/components/schemas/{model}")
    paths: dict[str, dict] = {}
    for route in ROUTES:
        op: dict[str, Any] = {"summary": route.summary, "description": route.description,
                              "operationId": f"{route.method.lower()}{route.path}",
                              "tags": [TAGS.get(route.module.rsplit(".", 1)[-1], "Other")],
                              "security": [] if route.public else [{"bearer": []}], "responses": {}}
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in route.path.split("/") if p.startswith("{")]
        if route.query is not None:
            query_schema = route.query.model_json_schema()
            params += [{"name": name, "in": "query", "required": name in query_schema.get("required", []),
                        "schema": prop} for name, prop in query_schema["properties"].items()]
        if route.method in ("POST", "PATCH", "PUT", "DELETE") and not route.public:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "maxLength": 255}})
        if params:
            op["parameters"] = params
        example = {} if route.example is None else {"example": route.example}
        shows_body = route.body is not None and bool(route.body.model_fields)  # else the example is the answer
        if route.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": refs[(route.body, "validation")], **(example if shows_body else {})}}}
        ok: dict[str, Any] = {"description": "success"}
        answer_example = {} if shows_body else example
        if route.response is not None:
            ok["content"] = {"application/json": {"schema": refs[(route.response, "validation")], **answer_example}}
        elif answer_example:
            ok["content"] = {"application/json": {"schema": {"type": "object"}, **answer_example}}
        op["responses"][str(route.status)] = ok
        for status, text in _ERRORS.items():
            op["responses"][status] = {"description": text, "content": {"application/json": {
                "schema": refs[(ErrorOut, "validation")]}}}
        paths.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Customer credits service", "version": "1.0.0", "description": INTRO},
        "tags": [{"name": name} for name in TAGS.values()],
        "paths": paths,
        "components": {"schemas": schema.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
