"""GraphQL types of segments: Segment, query problems, previews and explanations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.customers.masking import masked
from api.errors import ApiError, TopLevelCode
from api.nodes import visible_ids
from api.relay import decode_id_or_bad_request
from api.segments.checking import MASKED_CATALOG
from api.segments.evaluation import request_evaluation
from api.segments.loaders import LiveCountLoader, SegmentByIdLoader, StoredMemberCountLoader
from domain.access.model import Role
from domain.segments.errors import SegmentQueryError
from domain.segments.explain import Explanation, Outcome, explain
from domain.segments.language import parse
from domain.segments.model import Segment as SegmentModel
from domain.segments.model import SegmentStatus
from domain.segments.syntax import Expr
from persistence.queries.segments import first_matching, load_snapshots

if TYPE_CHECKING:
    from api.customers.types import Customer

SEGMENT_READERS = {Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.ANALYST}
MAX_PREVIEW = 100
DEFAULT_PREVIEW = 10
# Personal data that an ANALYST key sees masked in explanations.
_PII_ATTRIBUTES = frozenset(
    {"email", "phone", "first_name", "last_name", "birthday", "city", "region"}
)

SegmentStatusEnum = strawberry.enum(
    SegmentStatus,
    name="SegmentStatus",
    description=(
        "VALID: the saved query parses; INVALID: it no longer does (e.g. an attribute was "
        "retired): the segment is kept, reported with its `problem`, and matches nobody "
        "until its query is repaired with segmentUpdate."
    ),
)
ClauseOutcomeEnum = strawberry.enum(
    Outcome,
    name="ClauseOutcome",
    description="SQL's three truth values: UNKNOWN when a value the clause needs is unknown.",
)


@strawberry.type(description="Why a segment query does not parse or type-check.")
class SegmentQueryProblem:
    message: str = strawberry.field(description="What is wrong, with the position.")
    line: int = strawberry.field(description="1-based line of the error.")
    column: int = strawberry.field(description="1-based column of the error.")
    expected: str | None = strawberry.field(description="What would have been accepted there.")

    @classmethod
    def of(cls, error: SegmentQueryError) -> SegmentQueryProblem:
        return cls(
            message=error.message, line=error.line, column=error.column, expected=error.expected
        )


@strawberry.type(description="One clause of a query, evaluated for one customer.")
class SegmentClause:
    text: str = strawberry.field(description="The clause, printed in canonical form.")
    outcome: Outcome = strawberry.field(description="Whether the clause held for the customer.")
    attribute: str | None = strawberry.field(
        description="The attribute a predicate tests (null for AND, OR, NOT)."
    )
    value: str | None = strawberry.field(
        description=(
            "The customer's value as a literal (`NULL` when unknown, `('a', 'b')` for sets); "
            "null for AND, OR, NOT. Personal data is masked for ANALYST keys."
        )
    )
    children: list[SegmentClause] = strawberry.field(
        description="The operands of AND, OR and NOT; empty for a predicate."
    )

    @classmethod
    def of(cls, node: Explanation, *, mask: bool) -> SegmentClause:
        value = node.value_text
        if mask and node.attribute in _PII_ATTRIBUTES and node.value is not None:
            value = "'***'"
        return cls(
            text=node.text,
            outcome=node.outcome,
            attribute=node.attribute,
            value=value,
            children=[cls.of(child, mask=mask) for child in node.children],
        )


def _predicates(clause: SegmentClause) -> Iterable[SegmentClause]:
    if not clause.children:
        yield clause
    for child in clause.children:
        yield from _predicates(child)


@strawberry.type(description="Why a customer is or is not in a segment, clause by clause.")
class SegmentExplanation:
    customer_id: relay.GlobalID = strawberry.field(description="The customer explained.")
    matched: bool = strawberry.field(description="Whether the whole query held (TRUE).")
    tree: SegmentClause = strawberry.field(description="The query as a tree of clauses.")

    @strawberry.field(description="The predicates (leaves of the tree), in query order.")
    def clauses(self) -> list[SegmentClause]:
        return list(_predicates(self.tree))


def _refuse_personal(query: str) -> None:
    """An explanation tells, per clause, what held: for a masked principal a clause on
    personal data would reveal it (masking the value is not enough), so it is refused."""
    try:
        parse(query, MASKED_CATALOG)
    except SegmentQueryError as error:
        raise ApiError(f"explain: {error.reason}", TopLevelCode.FORBIDDEN) from None


async def explain_for(
    info: strawberry.Info, query: Expr, customer_gid: str
) -> SegmentExplanation | None:
    """The explanation of `query` for one customer; None when no live customer has the id."""
    customer_id = decode_id_or_bad_request(customer_gid, "Customer")
    evaluation = request_evaluation(info)
    async with info.context.services.read() as conn:
        snapshots = await load_snapshots(
            conn,
            [customer_id],
            as_of=evaluation.as_of,
            zone=evaluation.zone,
            currency_exponent=evaluation.currency_exponent,
        )
    snapshot = snapshots.get(customer_id)
    if snapshot is None:
        return None
    tree = SegmentClause.of(explain(query, snapshot), mask=masked(info))
    return SegmentExplanation(
        customer_id=relay.GlobalID("Customer", str(customer_id)),
        matched=tree.outcome is Outcome.TRUE,
        tree=tree,
    )


def preview_size(first: int | None) -> int:
    """How many customers a preview shows; outside 0..MAX_PREVIEW it is a top-level
    BAD_REQUEST, the connections' rule for `first`."""
    if first is None:
        return DEFAULT_PREVIEW
    if not 0 <= first <= MAX_PREVIEW:
        raise ApiError(
            f"first: a preview shows between 0 and {MAX_PREVIEW} customers",
            TopLevelCode.BAD_REQUEST,
        )
    return first


async def preview_customers(
    info: strawberry.Info, query: Expr, first: int | None
) -> list[Annotated[Customer, strawberry.lazy("api.customers.types")]]:
    """The first matching customers (oldest first), at most MAX_PREVIEW."""
    from api.customers.loaders import CustomerByIdLoader
    from api.customers.types import Customer

    size = preview_size(first)
    if size == 0:
        return []
    evaluation = request_evaluation(info)
    async with info.context.services.read() as conn:
        ids = await first_matching(
            conn,
            query,
            as_of=evaluation.as_of,
            zone=evaluation.zone,
            limit=size,
            currency_exponent=evaluation.currency_exponent,
        )
    views = await info.context.loader(CustomerByIdLoader).load_many(ids)
    currency = info.context.services.settings.base_currency
    return [Customer.from_view(view, currency) for view in views if view is not None]


PREVIEW_DOC = (
    f"How many customers to show: {DEFAULT_PREVIEW} by default, 0 to {MAX_PREVIEW} (outside "
    "that range the request is refused with BAD_REQUEST, as the connections' `first`)."
)


@strawberry.type(description="A saved query over customers, e.g. `tier = 'GOLD' AND ...`.")
class Segment(relay.Node):
    id: relay.NodeID[str]
    name: str = strawberry.field(description="Unique name (case-insensitive).")
    query: str = strawberry.field(description="The query in the segment language, as saved.")
    description: str
    status: SegmentStatus = strawberry.field(description="Whether the query still parses.")
    problem: SegmentQueryProblem | None = strawberry.field(
        description="Why the query no longer parses (INVALID segments only)."
    )
    created_at: datetime
    updated_at: datetime
    model: strawberry.Private[SegmentModel]

    @classmethod
    def from_model(cls, segment: SegmentModel) -> Segment:
        return cls(
            id=str(segment.id),
            name=segment.name,
            query=segment.query_text,
            description=segment.description,
            status=segment.status,
            problem=SegmentQueryProblem.of(segment.problem) if segment.problem else None,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            model=segment,
        )

    @strawberry.field(
        description=(
            "How many customers match now (live; null for an INVALID segment). Counted "
            "for the whole page in one statement; `membersCount` is the cheap stored figure."
        )
    )
    async def count(self, info: strawberry.Info) -> int | None:
        return await info.context.loader(LiveCountLoader).load(self.model)

    @strawberry.field(
        description=(
            "How many customers the last re-evaluation stored as members (those whose "
            "entering and leaving were reported); 0 before the first re-evaluation."
        )
    )
    async def members_count(self, info: strawberry.Info) -> int:
        found = await info.context.loader(StoredMemberCountLoader).load(self.model.id)
        return found or 0

    @strawberry.field(
        description=(
            "The first matching customers now (oldest first); empty when INVALID. One "
            "query per segment: ask for it on one segment, not on a long list."
        )
    )
    async def customers(
        self,
        info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PREVIEW_DOC)] = None,
    ) -> list[Annotated[Customer, strawberry.lazy("api.customers.types")]]:
        if self.model.query is None:
            return []
        return await preview_customers(info, self.model.query, first)

    @strawberry.field(
        description=(
            "For one customer: whether the query holds, and per clause the outcome and the "
            "value seen. Null when no live customer has that id or the segment is INVALID. "
            "Refused (FORBIDDEN) for ANALYST keys when the query tests personal data."
        )
    )
    async def explain(
        self,
        info: strawberry.Info,
        customer_id: Annotated[strawberry.ID, strawberry.argument(description="A Customer id.")],
    ) -> SegmentExplanation | None:
        if self.model.query is None:
            return None
        if masked(info):
            _refuse_personal(self.model.query_text)
        return await explain_for(info, self.model.query, customer_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=SEGMENT_READERS)
        found = await info.context.loader(SegmentByIdLoader).load_many(ids)
        return [cls.from_model(s) if s is not None else None for s in found]


@strawberry.type(description="What an unsaved query would select now.")
class SegmentPreview:
    count: int | None = strawberry.field(description="Matching customers; null when invalid.")
    customers: list[Annotated[Customer, strawberry.lazy("api.customers.types")]] = strawberry.field(
        description="The first matching customers (oldest first)."
    )
    error: SegmentQueryProblem | None = strawberry.field(
        description="Why the query does not parse (then count is null, customers empty)."
    )
