"""OpenAPI 3.1 document built from the route registry and the same pydantic models the routes validate with."""
from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from .routing import ROUTES
from .wire.errors import ErrorOut

_ERRORS = {"400": "bad input", "401": "missing or invalid token", "403": "not allowed", "404": "not found",
           "409": "state conflict", "422": "Idempotency-Key reused with another request"}


def build_document() -> dict[str, Any]:
    models = {m for r in ROUTES for m in (r.body, r.response) if m is not None} | {ErrorOut}
    refs, schema = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                      ref_template="#/components/schemas/{model}")
    paths: dict[str, dict] = {}
    for route in ROUTES:
        op: dict[str, Any] = {"summary": route.summary, "operationId": f"{route.method.lower()}{route.path}",
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
        if route.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": refs[(route.body, "validation")]}}}
        ok: dict[str, Any] = {"description": "success"}
        if route.response is not None:
            ok["content"] = {"application/json": {"schema": refs[(route.response, "validation")]}}
        op["responses"][str(route.status)] = ok
        for status, text in _ERRORS.items():
            op["responses"][status] = {"description": text, "content": {"application/json": {
                "schema": refs[(ErrorOut, "validation")]}}}
        paths.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Customer credits service", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schema.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
