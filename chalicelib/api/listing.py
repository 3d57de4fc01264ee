"""One page of a list route: `{"data": [...], "next_cursor": ...}` from one key range of an index, never a Scan."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..store.cursor import decode_position, encode_position
from .routing import Call

if TYPE_CHECKING:
    from ..store.reads import Page


def listed(call: Call, list_page: Callable[..., Page], present: Callable[[Any], dict]) -> dict:
    """The query's filters (every field but the page's own) and page go to the read use case as they are named,
    each row is presented, and the next page's cursor is encoded."""
    query = call.query
    page = list_page(call.principal, **query.model_dump(exclude={"limit", "cursor"}), limit=query.limit,
                     after=decode_position(query.cursor))
    return {"data": [present(x) for x in page.items], "next_cursor": encode_position(page.next_position)}
