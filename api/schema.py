"""The schema, assembled from each context's Query, Mutation and Subscription types."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.access.mutations import AccessMutation
from api.access.queries import AccessQuery
from api.access.subscriptions import AccessSubscription
from api.activity.mutations import ActivityMutation
from api.analytics import AnalyticsQuery
from api.background.types import JobQuery, JobSubscription
from api.customers.mutations import CustomerMutation
from api.customers.privacy_mutations import CustomerPrivacyMutation
from api.customers.queries import CustomerQuery
from api.idempotency import IdempotencyExtension
from api.limits import limit_extensions
from api.loyalty.points_mutations import PointsMutation
from api.loyalty.queries import LoyaltyQuery
from api.loyalty.subscriptions import LoyaltySubscription
from api.loyalty.tier_mutations import TierMutation
from api.masking import MaskUnexpectedErrors, is_unexpected
from api.nul_characters import RefuseNulCharacters
from api.orders.mutations import OrderMutation
from api.permissions import AnyCaller
from api.segments.mutations import SegmentMutation
from api.segments.queries import SegmentQuery
from api.segments.subscriptions import SegmentSubscription
from api.tags.mutations import TagMutation
from api.tags.queries import TagQuery
from api.tickets.mutations import TicketsMutation
from api.tickets.queries import TicketsQuery
from api.tickets.subscriptions import TicketsSubscription
from patronage.settings import Settings

log = logging.getLogger("patronage.api")


def node_query() -> type:
    # relay.node() fields are bound to one schema when it is built, so each build gets
    # fresh ones.
    @strawberry.type
    class NodeQuery:
        node: relay.Node | None = relay.node(
            description="Fetch any object by its global id.", permission_classes=[AnyCaller]
        )
        nodes: list[relay.Node | None] = relay.node(
            description="Fetch objects by their global ids, in order.",
            permission_classes=[AnyCaller],
        )

    return NodeQuery


QUERIES: tuple[type, ...] = (
    AccessQuery,
    CustomerQuery,
    JobQuery,
    TicketsQuery,
    LoyaltyQuery,
    AnalyticsQuery,
    SegmentQuery,
    TagQuery,
)
MUTATIONS: tuple[type, ...] = (
    AccessMutation,
    CustomerMutation,
    CustomerPrivacyMutation,
    OrderMutation,
    ActivityMutation,
    TicketsMutation,
    TierMutation,
    PointsMutation,
    SegmentMutation,
    TagMutation,
)
SUBSCRIPTIONS: tuple[type, ...] = (
    AccessSubscription,
    JobSubscription,
    TicketsSubscription,
    LoyaltySubscription,
    SegmentSubscription,
)


class PatronageSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors (validation, auth, limits) are the client's business; faults
        # are logged with their traceback (the log line carries the request id).
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error: %s", error.message, exc_info=error.original_error)
            else:
                log.debug("request error: %s", error.message)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The whole schema with its extensions (caches, limits, NUL refusal, idempotency,
    masking)."""
    extensions: list[Any] = [
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        *limit_extensions(settings),
        # After ValidationCache (it reads the validation's outcome), before anything
        # that stores the request (idempotency) or runs it.
        RefuseNulCharacters,
        IdempotencyExtension,
        MaskUnexpectedErrors,
    ]
    return PatronageSchema(
        query=merge_types("Query", (node_query(), *QUERIES)),
        mutation=merge_types("Mutation", MUTATIONS),
        subscription=merge_types("Subscription", SUBSCRIPTIONS),
        extensions=extensions,
        config=StrawberryConfig(relay_max_results=100),
    )
