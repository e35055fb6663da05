"""A unit of work for use cases that commit in steps (one transaction per batch).

`reevaluate_segments` and the by-query tag use cases enter their unit of work once per
step; a `SqlUnitOfWork` is entered once, so this wrapper opens a fresh one on every
`async with` and forwards everything else (repositories, emit, commit) to it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from persistence.unit_of_work import SqlUnitOfWork


class SteppedUnitOfWork:
    """Each `async with` is a new transaction of a new `SqlUnitOfWork`."""

    def __init__(self, make: Callable[[], SqlUnitOfWork]) -> None:
        self._make = make
        self._current: SqlUnitOfWork | None = None

    async def __aenter__(self) -> Self:
        if self._current is not None:
            raise RuntimeError("a step is already open")
        current = self._make()
        await current.__aenter__()
        self._current = current
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        current, self._current = self._current, None
        if current is not None:
            await current.__aexit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> Any:
        if self._current is None:
            raise RuntimeError(f"unit of work used outside `async with` ({name})")
        return getattr(self._current, name)
