"""Publishes committed domain events on the broadcast, one channel per event name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from domain.events import DomainEvent
from patronage.pubsub import Broadcast


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The JSON form of an event (UUIDs and datetimes as strings)."""
    payload: dict[str, Any] = orjson.loads(orjson.dumps(event))
    payload["event"] = event.name
    return payload


class BroadcastPublisher:
    """The `Publisher` port on top of a `Broadcast`."""

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            await self._broadcast.publish(event.name, event_payload(event))
