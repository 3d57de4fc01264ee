"""DESIGN §1's layer table, as a test: every import in chalicelib (at the top of a module or inside a function) goes
to a layer the table allows, never up. Beside test_import_cycles.py, which forbids circles; this forbids direction."""
from __future__ import annotations

import ast

from tests.unit.import_graph import ROOT, imports_of, module_name

BASICS = {"config", "observability"}  # runtime configuration and logs/metrics: any layer may use them
# layer → the layers it may import (its own always). DESIGN §1, with the event handlers, the ops CLI, the ports and
# their bootstrap placed as the table says.
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "domain": set(),
    "observability": {"config", "domain"},
    "ports": {"domain"},
    "login_tokens": {"config"},
    "store": {"domain", "ports"} | BASICS,
    "qbo": {"domain", "ports"} | BASICS,
    "services": {"domain", "ports", "store", "qbo"} | BASICS,
    "workers": {"services", "domain", "ports", "store", "qbo"} | BASICS,  # use cases (and what they import)
    "api": {"services", "domain", "ports", "store", "qbo", "login_tokens"} | BASICS,
    "web": {"api"} | BASICS,
    "bootstrap": {"ports", "store", "workers"} | BASICS,  # plugs the adapters into the ports at start-up
    "ops": {"login_tokens"} | BASICS,  # a client of the HTTP API: none of the service's own layers
}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "chalicelib"


def _imported(source: str, name: str, *, is_package: bool = False) -> set[str]:
    """chalicelib modules (or names in them) module `name` imports anywhere, relative imports resolved."""
    found: set[str] = set()
    for base, names in imports_of(source, name, is_package=is_package):
        found |= {f"{base}.{n}" for n in names} if base == "chalicelib" else {base}
    return {m for m in found if m.startswith("chalicelib.")}


def _violations(name: str, targets: set[str]) -> list[str]:
    layer = _layer(name)
    return [f"{name} ({layer}) imports {target} ({_layer(target)})" for target in sorted(targets)
            if _layer(target) != layer and _layer(target) not in ALLOWED.get(layer, set())]


def _upward_imports() -> list[str]:
    wrong = []
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        wrong += _violations(name, _imported(path.read_text(), name, is_package=path.name == "__init__.py"))
    return wrong


def test_every_layer_is_in_the_table():
    layers = {_layer(module_name(p)) for p in ROOT.rglob("*.py")} - {"chalicelib"}
    assert layers <= set(ALLOWED), f"add {sorted(layers - set(ALLOWED))} to DESIGN §1's table and to ALLOWED"


def test_no_import_goes_up_a_layer():
    assert _upward_imports() == []


def test_the_check_sees_an_import_inside_a_function():
    """The rule has teeth: a use case reaching the API or the workers from inside a function is found."""
    source = "def f():\n    from ...api import routing\n    from ...workers import queue\n    return routing, queue\n"
    name = "chalicelib.services.sync.sample"
    assert _violations(name, _imported(source, name)) == [
        f"{name} (services) imports chalicelib.api (api)", f"{name} (services) imports chalicelib.workers (workers)"]


def _item_models() -> set[str]:
    from pynamodb.models import Model

    from chalicelib.store import models

    return {name for name, value in vars(models).items() if isinstance(value, type) and issubclass(value, Model)}


ITEM_MODELS = _item_models()


def _item_access(source: str) -> list[str]:
    """Where a module builds, reads or queries a PynamoDB item itself (a `...Item(...)` call or `...Item.get/query/
    scan/count/batch_get`), or binds the table."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and (func.id in ITEM_MODELS or func.id == "bind"):
            found.append(f"{node.lineno}: {func.id}(...)")
        elif (isinstance(func, ast.Attribute) and func.attr in ("get", "query", "scan", "count", "batch_get")
              and isinstance(func.value, ast.Name) and func.value.id in ITEM_MODELS):
            found.append(f"{node.lineno}: {func.value.id}.{func.attr}(...)")
    return found


def test_use_cases_reach_items_only_through_the_store():
    """Services load and save through repositories and store functions (chalicelib/store), never items directly."""
    offenders = {}
    for path in sorted((ROOT / "services").rglob("*.py")):
        found = _item_access(path.read_text())
        if found:
            offenders[module_name(path)] = found
    assert offenders == {}


def test_the_item_check_sees_a_direct_read():
    assert _item_access("def f(pk):\n    bind()\n    return CreditItem.get(pk, 'x'), JobItem(pk, 'y')\n") == [
        "2: bind(...)", "3: CreditItem.get(...)", "3: JobItem(...)"]
