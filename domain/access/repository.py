"""Ports of the access context."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.access.model import ApiKey
from domain.ports import UnitOfWork


class ApiKeyRepository(Protocol):
    """Stores API keys by id and by digest."""

    async def add(self, key: ApiKey) -> None: ...

    async def get(self, key_id: UUID) -> ApiKey | None: ...

    async def get_by_digest(self, digest: str) -> ApiKey | None: ...

    async def save(self, key: ApiKey) -> None: ...


class AuditLog(Protocol):
    """Records who changed what (admin changes, erasures, merges)."""

    async def record(
        self, *, actor: str, action: str, target: str, details: dict[str, object]
    ) -> None: ...


class AccessUnitOfWork(UnitOfWork, Protocol):
    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def audit(self) -> AuditLog: ...
