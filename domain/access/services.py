"""Use cases of the access context."""

from __future__ import annotations

from uuid import UUID

from domain.access.errors import ApiKeyNotFound
from domain.access.events import ApiKeyCreated, ApiKeyRevoked
from domain.access.model import ApiKey, IssuedKey, Role, digest_key
from domain.access.repository import AccessUnitOfWork
from domain.ports import Clock


async def create_api_key(
    uow: AccessUnitOfWork, clock: Clock, *, name: str, role: Role, actor: str
) -> IssuedKey:
    """Issue a key with a role; the returned secret is shown once and never stored."""
    async with uow:
        issued = ApiKey.issue(name=name, role=role, now=clock.now())
        await uow.api_keys.add(issued.key)
        uow.emit(ApiKeyCreated(api_key_id=issued.key.id, role=role.value))
        await uow.audit.record(
            actor=actor,
            action="api_key.create",
            target=str(issued.key.id),
            details={"name": issued.key.name, "role": role.value},
        )
        await uow.commit()
    return issued


async def revoke_api_key(
    uow: AccessUnitOfWork, clock: Clock, *, key_id: UUID, actor: str
) -> ApiKey:
    """Revoke a key: requests bearing it are refused from then on."""
    async with uow:
        key = await uow.api_keys.get(key_id)
        if key is None:
            raise ApiKeyNotFound(f"no API key with id {key_id}", field=("id",))
        key.revoke(clock.now())
        await uow.api_keys.save(key)
        uow.emit(ApiKeyRevoked(api_key_id=key.id, role=key.role.value))
        await uow.audit.record(
            actor=actor, action="api_key.revoke", target=str(key.id), details={"name": key.name}
        )
        await uow.commit()
    return key


async def authenticate_key(uow: AccessUnitOfWork, secret: str) -> ApiKey | None:
    """The active key matching `secret`, or None."""
    async with uow:
        key = await uow.api_keys.get_by_digest(digest_key(secret))
    return key if key is not None and key.active else None
