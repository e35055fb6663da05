"""Publishes committed domain events on the broadcast, one channel per event name."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from domain.events import DomainEvent
from patronage.pubsub import Broadcast


def _default(value: object) -> object:
    # asyncpg hands back its own UUID subclass, which orjson does not encode natively.
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {type(value).__name__} in an event")


def event_payload(event: DomainEvent) -> dict[str, Any]:
    """The JSON form of an event (UUIDs, datetimes and decimals as strings)."""
    payload: dict[str, Any] = orjson.loads(orjson.dumps(event, default=_default))
    payload["event"] = event.name
    return payload


class BroadcastPublisher:
    """The `Publisher` port on top of a `Broadcast`."""

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            await self._broadcast.publish(event.name, event_payload(event))
