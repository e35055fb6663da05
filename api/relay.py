"""Relay building blocks: connections with keyset cursors, page arguments, global ids.

Every list in the API is a connection: `edges { cursor node }`, `nodes`,
`pageInfo`, `totalCount` (counted only when selected). Page size is at most
MAX_PAGE_SIZE (100); the default is 20.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry
from strawberry import relay

from api.errors import ApiError, ErrorCode, TopLevelCode, register_error_code
from domain.errors import ValidationFailed
from persistence.queries.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidPageRequest,
    Page,
    PageRequest,
)

NodeT = TypeVar("NodeT")

PAGE_ARGS_DOC = (
    f"Page size: at most {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when neither first nor last is given."
)


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A node and its opaque cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description=f"A page of a list. {PAGE_ARGS_DOC}")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many nodes the whole list holds (costs one query).")
    async def total_count(self) -> int:
        return await self._count()


def page_request(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    """Validated page arguments; a bad cursor or size is a top-level BAD_REQUEST."""
    try:
        return PageRequest.of(first=first, after=after, last=last, before=before)
    except InvalidPageRequest as e:
        raise ApiError(str(e), TopLevelCode.BAD_REQUEST) from None


def connection(
    page: Page[Any],
    to_node: Callable[[Any], NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    """Build a connection from a fetched page."""
    edges = [
        Edge(cursor=c, node=to_node(row)) for row, c in zip(page.rows, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _count=count,
    )


def decode_id(
    global_id: relay.GlobalID | str, *expected: str, field: Sequence[str] | None = None
) -> UUID:
    """The UUID inside a global id of one of the `expected` types.

    Raises `InvalidGlobalId` (a userError INVALID_ID at `field`) for a malformed id or
    one of another type.
    """
    try:
        gid = (
            global_id
            if isinstance(global_id, relay.GlobalID)
            else relay.GlobalID.from_id(global_id)
        )
    except Exception:
        raise InvalidGlobalId(f"{global_id!s} is not a valid id", field=field) from None
    if expected and gid.type_name not in expected:
        raise InvalidGlobalId(f"{gid} is not the id of a {' or '.join(expected)}", field=field)
    try:
        return UUID(gid.node_id)
    except ValueError:
        raise InvalidGlobalId(f"{gid} is not a valid id", field=field) from None


def encode_id(type_name: str, value: UUID | str) -> relay.GlobalID:
    """The global id of a `type_name` node (its UUID as a string or a UUID)."""
    return relay.GlobalID(type_name, str(value))


class InvalidGlobalId(ValidationFailed):
    """Raised when an id argument is malformed or names another type."""


register_error_code(InvalidGlobalId, ErrorCode.INVALID_ID)


def decode_id_or_bad_request(global_id: relay.GlobalID | str, *expected: str) -> UUID:
    """For query arguments: a malformed id is a top-level BAD_REQUEST."""
    try:
        return decode_id(global_id, *expected)
    except InvalidGlobalId as e:
        raise ApiError(e.message, TopLevelCode.BAD_REQUEST) from None
