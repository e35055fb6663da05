"""Subscriptions of the access context."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay

from api.permissions import Admin
from api.relay import encode_id
from api.subscriptions import listen
from domain.access.events import ApiKeyCreated, ApiKeyRevoked
from domain.access.model import Role


@strawberry.type(description="An API key was created or revoked.")
class ApiKeyChange:
    api_key_id: relay.GlobalID
    role: Role
    revoked: bool


@strawberry.type
class AccessSubscription:
    @strawberry.subscription(
        description="API keys being created or revoked, from any process (ADMIN).",
        permission_classes=[Admin],
    )
    async def api_key_changed(self, info: strawberry.Info) -> AsyncGenerator[ApiKeyChange, None]:
        async for event in listen(info, ApiKeyCreated.name, ApiKeyRevoked.name):
            yield ApiKeyChange(
                api_key_id=encode_id("ApiKey", event["api_key_id"]),
                role=Role(event["role"]),
                revoked=event["event"] == ApiKeyRevoked.name,
            )
