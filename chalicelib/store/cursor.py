"""Opaque pagination cursors: the client hands back what it was given, nothing it can forge usefully."""
from __future__ import annotations

import base64
import json

from ..domain.errors import InvalidInput


def encode_cursor(last_id: str | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = data["after"]
        if not isinstance(after, str) or not after.isalnum():
            raise ValueError
        return after
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("the cursor is not one this API gave out", details={"cursor": cursor}) from None


MAX_POSITION = 400


def encode_position(sort_key: str | None) -> str | None:
    """A cursor holding the index sort key to continue after (lists read from an index other than by id)."""
    if sort_key is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({"at": sort_key}).encode()).decode().rstrip("=")


def decode_position(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = data["at"]
        if not isinstance(position, str) or not 0 < len(position) <= MAX_POSITION:
            raise ValueError
        return position
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("the cursor is not one this API gave out", details={"cursor": cursor[:100]}) from None
