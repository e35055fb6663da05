"""Mutations of tags: add and remove manual tags (by ids or by query), rule tags."""

from __future__ import annotations

import strawberry
from strawberry import relay

from api.background.launch import launch_job
from api.background.types import Job
from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.mutation import mutation
from api.relay import decode_id
from api.segments.checking import checked_query
from api.segments.evaluation import request_evaluation
from api.segments.mutations import SegmentWriters
from api.tags.types import RuleTag
from domain.errors import ValidationFailed
from domain.tags.model import tags_of
from domain.tags.rules import DefineRuleTag, DropRuleTag, define_rule_tag, drop_rule_tag
from domain.tags.services import (
    JOB_THRESHOLD,
    MAX_CUSTOMER_IDS,
    TagByQuery,
    TagChange,
    TagCustomers,
    UntagByQuery,
    UntagCustomers,
    add_tags,
    add_tags_by_query,
    count_tag_targets,
    remove_tags,
    remove_tags_by_query,
)
from persistence.stepped import SteppedUnitOfWork

APPLY_ACTOR = "tags.apply_by_query"
_TARGET_DOC = (
    f"Give either `customerIds` (at most {MAX_CUSTOMER_IDS}) or `query` (a segment-language "
    f"query; more than {JOB_THRESHOLD} matching customers run as a background Job)."
)


@strawberry.input(description=f"Tags and the customers to change. {_TARGET_DOC}")
class TagsChangeInput:
    tags: list[str] = strawberry.field(description="Manual tags (normalised on the way in).")
    customer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Customers by id."
    )
    query: str | None = strawberry.field(
        default=None, description="Every customer this segment query matches now."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class TagsChangePayload:
    customers_count: int | None = strawberry.field(
        default=None, description="Customers matched (when done inside the request)."
    )
    changed_count: int | None = strawberry.field(
        default=None, description="Tag assignments actually added or removed."
    )
    batches: int | None = strawberry.field(
        default=None, description="Transactions it was committed in (by query)."
    )
    job: Job | None = strawberry.field(
        default=None,
        description="The background Job doing the work, when the query matched many customers: "
        "follow it with `jobUpdated` or `job(id:)`.",
    )
    job_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The background Job's id.",
        deprecation_reason="Use `job { id }`.",
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Make a tag follow a segment's members.")
class RuleTagDefineInput:
    tag: str = strawberry.field(description="A tag no customer carries yet.")
    segment_id: strawberry.ID = strawberry.field(description="The segment to follow.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class RuleTagDefinePayload:
    rule_tag: RuleTag | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The rule tag to drop.")
class RuleTagDropInput:
    tag: str
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class RuleTagDropPayload:
    removed_count: int | None = strawberry.field(
        default=None, description="Customers who lost the tag."
    )
    user_errors: list[UserError] = user_errors_field()


class TagTargetMissing(ValidationFailed):
    """Raised when a tag request gives both or neither of customerIds and query."""


def _done(change: TagChange) -> TagsChangePayload:
    return TagsChangePayload(
        customers_count=change.customers, changed_count=change.changed, batches=change.batches
    )


async def _change(
    info: strawberry.Info, data: TagsChangeInput, *, adding: bool
) -> TagsChangePayload:
    services = info.context.services
    if (data.customer_ids is None) == (data.query is None):
        raise TagTargetMissing("give either customerIds or query", field=("customerIds",))
    tags = tuple(data.tags)
    if data.customer_ids is not None:
        ids = tuple(
            decode_id(value, "Customer", field=("customerIds", str(index)))
            for index, value in enumerate(data.customer_ids)
        )
        if adding:
            return _done(await add_tags(services.uow(), TagCustomers(ids, tags)))
        return _done(await remove_tags(services.uow(), UntagCustomers(ids, tags)))
    assert data.query is not None
    tags_of(tags)  # refuse bad tags before counting
    await checked_query(info, data.query)  # known tiers; no personal data for ANALYST
    as_of = request_evaluation(info).as_of
    total = await count_tag_targets(
        services.uow(), services.clock, TagByQuery(data.query, tags, as_of)
    )
    if total > JOB_THRESHOLD:
        job = await launch_job(
            info,
            APPLY_ACTOR,
            total=total,
            query=data.query,
            tags=list(tags),
            remove=not adding,
            as_of=as_of.isoformat(),
        )
        return TagsChangePayload(job=job, job_id=relay.GlobalID("Job", job.id))
    uow = SteppedUnitOfWork(services.uow)
    if adding:
        change = await add_tags_by_query(uow, services.clock, TagByQuery(data.query, tags, as_of))
    else:
        change = await remove_tags_by_query(
            uow, services.clock, UntagByQuery(data.query, tags, as_of)
        )
    return _done(change)


@strawberry.type
class TagMutation:
    @mutation(
        description=f"Add manual tags to customers (MARKETER, ADMIN). {_TARGET_DOC}",
        permission_classes=[SegmentWriters],
    )
    async def tags_add(self, info: strawberry.Info, input: TagsChangeInput) -> TagsChangePayload:
        return await _change(info, input, adding=True)

    @mutation(
        description=f"Remove manual tags from customers (MARKETER, ADMIN). {_TARGET_DOC}",
        permission_classes=[SegmentWriters],
    )
    async def tags_remove(self, info: strawberry.Info, input: TagsChangeInput) -> TagsChangePayload:
        return await _change(info, input, adding=False)

    @mutation(
        description=(
            "Define a rule tag (MARKETER, ADMIN): the tag is given to the segment's stored "
            "members now and kept equal to them at every re-evaluation."
        ),
        permission_classes=[SegmentWriters],
    )
    async def rule_tag_define(
        self, info: strawberry.Info, input: RuleTagDefineInput
    ) -> RuleTagDefinePayload:
        services = info.context.services
        command = DefineRuleTag(
            tag=input.tag, segment_id=decode_id(input.segment_id, "Segment", field=("segmentId",))
        )
        rule = await define_rule_tag(services.uow(), services.clock, command)
        return RuleTagDefinePayload(
            rule_tag=RuleTag(
                tag=rule.tag.value, created_at=rule.created_at, segment_id=rule.segment_id
            )
        )

    @mutation(
        description="Drop a rule tag and take it off every customer (MARKETER, ADMIN).",
        permission_classes=[SegmentWriters],
    )
    async def rule_tag_drop(
        self, info: strawberry.Info, input: RuleTagDropInput
    ) -> RuleTagDropPayload:
        removed = await drop_rule_tag(info.context.services.uow(), DropRuleTag(tag=input.tag))
        return RuleTagDropPayload(removed_count=removed)
