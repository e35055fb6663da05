"""One-off operations the CLI runs outside a server."""

from __future__ import annotations

from uuid import UUID

from domain.access.model import Role
from domain.access.services import create_api_key, revoke_api_key
from domain.errors import DomainError
from patronage.runtime import build_runtime
from patronage.settings import Settings


async def create_key(settings: Settings, *, name: str, role: Role) -> str:
    runtime = build_runtime(settings)
    try:
        services = runtime.services
        issued = await create_api_key(
            services.uow(), services.clock, name=name, role=role, actor="cli"
        )
        return issued.secret
    finally:
        await runtime.close()


async def revoke_key(settings: Settings, key_id: UUID) -> str | None:
    """Revoke; returns an error message, or None on success."""
    runtime = build_runtime(settings)
    try:
        services = runtime.services
        await revoke_api_key(services.uow(), services.clock, key_id=key_id, actor="cli")
        return None
    except DomainError as e:
        return e.message
    finally:
        await runtime.close()
