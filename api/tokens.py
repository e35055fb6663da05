"""Customer tokens: short-lived JWTs (HS256) signed with SECRET_KEY."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import jwt

ISSUER = "patronage"
AUDIENCE = "patronage:customer"


class CustomerTokens:
    """Issues and verifies customer tokens."""

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self.ttl = ttl

    def issue(self, customer_id: UUID, *, issued_by: UUID, now: datetime) -> tuple[str, datetime]:
        """A token for `customer_id` and its expiry time."""
        expires_at = now + self.ttl
        claims = {
            "sub": str(customer_id),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "azp": str(issued_by),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256"), expires_at

    def verify(self, token: str) -> UUID | None:
        """The customer id in a valid, unexpired token; None otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["sub", "exp", "iat"]},
            )
            return UUID(claims["sub"])
        except (jwt.PyJWTError, ValueError):
            return None
