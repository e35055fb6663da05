"""Facts of the access context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(DomainEvent):
    """An API key was issued."""

    name: ClassVar[str] = "access.api_key_created"
    api_key_id: UUID
    role: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(DomainEvent):
    """An API key was revoked."""

    name: ClassVar[str] = "access.api_key_revoked"
    api_key_id: UUID
    role: str
