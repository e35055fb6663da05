"""GraphQL types of the access context."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from domain.access.model import ApiKey as ApiKeyModel
from domain.access.model import Role

RoleEnum = strawberry.enum(
    Role,
    name="Role",
    description=(
        "What an API key may do. ADMIN: everything; MARKETER: segments and campaigns; "
        "SUPPORT: tickets and goodwill; ANALYST: reports, PII masked; STOREFRONT: "
        "orders, events, customer tokens; CUSTOMER: a customer token's own data."
    ),
)


@strawberry.type(description="A credential for a server-side client or an admin UI.")
class ApiKey(relay.Node):
    id: relay.NodeID[str]
    name: str = strawberry.field(description="Label chosen when the key was created.")
    role: Role = strawberry.field(description="What the key may do.")
    hint: str = strawberry.field(description="Last four characters of the key.")
    created_at: datetime
    revoked_at: datetime | None = strawberry.field(description="Set once the key is revoked.")

    @classmethod
    def from_model(cls, key: ApiKeyModel) -> ApiKey:
        return cls(
            id=str(key.id),
            name=key.name,
            role=key.role,
            hint=key.hint,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        from api.access.loaders import ApiKeyByIdLoader
        from api.nodes import visible_ids

        ids = visible_ids(info, node_ids, roles={Role.ADMIN})
        loader = info.context.loader(ApiKeyByIdLoader)
        keys = await loader.load_many(ids)
        return [cls.from_model(k) if k is not None else None for k in keys]
