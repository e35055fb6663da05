"""Pub/sub fan-out: in-memory, across threads, and across processes through Redis."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from patronage.pubsub import InMemoryBroadcast, RedisBroadcast


async def _next(stream: AsyncIterator[dict[str, Any]], timeout: float = 5.0) -> dict[str, Any]:
    return await asyncio.wait_for(anext(stream), timeout)


async def test_in_memory_delivers_to_every_subscriber_of_a_channel() -> None:
    broadcast = InMemoryBroadcast()
    async with (
        broadcast.subscribe("a") as one,
        broadcast.subscribe("a") as two,
        broadcast.subscribe("b") as other,
    ):
        await broadcast.publish("a", {"n": 1})
        assert await _next(one) == {"n": 1}
        assert await _next(two) == {"n": 1}
        with pytest.raises(TimeoutError):
            await _next(other, timeout=0.1)


async def test_in_memory_delivers_from_another_thread() -> None:
    broadcast = InMemoryBroadcast()
    async with broadcast.subscribe("a") as stream:

        def publish_from_worker_thread() -> None:
            asyncio.run(broadcast.publish("a", {"from": "worker"}))

        thread = threading.Thread(target=publish_from_worker_thread)
        thread.start()
        thread.join()
        assert await _next(stream) == {"from": "worker"}


async def test_a_slow_subscriber_loses_its_oldest_messages_not_the_newest() -> None:
    broadcast = InMemoryBroadcast()
    async with broadcast.subscribe("a") as stream:
        for n in range(300):
            await broadcast.publish("a", {"n": n})
        first = await _next(stream)
        assert first["n"] == 300 - 256


@pytest.mark.redis
async def test_redis_carries_messages_between_two_broadcasts(redis_url: str) -> None:
    sender, receiver = (
        RedisBroadcast(redis_url, prefix="t1:"),
        RedisBroadcast(redis_url, prefix="t1:"),
    )
    try:
        async with receiver.subscribe("events") as stream:
            await asyncio.sleep(0.2)
            await sender.publish("events", {"hello": "world"})
            assert await _next(stream) == {"hello": "world"}
        assert await sender.ping()
    finally:
        await sender.close()
        await receiver.close()


@pytest.mark.redis
async def test_redis_unsubscribes_when_the_last_local_subscriber_leaves(redis_url: str) -> None:
    broadcast = RedisBroadcast(redis_url, prefix="t2:")
    try:
        async with broadcast.subscribe("x"):
            pass
        async with broadcast.subscribe("x") as stream:
            await asyncio.sleep(0.2)
            await broadcast.publish("x", {"again": True})
            assert await _next(stream) == {"again": True}
    finally:
        await broadcast.close()


async def test_an_unreachable_redis_reports_not_ready() -> None:
    broadcast = RedisBroadcast("redis://127.0.0.1:1/0")
    try:
        assert await broadcast.ping() is False
    finally:
        await broadcast.close()
