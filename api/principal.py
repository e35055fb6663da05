"""Who is calling: an API key with a role, or a customer with a short-lived token."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.access.model import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    role: Role
    api_key_id: UUID | None = None
    customer_id: UUID | None = None
    name: str = ""

    @property
    def scope(self) -> str:
        """Namespace for per-caller state (idempotency keys, budgets)."""
        if self.customer_id is not None:
            return f"customer:{self.customer_id}"
        return f"key:{self.api_key_id}"

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        if self.customer_id is not None:
            return f"customer:{self.customer_id}"
        return f"api_key:{self.api_key_id}"

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER
