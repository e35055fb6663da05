"""The base of every dataloader: one read connection and one query per batch.

A loader subclass names (as `fetch`) a batch function from `persistence/queries` that takes a
connection and the batch's keys and returns a mapping; keys missing from it get
`default` (None for one-to-one, an empty list for one-to-many loaders).
Loaders are made per request (`Context.loader`), so nothing is cached across requests;
within one, their caches are emptied at the start of each mutation and before each
subscription event (`Context.forget_loaded`), so no read is served what a write replaced.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.dataloader import DataLoader

from api.context import Services

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Batch = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Mapping[Any, Any]]]


class BatchLoader(DataLoader[K, V], Generic[K, V]):
    # Not `batch`: DataLoader keeps its pending batch in an attribute of that name.
    fetch: ClassVar[Batch]
    many: ClassVar[bool] = False

    def __init__(self, services: Services) -> None:
        super().__init__(load_fn=self._load)
        self._services = services

    async def _load(self, keys: Sequence[K]) -> list[V]:
        wanted = [k for k in dict.fromkeys(keys) if k is not None]
        found: Mapping[Any, Any] = {}
        if wanted:
            async with self._services.read() as conn:
                found = await type(self).fetch(conn, wanted)
        return [found.get(k, [] if self.many else None) for k in keys]


PageFetch = Callable[..., Awaitable[Mapping[Any, Any]]]


class PagedLoader(DataLoader[tuple[Any, ...], Any]):
    """Pages of a one-to-many relation, keyed by (parent id, page request, *filters).

    Keys sharing the same page request and filters (the usual case: one nested field in
    a list) are fetched in one statement; `fetch_pages(conn, parent_ids, *params)`.
    """

    fetch_pages: ClassVar[PageFetch]
    default: ClassVar[Any] = None

    def __init__(self, services: Services) -> None:
        super().__init__(load_fn=self._load)
        self._services = services

    async def _load(self, keys: Sequence[tuple[Any, ...]]) -> list[Any]:
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for key in keys:
            groups.setdefault(key[1:], []).append(key[0])
        results: dict[tuple[Any, ...], Any] = {}
        async with self._services.read() as conn:
            for params, parents in groups.items():
                found = await type(self).fetch_pages(conn, list(dict.fromkeys(parents)), *params)
                for parent in parents:
                    results[(parent, *params)] = found.get(parent, self.default)
        return [results[key] for key in keys]
