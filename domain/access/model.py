"""API keys and the roles they carry.

A key is shown once, when it is issued; only its SHA-256 digest is stored. Keys carry
256 bits of randomness, so a fast digest is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.access.errors import ApiKeyAlreadyRevoked, InvalidKeyName
from domain.ids import new_id

KEY_PREFIX = "pat_"


class Role(StrEnum):
    """What an API key may do; CUSTOMER is the role of a customer token."""

    ADMIN = "ADMIN"
    MARKETER = "MARKETER"
    SUPPORT = "SUPPORT"
    ANALYST = "ANALYST"
    STOREFRONT = "STOREFRONT"
    CUSTOMER = "CUSTOMER"


def digest_key(secret: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A freshly issued key: the secret exists only in this object."""

    key: ApiKey
    secret: str


@dataclass(slots=True)
class ApiKey:
    """A credential for a server-side client or an admin UI."""

    id: UUID
    name: str
    role: Role
    digest: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None = None
    created_by: UUID | None = field(default=None)

    @classmethod
    def issue(
        cls, *, name: str, role: Role, now: datetime, created_by: UUID | None = None
    ) -> IssuedKey:
        """Make a new key; the caller must show `secret` once and never store it."""
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise InvalidKeyName("name must be 1 to 100 characters", field=("name",))
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls(
            id=new_id(),
            name=name,
            role=role,
            digest=digest_key(secret),
            hint=secret[-4:],
            created_at=now,
            created_by=created_by,
        )
        return IssuedKey(key=key, secret=secret)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> None:
        """Revoke the key; requests with it are refused from now on."""
        if self.revoked_at is not None:
            raise ApiKeyAlreadyRevoked(f"API key {self.name!r} is already revoked")
        self.revoked_at = now
