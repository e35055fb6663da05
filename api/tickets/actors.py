"""Who may use the tickets API, and the domain actor a caller acts as."""

from __future__ import annotations

import strawberry

from api.errors import ApiError, TopLevelCode
from api.permissions import require
from api.principal import Principal
from domain.access.model import Role
from domain.tickets.values import Actor

# Customer tokens read and open their own tickets; SUPPORT and ADMIN work the queue.
TICKET_ROLES = (Role.ADMIN, Role.SUPPORT, Role.CUSTOMER)
TicketUsers = require(*TICKET_ROLES)
Agents = require(Role.ADMIN, Role.SUPPORT)
TicketCustomer = require(Role.CUSTOMER)


def actor_of(principal: Principal | None) -> Actor:
    """A customer token acts as its customer, an API key as an agent (its id)."""
    if principal is not None and principal.customer_id is not None:
        return Actor.customer(principal.customer_id)
    if principal is not None and principal.api_key_id is not None:
        return Actor.agent(principal.api_key_id)
    raise ApiError("Authentication required", TopLevelCode.UNAUTHENTICATED)


def viewer_of(info: strawberry.Info) -> Actor:
    return actor_of(info.context.principal)
