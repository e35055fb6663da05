"""Inputs and payloads of the segment mutations."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from api.background.types import Job
from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.segments.types import Segment

DRY_RUN_DOC = "Validate and count only: nothing is saved; `count` is the would-be count."


@strawberry.input(description="A new saved segment.")
class SegmentCreateInput:
    name: str = strawberry.field(description="1 to 100 characters, unique (case-insensitive).")
    query: str = strawberry.field(description="The query in the segment language.")
    description: str = strawberry.field(default="", description="At most 2,000 characters.")
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN_DOC)
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="Changes to a segment; omitted fields stay as they are.")
class SegmentUpdateInput:
    id: strawberry.ID = strawberry.field(description="The segment.")
    name: str | None = strawberry.field(default=None, description="A new name.")
    query: str | None = strawberry.field(
        default=None, description="A new query (repairs an INVALID segment)."
    )
    description: str | None = strawberry.field(default=None, description="A new description.")
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN_DOC)
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class SegmentPayload:
    segment: Segment | None = strawberry.field(
        default=None, description="The segment as saved (null for a dry run)."
    )
    count: int | None = strawberry.field(
        default=None, description="How many customers the (would-be) segment matches now."
    )
    dry_run: bool = strawberry.field(default=False, description="Whether nothing was saved.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The segment to delete.")
class SegmentDeleteInput:
    id: strawberry.ID = strawberry.field(description="The segment.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class SegmentDeletePayload:
    deleted_segment_id: relay.GlobalID | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Which segments to re-evaluate, and as of when.")
class SegmentReevaluateInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="One segment; every saved segment when omitted."
    )
    as_of: date | None = strawberry.field(
        default=None, description="The store-local date to evaluate as of (default: today)."
    )
    background: bool = strawberry.field(
        default=False,
        description="Run as a background Job (returns `jobId`) instead of inside the request.",
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The outcome of re-evaluating one segment.")
class SegmentReevaluation:
    segment_id: relay.GlobalID
    entered: int = strawberry.field(description="Customers who joined.")
    left: int = strawberry.field(description="Customers who left.")
    problem: str | None = strawberry.field(
        description=(
            "Why the segment was skipped: its query no longer parses, or failed when run "
            "(its members are then unchanged; the others are re-evaluated all the same)."
        )
    )


@strawberry.type
class SegmentReevaluatePayload:
    results: list[SegmentReevaluation] | None = strawberry.field(
        default=None, description="Per segment (null when run in the background)."
    )
    job: Job | None = strawberry.field(
        default=None,
        description="The background Job, when `background` was asked for: follow it with "
        "`jobUpdated` or `job(id:)`.",
    )
    job_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The background Job's id.",
        deprecation_reason="Use `job { id }`.",
    )
    user_errors: list[UserError] = user_errors_field()
