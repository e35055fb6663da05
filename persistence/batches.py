"""Splitting long id lists so one statement stays under the drivers' parameter limits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# asyncpg accepts 32,767 parameters per statement, SQLite 32,766: stay well below.
IN_LIST_SIZE = 5000


def batches(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (none for an empty sequence)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
