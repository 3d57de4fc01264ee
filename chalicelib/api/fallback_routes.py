"""What answers a path we do not serve (404) and a method a path does not take (405), in the one error shape.

Without these, API Gateway answers an unknown path itself with a 403 whose message repeats the caller's whole
`Authorization` header, and Chalice an unknown method with a shape of its own. So every path we serve gets a view for
each method it does not take, and a greedy `/{proxy+}` route takes every other path (API Gateway prefers any more
specific resource; devstack/local_gateway.py gives Chalice's local gateway the same greedy match). No header, query
or body of the request is ever echoed.
"""
from __future__ import annotations

from typing import Callable

from chalice import Chalice, Response

from .responses import error_response

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
CATCH_ALL = "/{proxy+}"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


NOT_ALLOWED_PREFIX = "method_not_allowed_"
NOT_FOUND_NAMES = ("not_found", "root_not_found")


def is_fallback(view_name: str) -> bool:
    """A view of this module (no operation of the API: the OpenAPI document leaves it out)."""
    return view_name.startswith(NOT_ALLOWED_PREFIX) or view_name in NOT_FOUND_NAMES


def not_found(**_params: str) -> Response:
    response = error_response(404, "not_found", "no such route; see /openapi.json for the routes this API serves")
    response.headers.update(SECURITY_HEADERS)
    return response


def _method_not_allowed(allowed: list[str]) -> Callable[..., Response]:
    def view(**_params: str) -> Response:
        response = error_response(405, "method_not_allowed", "this path does not take that method",
                                  details={"allowed": allowed})
        response.headers.update({**SECURITY_HEADERS, "Allow": ", ".join(allowed)})
        return response

    return view


def add_fallback_routes(app: Chalice) -> None:
    """Call once every real route is registered: a 405 view per path for its other methods, then the 404 routes."""
    for number, (path, views) in enumerate(sorted(app.routes.items())):
        allowed = sorted(views)
        missing = [method for method in METHODS if method not in views]
        if missing:
            app.route(path, methods=missing, content_types=["*/*"],
                      name=f"{NOT_ALLOWED_PREFIX}{number}")(_method_not_allowed(allowed))
    if "/" not in app.routes:
        app.route("/", methods=list(METHODS), content_types=["*/*"], name=NOT_FOUND_NAMES[1])(not_found)
    app.route(CATCH_ALL, methods=list(METHODS), content_types=["*/*"], name=NOT_FOUND_NAMES[0])(not_found)
