"""Mutations of the access context."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.access.types import ApiKey
from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.mutation import mutation
from api.permissions import Admin
from api.relay import decode_id
from domain.access.model import Role
from domain.access.services import create_api_key, revoke_api_key


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="A label, 1 to 100 characters.")
    role: Role = strawberry.field(description="What the key may do.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class ApiKeyCreatePayload:
    api_key: ApiKey | None = None
    key: str | None = strawberry.field(
        default=None, description="The secret key. Shown this once: store it now."
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The key to revoke.")
class ApiKeyRevokeInput:
    id: strawberry.ID = strawberry.field(description="Id of the API key.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class ApiKeyRevokePayload:
    api_key: ApiKey | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class AccessMutation:
    @mutation(description="Issue an API key with a role (ADMIN).", permission_classes=[Admin])
    async def api_key_create(
        self, info: strawberry.Info, input: ApiKeyCreateInput
    ) -> ApiKeyCreatePayload:
        services = info.context.services
        issued = await create_api_key(
            services.uow(),
            services.clock,
            name=input.name,
            role=input.role,
            actor=info.context.principal.actor,
        )
        return ApiKeyCreatePayload(api_key=ApiKey.from_model(issued.key), key=issued.secret)

    @mutation(
        description="Revoke an API key: requests bearing it are refused from now on (ADMIN).",
        permission_classes=[Admin],
    )
    async def api_key_revoke(
        self, info: strawberry.Info, input: ApiKeyRevokeInput
    ) -> ApiKeyRevokePayload:
        services = info.context.services
        key = await revoke_api_key(
            services.uow(),
            services.clock,
            key_id=decode_id(input.id, "ApiKey", field=("id",)),
            actor=info.context.principal.actor,
        )
        return ApiKeyRevokePayload(api_key=ApiKey.from_model(key))


@strawberry.type(description="A customer token for a member area or a mobile app.")
class CustomerToken:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime
