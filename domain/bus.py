"""In-transaction event handlers: how one context reacts to another's facts atomically.

A use case emits events on its unit of work; before the commit, the unit of work hands
them to the `EventHandlers` registered by every context (loyalty earns points on
`OrderRecorded`, tickets open a REVIEW ticket on a low rating, ...). Handlers run in the
same transaction, so the order and its points commit together or not at all. Handlers
may emit further events; those are handled in turn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from domain.events import DomainEvent

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any, Any], Awaitable[None]]

MAX_ROUNDS = 20


class EventHandlers:
    """A registry of in-transaction handlers keyed by event class."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def on(self, event_type: type[E], handler: Callable[[E, Any], Awaitable[None]]) -> None:
        """Run `handler(event, uow)` for every `event_type` emitted in a transaction."""
        self._handlers[event_type].append(handler)

    def handlers_for(self, event: DomainEvent) -> list[Handler]:
        found: list[Handler] = []
        for klass in type(event).__mro__:
            found.extend(self._handlers.get(klass, ()))
        return found


async def run_handlers(
    handlers: EventHandlers, uow: Any, pending: list[DomainEvent]
) -> list[DomainEvent]:
    """Handle `pending` and whatever the handlers emit; return every event, in order.

    `uow.take_new_events()` must return (and forget) events emitted since the last call.
    """
    handled: list[DomainEvent] = []
    queue = list(pending)
    rounds = 0
    while queue:
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise RuntimeError("event handlers keep emitting events: a cycle?")
        next_queue: list[DomainEvent] = []
        for event in queue:
            handled.append(event)
            for handler in handlers.handlers_for(event):
                await handler(event, uow)
                next_queue.extend(uow.take_new_events())
        queue = next_queue
    return handled
