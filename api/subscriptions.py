"""Listening to committed domain events from a subscription resolver."""

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
    """Yield payloads of the named events (see `patronage.publisher`) that `accept` keeps."""
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
                    yield message
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
