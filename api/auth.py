"""Turn an `Authorization: Bearer ...` value into a principal."""

from __future__ import annotations

from api.context import Services
from api.principal import Principal
from domain.access.model import KEY_PREFIX, Role, digest_key
from persistence.access import SqlAlchemyApiKeyRepository


class AuthenticationFailed(Exception):
    """Raised when credentials are missing, malformed, unknown, revoked or expired."""


async def authenticate(services: Services, authorization: str | None) -> Principal:
    if not authorization:
        raise AuthenticationFailed("Authentication required: send Authorization: Bearer <key>")
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise AuthenticationFailed("Authorization header must be 'Bearer <api key or token>'")
    if credential.startswith(KEY_PREFIX):
        async with services.read() as conn:
            key = await SqlAlchemyApiKeyRepository(conn).get_by_digest(digest_key(credential))
        if key is None or not key.active:
            raise AuthenticationFailed("Invalid or revoked API key")
        return Principal(role=key.role, api_key_id=key.id, name=key.name)
    customer_id = services.tokens.verify(credential)
    if customer_id is None:
        raise AuthenticationFailed("Invalid or expired customer token")
    return Principal(role=Role.CUSTOMER, customer_id=customer_id)
