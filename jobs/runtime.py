"""The per-worker-loop services that actors use.

Async engines belong to the event loop that made them, and Dramatiq's AsyncIO middleware
runs actors on its own loop thread, so services are made lazily on that loop.
"""

from __future__ import annotations

import asyncio

from jobs.context import JobServices, ServicesFactory

_factory: ServicesFactory | None = None
_services: dict[int, JobServices] = {}


def configure(factory: ServicesFactory) -> None:
    """Called by the composition root before any worker starts."""
    global _factory
    _factory = factory
    _services.clear()


def services() -> JobServices:
    """The services of the running event loop (made on first use)."""
    if _factory is None:
        raise RuntimeError("jobs.runtime.configure() was not called")
    loop_id = id(asyncio.get_running_loop())
    found = _services.get(loop_id)
    if found is None:
        found = _services[loop_id] = _factory()
    return found


async def dispose() -> None:
    for svc in list(_services.values()):
        await svc.engine.dispose()
    _services.clear()


def reset() -> None:
    """Forget the configuration (tests: each configures its own)."""
    global _factory
    _factory = None
    _services.clear()
