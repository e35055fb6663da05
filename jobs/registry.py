"""Actors are declared here as plain async functions and bound to a broker at set-up.

Binding late (instead of `@dramatiq.actor` at import) lets each process, and each test,
choose its broker (Redis or in-process) without a global broker chosen by import order.
Actors take ids and plain values, never objects, and are idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

ActorFn = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class ActorSpec:
    name: str
    fn: ActorFn
    queue: str = "default"
    options: dict[str, Any] = field(default_factory=dict)


ACTORS: dict[str, ActorSpec] = {}


def actor(name: str, *, queue: str = "default", **options: Any) -> Callable[[ActorFn], ActorFn]:
    """Declare an actor with an explicit dotted name, e.g. `@actor("system.purge")`."""

    def register(fn: ActorFn) -> ActorFn:
        if name in ACTORS:
            raise ValueError(f"actor {name!r} declared twice")
        ACTORS[name] = ActorSpec(name=name, fn=fn, queue=queue, options=options)
        return fn

    return register
