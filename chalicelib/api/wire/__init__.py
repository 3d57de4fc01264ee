"""The API's pydantic models, one module per route module, so a route loads only the shapes it declares.

`common` holds what they share (money, ids, the request and response bases); a route module imports its own module
(`from .wire.credits import CreateCredit`). A submodule is also reachable as an attribute (`wire.sales.PaymentOut`),
imported on first use (PEP 562): presenters.py serves every resource, and a request pays only for the ones it shows.
chalicelib/api/schemas.py gathers every model in one namespace for code that wants them all.
"""
from __future__ import annotations

import importlib
from types import ModuleType

MODULES = ("common", "errors", "accounts", "customers", "credits", "sales", "returns", "credit_reads",
           "qbo_status")


def __getattr__(name: str) -> ModuleType:
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # import binds it here: asked once per process
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
