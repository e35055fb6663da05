"""The schema, assembled from each context's Query, Mutation and Subscription types."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StreamResult
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.aio import aclosing

from api.access.mutations import AccessMutation
from api.access.queries import AccessQuery
from api.access.subscriptions import AccessSubscription
from api.activity.mutations import ActivityMutation
from api.analytics import AnalyticsQuery
from api.background.types import JobQuery, JobSubscription
from api.customers.mutations import CustomerMutation
from api.customers.privacy_mutations import CustomerPrivacyMutation
from api.customers.queries import CustomerQuery
from api.errors import code_request_errors
from api.idempotency import IdempotencyExtension
from api.limits import limit_extensions
from api.loyalty.points_mutations import PointsMutation
from api.loyalty.queries import LoyaltyQuery
from api.loyalty.subscriptions import LoyaltySubscription
from api.loyalty.tier_mutations import TierMutation
from api.masking import MaskUnexpectedErrors, is_unexpected, mask_result, masked
from api.nodes import NODE_IDS_DOC, UnknownNodeTypeIsBadRequest
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
            description=f"Fetch any object by its global id. {NODE_IDS_DOC}",
            permission_classes=[AnyCaller],
            extensions=[UnknownNodeTypeIsBadRequest()],
        )
        nodes: list[relay.Node | None] = relay.node(
            description=f"Fetch objects by their global ids, in order. {NODE_IDS_DOC}",
            permission_classes=[AnyCaller],
            extensions=[UnknownNodeTypeIsBadRequest()],
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

    # An exception from an extension hook unwinds past MaskUnexpectedErrors: strawberry
    # turns it into an error of the result (logged by `process_errors`), unmasked. Every
    # result leaves through these two methods, which mask what is left.

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        result = await super().execute(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            allowed_operation_types=allowed_operation_types,
            operation_extensions=operation_extensions,
        )
        mask_result(result)
        code_request_errors(result)
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        source = await super().stream(
            query,
            variable_values=variable_values,
            context_value=context_value,
            root_value=root_value,
            operation_name=operation_name,
            operation_extensions=operation_extensions,
            allowed_operation_types=allowed_operation_types,
        )
        return self._masked(source)

    async def _masked(self, source: StreamResult) -> StreamResult:
        first = True
        try:
            async with aclosing(source):
                async for result in source:
                    mask_result(result)
                    code_request_errors(result)
                    yield result
                    first = False
        except Exception as exc:
            # Strawberry lets an exception from the parsing, validation or operation
            # hooks of a stream (WebSocket) escape: the client would see the operation
            # complete without a word. It ends with the fault instead, masked.
            error = GraphQLError(str(exc), original_error=exc)
            self.process_errors([error])
            ended = PreExecutionError if first else ExecutionResult
            yield ended(data=None, errors=[masked(error)])


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
