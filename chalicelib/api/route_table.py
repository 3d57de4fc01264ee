"""The API's routes registered on the app, each route module imported only when one of its routes is first called.

Chalice must know every route when app.py is imported (the router, `chalice package`'s API Gateway template), but a
request needs only its own route's module, schemas, presenters and use cases. deploy/package.py writes the table of
routes (module, path, method, view name) into the artifact as `routes.json` beside this file; when it is there,
`register_routes` gives Chalice each route with a small view that imports the route's module on the first call and
hands over to the view `endpoint()` declared. Without the table (the source tree: tests, `make run`) every module is
imported and its blueprint registered as before, so the two ways serve the same routes with the same views.

Adding a route module is one line: its name in `ROUTE_MODULES` in app.py (the table is written at packaging).
"""
from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from chalice import Chalice, Response

from . import routing

PACKAGE = __name__.rsplit(".", 1)[0]  # chalicelib.api
TABLE = Path(__file__).with_name("routes.json")
Route = tuple[str, str, str]  # (path, method, view name)


class RouteTableMismatch(RuntimeError):
    """A route module no longer declares a route the packaged table names: the artifact was built from other code."""


def register_routes(app: Chalice, modules: Sequence[str], table: Path = TABLE) -> None:
    """Every route of `modules` on `app`, lazily when the packaged table is present, else by importing them."""
    app.register_middleware(routing.remember_request, "http")
    routes = read_table(table) if table.exists() else {}
    for module in modules:
        if module not in routes:  # not in the table (or no table): import it now, as in the source tree
            app.register_blueprint(import_route_module(module).bp)
            continue
        for path, method, name in routes[module]:
            app.route(path, methods=[method], content_types=routing.ROUTE_CONTENT_TYPES, name=name)(
                _lazy_view(module, path, method, name))


def import_route_module(module: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{module}")


def import_all(modules: Iterable[str]) -> None:
    """Every route module (what the OpenAPI document describes); already imported ones cost nothing."""
    for module in modules:
        import_route_module(module)


def _lazy_view(module: str, path: str, method: str, name: str) -> Callable[..., Response]:
    def view(**params: str) -> Response:
        real = routing.VIEWS.get((method, path))
        if real is None:
            import_route_module(module)
            real = routing.VIEWS.get((method, path))
            if real is None:
                raise RouteTableMismatch(f"{PACKAGE}.{module} declares no {method} {path}")
        return real(**params)

    view.__name__ = name
    return view


def table_of(modules: Iterable[str]) -> dict[str, list[Route]]:
    """The routes each module declares through `endpoint()` (imports the modules)."""
    import_all(modules)
    table: dict[str, list[Route]] = {}
    for module in modules:
        table[module] = [(spec.path, spec.method, spec.view_name) for spec in routing.ROUTES
                         if spec.module == f"{PACKAGE}.{module}"]
    return table


def read_table(table: Path = TABLE) -> dict[str, list[Route]]:
    return {module: [tuple(route) for route in routes] for module, routes in json.loads(table.read_text()).items()}


def write_table(modules: Sequence[str], table: Path = TABLE) -> Path:
    """deploy/package.py: the route table of the project copy being packaged."""
    table.write_text(json.dumps(table_of(modules), indent=1) + "\n")
    return table
