"""The one error shape every route answers with (DESIGN: `{"error": {"code", "message", "details"}}`)."""
from __future__ import annotations

from pydantic import Field

from .common import Out


class ErrorBody(Out):
    code: str
    message: str
    details: dict = Field(default_factory=dict)


class ErrorOut(Out):
    error: ErrorBody
