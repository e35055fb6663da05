"""Listening to committed domain events from a subscription resolver.

Every subscription listens through `listen`. Its context (and the loaders on it) lives as
long as the WebSocket connection, so the loader caches are emptied before each event is
yielded: the event's payload shows what was committed up to it, not what an earlier event
(or another operation on the connection) cached.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import strawberry


async def listen(
    info: strawberry.Info,
    *event_names: str,
    accept: Callable[[dict[str, Any]], bool] = lambda _: True,
) -> AsyncIterator[dict[str, Any]]:
    """Yield payloads of the named events (see `patronage.publisher`) that `accept` keeps,
    each with the request's loader caches emptied."""
    broadcast = info.context.services.broadcast
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(256)
    async with contextlib.AsyncExitStack() as stack:
        streams = [await stack.enter_async_context(broadcast.subscribe(n)) for n in event_names]

        async def pump(stream: AsyncIterator[dict[str, Any]]) -> None:
            async for message in stream:
                await queue.put(message)

        tasks = [asyncio.create_task(pump(s)) for s in streams]
        try:
            while True:
                message = await queue.get()
                if accept(message):
                    info.context.forget_loaded()
                    yield message
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
