"""Rule tags: tags kept equal to a saved segment's members.

A rule tag is synced right away when defined (from the segment's stored membership) and
again in the transaction of every re-evaluation of its segment (`on_segment_reevaluated`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.ports import Clock
from domain.segments.errors import SegmentNotFound
from domain.segments.events import SegmentDeleted, SegmentReevaluated
from domain.tags.errors import RuleTagNotFound, SegmentUsedByRuleTag, TagAlreadyInUse
from domain.tags.events import RuleTagDefined, RuleTagDropped, RuleTagSynced
from domain.tags.model import RuleTag, Tag
from domain.tags.repository import TagsUnitOfWork


@dataclass(frozen=True)
class DefineRuleTag:
    """Make `tag` a rule tag following segment `segment_id`."""

    tag: str
    segment_id: UUID


@dataclass(frozen=True)
class DropRuleTag:
    """Remove rule tag `tag` (and the tag from every customer)."""

    tag: str


async def define_rule_tag(uow: TagsUnitOfWork, clock: Clock, command: DefineRuleTag) -> RuleTag:
    """Define a rule tag on a valid segment; refused if the tag is already used."""
    tag = Tag.of(command.tag, field=("tag",))
    async with uow:
        segment = await uow.segments.get(command.segment_id)
        if segment is None:
            raise SegmentNotFound(f"no segment with id {command.segment_id}", field=("segmentId",))
        segment.require_query()
        if await uow.rule_tags.get(tag) is not None or await uow.tag_assignments.is_in_use(tag):
            raise TagAlreadyInUse(
                f"tag '{tag}' is already in use; pick a tag no customer carries",
                field=("tag",),
            )
        rule = RuleTag(tag=tag, segment_id=segment.id, created_at=clock.now())
        await uow.rule_tags.add(rule)
        uow.emit(RuleTagDefined(tag=tag.value, segment_id=segment.id))
        await _sync(uow, rule)
        await uow.commit()
    return rule


async def drop_rule_tag(uow: TagsUnitOfWork, command: DropRuleTag) -> int:
    """Delete a rule tag and take it off every customer; returns how many lost it."""
    tag = Tag.of(command.tag, field=("tag",))
    async with uow:
        rule = await uow.rule_tags.get(tag)
        if rule is None:
            raise RuleTagNotFound(f"'{tag}' is not a rule tag", field=("tag",))
        removed = await uow.tag_assignments.drop_tag(tag)
        await uow.rule_tags.delete(tag)
        uow.emit(RuleTagDropped(tag=tag.value, segment_id=rule.segment_id, removed_count=removed))
        await uow.commit()
    return removed


async def on_segment_reevaluated(event: SegmentReevaluated, uow: Any) -> None:
    """Keep the segment's rule tags equal to its new membership, in the same transaction."""
    tags_uow: TagsUnitOfWork = uow
    for rule in await tags_uow.rule_tags.for_segment(event.segment_id):
        await _sync(tags_uow, rule)


async def on_segment_deleted(event: SegmentDeleted, uow: Any) -> None:
    """Refuse to delete a segment that a rule tag follows (the deletion rolls back)."""
    tags_uow: TagsUnitOfWork = uow
    rules = await tags_uow.rule_tags.for_segment(event.segment_id)
    if rules:
        names = ", ".join(f"'{rule.tag}'" for rule in rules)
        raise SegmentUsedByRuleTag(
            f"segment '{event.segment_name}' is followed by rule tag {names}; drop it first",
            field=("id",),
        )


async def _sync(uow: TagsUnitOfWork, rule: RuleTag) -> None:
    added, removed = await uow.tag_assignments.sync_rule_tag(rule.tag, rule.segment_id)
    if added or removed:
        uow.emit(
            RuleTagSynced(
                tag=rule.tag.value,
                segment_id=rule.segment_id,
                added_count=added,
                removed_count=removed,
            )
        )
