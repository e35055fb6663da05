"""The Dramatiq broker from settings: Redis when REDIS_URL is set, else in-process.

The in-process broker is Dramatiq's StubBroker with a real `Worker` running inside the
`patronage serve` process, so the embedded demo needs no server.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from jobs.registry import ACTORS
from patronage.settings import Settings

# Modules that declare actors; importing them fills jobs.registry.ACTORS.
ACTOR_MODULES = (
    "jobs.system",
    "jobs.customers",
    "jobs.tickets",
    "jobs.loyalty",
    "jobs.segments",
    "jobs.tags",
)


log = logging.getLogger(__name__)


class Jobs:
    """A broker with every declared actor bound to it."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        self.actors: dict[str, dramatiq.Actor[Any, Any]] = {}
        for module in ACTOR_MODULES:
            importlib.import_module(module)
        for spec in ACTORS.values():
            make_actor: Any = dramatiq.actor
            self.actors[spec.name] = make_actor(
                _returning_none(spec.fn),
                actor_name=spec.name,
                queue_name=spec.queue,
                broker=broker,
                **spec.options,
            )

    def send(self, actor_name: str, *args: Any, delay_ms: int | None = None, **kwargs: Any) -> None:
        """Enqueue a message for `actor_name`."""
        actor = self.actors[actor_name]
        actor.send_with_options(args=args, kwargs=kwargs, delay=delay_ms)

    def ping(self) -> bool:
        if isinstance(self.broker, RedisBroker):
            try:
                return bool(self.broker.client.ping())
            except Exception:
                return False
        return True

    def close(self) -> None:
        self.broker.close()


def _returning_none(fn: Any) -> Any:
    """`fn` as an actor: what it returns is logged, not handed to Dramatiq, which has no
    results backend here (it warned on every run); tracked jobs store their results in
    `background_jobs` themselves."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> None:
            log.debug("%s returned %r", fn.__qualname__, await fn(*args, **kwargs))

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        log.debug("%s returned %r", fn.__qualname__, fn(*args, **kwargs))

    return run


def make_broker(settings: Settings, *, namespace: str = "patronage") -> dramatiq.Broker:
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(url=settings.redis_url, namespace=namespace)
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    return broker


def make_jobs(settings: Settings, *, namespace: str = "patronage") -> Jobs:
    return Jobs(make_broker(settings, namespace=namespace))
