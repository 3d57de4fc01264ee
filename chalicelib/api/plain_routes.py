"""Routes with nothing of their own to parse or decide, each declared in one statement next to the routes that do.

`by_id`: the path names one object; its use case gets the principal and that id, and its answer is presented.
`listing`: one page of a list, `{"data": [...], "next_cursor": ...}` from one key range of an index, never a Scan.
Each is an ordinary `endpoint()` route named after its use case (the name the route table and OpenAPI show).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from chalice import Blueprint
from pydantic import BaseModel

from ..store.cursor import decode_position, encode_position
from .routing import Call, endpoint

if TYPE_CHECKING:
    from ..store.reads import Page

PATH_PARAM = re.compile(r"\{(\w+)\}")


def by_id(bp: Blueprint, method: str, path: str, use_case: Callable[..., Any], present: Callable[[Any], dict], *,
          summary: str, response: type[BaseModel], description: str = "", example: Any = None) -> None:
    """`method path` answers `present(use_case(principal, <the path's one id>))`."""
    names = PATH_PARAM.findall(path)
    if len(names) != 1:
        raise ValueError(f"by_id needs a path with exactly one {{id}} parameter: {method} {path}")
    name = names[0]

    def handler(call: Call) -> dict:
        return present(use_case(call.principal, call.params[name]))

    _declare(bp, use_case, handler, path, method, summary=summary, response=response, description=description,
             example=example)


def listing(bp: Blueprint, path: str, list_page: Callable[..., Page], present: Callable[[Any], dict], *,
            summary: str, query: type[BaseModel], response: type[BaseModel], description: str = "",
            example: Any = None) -> None:
    """GET `path` answers one page of `list_page`'s rows, each presented."""
    _declare(bp, list_page, lambda call: listed(call, list_page, present), path, "GET", summary=summary,
             query=query, response=response, description=description, example=example)


def listed(call: Call, list_page: Callable[..., Page], present: Callable[[Any], dict]) -> dict:
    """The query's filters (every field but the page's own) and page go to the read use case as they are named,
    each row is presented, and the next page's cursor is encoded."""
    query = call.query
    page = list_page(call.principal, **query.model_dump(exclude={"limit", "cursor"}), limit=query.limit,
                     after=decode_position(query.cursor))
    return {"data": [present(x) for x in page.items], "next_cursor": encode_position(page.next_position)}


def _declare(bp: Blueprint, use_case: Callable, handler: Callable[[Call], dict], path: str, method: str,
             **options: Any) -> None:
    handler.__name__ = use_case.__name__
    handler.__module__ = bp._import_name  # chalice keeps it private; the route table files the route under it
    endpoint(bp, path, method, **options)(handler)
