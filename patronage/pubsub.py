"""Fan-out of live updates to subscription resolvers, in one process or across many.

`InMemoryBroadcast` serves the embedded default. `RedisBroadcast` uses Redis pub/sub
(redis.asyncio) so an event published by any API process or worker reaches WebSocket
clients of every process. Each process holds one Redis subscription connection and fans
messages out to local queues; a slow client's queue is bounded and drops its oldest
messages rather than slowing everyone down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson
import redis.asyncio as aioredis

log = logging.getLogger(__name__)

QUEUE_SIZE = 256


class Broadcast(Protocol):
    """Publish JSON messages on channels; subscribe to a channel's messages."""

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...


class _LocalFanout:
    """Queues of local subscribers; safe to deliver to from any thread.

    In the embedded mode, actors run on the worker's event loop thread while WebSocket
    clients wait on the server's loop, so a delivery from another loop is handed over
    with `call_soon_threadsafe`.
    """

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._loops: dict[asyncio.Queue[dict[str, Any]], asyncio.AbstractEventLoop] = {}

    def add(self, channel: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._queues[channel].add(queue)
        self._loops[queue] = asyncio.get_running_loop()
        return queue

    def remove(self, channel: str, queue: asyncio.Queue[dict[str, Any]]) -> bool:
        """Forget `queue`; True when the channel has no local subscriber left."""
        self._loops.pop(queue, None)
        queues = self._queues.get(channel)
        if queues is None:
            return True
        queues.discard(queue)
        if not queues:
            del self._queues[channel]
            return True
        return False

    def channels(self) -> list[str]:
        return list(self._queues)

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for queue in list(self._queues.get(channel, ())):
            loop = self._loops.get(queue)
            if loop is None:
                continue
            if loop is current:
                _put(queue, message, channel)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(_put, queue, message, channel)


def _put(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any], channel: str) -> None:
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
        log.warning("subscriber on %s is slow: dropped its oldest message", channel)
    queue.put_nowait(message)


async def _drain(queue: asyncio.Queue[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    while True:
        yield await queue.get()


class InMemoryBroadcast:
    """Pub/sub inside one process."""

    def __init__(self) -> None:
        self._fanout = _LocalFanout()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._fanout.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue = self._fanout.add(channel)
        try:
            yield _drain(queue)
        finally:
            self._fanout.remove(channel, queue)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


class RedisBroadcast:
    """Pub/sub across processes through Redis."""

    def __init__(self, url: str, *, prefix: str = "patronage:") -> None:
        self._client: aioredis.Redis = aioredis.Redis.from_url(url)
        self._prefix = prefix
        self._fanout = _LocalFanout()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._client.publish(self._prefix + channel, orjson.dumps(message))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        queue = self._fanout.add(channel)
        try:
            async with self._lock:
                await self._ensure_reader()
                await self._pubsub.subscribe(self._prefix + channel)
            yield _drain(queue)
        finally:
            if self._fanout.remove(channel, queue) and self._pubsub is not None:
                async with self._lock:
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(self._prefix + channel)

    async def _ensure_reader(self) -> None:
        if self._pubsub is None:
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="redis-broadcast-reader")

    async def _read(self) -> None:
        backoff = 0.1
        while True:
            try:
                if not self._pubsub.subscribed:
                    # Nothing to listen to yet (or after a reconnect): wait for a subscribe.
                    await asyncio.sleep(0.05)
                    continue
                raw = await self._pubsub.get_message(timeout=1.0)
                backoff = 0.1
                if raw is None or raw.get("type") != "message":
                    continue
                channel = raw["channel"].decode()[len(self._prefix) :]
                self._fanout.deliver(channel, orjson.loads(raw["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Redis pub/sub connection lost; resubscribing", exc_info=True)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                await self._resubscribe()

    async def _resubscribe(self) -> None:
        async with self._lock:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
            self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            channels = [self._prefix + c for c in self._fanout.channels()]
            if channels:
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(*channels)

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except Exception:
            return False

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._client.aclose()
