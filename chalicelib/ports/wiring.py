"""A port's plug: the adapter chalicelib.bootstrap wires in at start-up, asked for by the code that uses the port."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class NotWired(RuntimeError):
    """No adapter was plugged into a port: call chalicelib.bootstrap.wire() at start-up."""


class Plug(Generic[T]):
    """Holds how to make a port's adapter; made when first asked for, so a Lambda pays nothing for it at import."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._factory: Callable[[], T] | None = None

    def wire(self, factory: Callable[[], T]) -> None:
        self._factory = factory

    def get(self) -> T:
        if self._factory is None:
            raise NotWired(f"no {self.what} is wired: call chalicelib.bootstrap.wire()")
        return self._factory()
