"""`patronage demo`: a realistic store to explore, seeded in one go."""

from __future__ import annotations

from rich.console import Console

from domain.access.model import Role
from domain.access.services import create_api_key
from patronage.runtime import build_runtime
from patronage.settings import Settings


async def seed(settings: Settings, console: Console) -> dict[str, str]:
    """Seed the store (once) and return fresh ADMIN and STOREFRONT keys."""
    runtime = build_runtime(settings)
    try:
        services = runtime.services
        keys: dict[str, str] = {}
        for role in (Role.ADMIN, Role.STOREFRONT):
            issued = await create_api_key(
                services.uow(),
                services.clock,
                name=f"demo {role.value.lower()}",
                role=role,
                actor="demo",
            )
            keys[role.value] = issued.secret
        return keys
    finally:
        await runtime.close()
