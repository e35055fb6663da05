"""Rule tags follow their segment through re-evaluation; merges move manual tags."""

from __future__ import annotations

import pytest

from domain.bus import EventHandlers
from domain.customers.participants import Participants
from domain.ids import new_id
from domain.segments.errors import SegmentNotFound, SegmentQueryBroken
from domain.segments.membership import reevaluate_segments
from domain.segments.services import CreateSegment, DeleteSegment, create_segment, delete_segment
from domain.tags.errors import RuleTagNotFound, SegmentUsedByRuleTag, TagAlreadyInUse
from domain.tags.events import RuleTagDropped, RuleTagSynced
from domain.tags.handlers import register_handlers
from domain.tags.merge import TagsMergeParticipant, register_participants
from domain.tags.model import Tag
from domain.tags.rules import DefineRuleTag, DropRuleTag, define_rule_tag, drop_rule_tag
from tests.unit.fakes import FixedClock
from tests.unit.segments.builders import AS_OF, make_snapshot
from tests.unit.tags.fakes import FakeTagsUnitOfWork


def wired() -> FakeTagsUnitOfWork:
    handlers = EventHandlers()
    register_handlers(handlers)
    return FakeTagsUnitOfWork(handlers=handlers)


async def test_a_rule_tag_follows_its_segment_at_each_reevaluation() -> None:
    uow, clock = wired(), FixedClock()
    gold, silver = make_snapshot(tier="GOLD"), make_snapshot(tier="SILVER")
    uow.base.add(gold, silver)
    segment = await create_segment(uow, clock, CreateSegment(name="G", query="tier = 'GOLD'"))
    await define_rule_tag(uow, clock, DefineRuleTag(tag="Gold Club", segment_id=segment.id))
    assert uow.base.tags[gold.customer_id] == set()  # membership not computed yet

    await reevaluate_segments(uow, as_of=AS_OF)
    assert uow.base.tags[gold.customer_id] == {"gold club"}
    assert (
        RuleTagSynced(tag="gold club", segment_id=segment.id, added_count=1, removed_count=0)
        in uow.published
    )

    uow.base.add(make_snapshot(customer_id=gold.customer_id, tier="SILVER"))
    await reevaluate_segments(uow, as_of=AS_OF)
    assert uow.base.tags[gold.customer_id] == set()
    assert uow.base.tags[silver.customer_id] == set()


async def test_a_rule_tag_needs_a_valid_segment_and_an_unused_tag() -> None:
    uow, clock = wired(), FixedClock()
    uow.base.add(make_snapshot(tags={"vip"}))
    with pytest.raises(SegmentNotFound) as missing:
        await define_rule_tag(uow, clock, DefineRuleTag(tag="x", segment_id=new_id()))
    assert missing.value.field == ("segmentId",)
    segment = await create_segment(uow, clock, CreateSegment(name="S", query="open_tickets > 0"))
    with pytest.raises(TagAlreadyInUse):
        await define_rule_tag(uow, clock, DefineRuleTag(tag="VIP", segment_id=segment.id))
    uow.segments.catalog = uow.segments.catalog.without("open_tickets")
    with pytest.raises(SegmentQueryBroken):
        await define_rule_tag(uow, clock, DefineRuleTag(tag="new", segment_id=segment.id))
    assert uow.rule_tags.rules == {}


async def test_a_segment_followed_by_a_rule_tag_cannot_be_deleted() -> None:
    uow, clock = wired(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="S", query="age > 1"))
    await define_rule_tag(uow, clock, DefineRuleTag(tag="adults", segment_id=segment.id))
    committed = uow.committed
    with pytest.raises(SegmentUsedByRuleTag) as caught:
        await delete_segment(uow, DeleteSegment(segment_id=segment.id))
    assert "'adults'" in caught.value.message
    assert uow.committed == committed


async def test_dropping_a_rule_tag_takes_it_off_everyone() -> None:
    uow, clock = wired(), FixedClock()
    uow.base.add(make_snapshot(tier="GOLD"), make_snapshot(tier="GOLD"))
    segment = await create_segment(uow, clock, CreateSegment(name="G", query="tier = 'GOLD'"))
    await define_rule_tag(uow, clock, DefineRuleTag(tag="g", segment_id=segment.id))
    await reevaluate_segments(uow, as_of=AS_OF)
    removed = await drop_rule_tag(uow, DropRuleTag(tag="G"))
    assert removed == 2 and uow.rule_tags.rules == {}
    assert uow.published[-1] == RuleTagDropped(tag="g", segment_id=segment.id, removed_count=2)
    with pytest.raises(RuleTagNotFound):
        await drop_rule_tag(uow, DropRuleTag(tag="g"))


async def test_merge_moves_the_losers_manual_tags_and_undo_moves_them_back() -> None:
    uow = wired()
    loser, winner = make_snapshot(tags={"vip", "b2b"}), make_snapshot(tags={"b2b", "eu"})
    uow.base.add(loser, winner)
    participant = TagsMergeParticipant()
    preview = await participant.preview(uow, loser.customer_id, winner.customer_id)
    assert preview.moves == {"tags": 1} and preview.blockers == ()

    moved = await participant.apply(uow, loser.customer_id, winner.customer_id)
    assert uow.base.tags[winner.customer_id] == {"vip", "b2b", "eu"}
    assert uow.base.tags[loser.customer_id] == {"b2b"}
    assert len(moved["tags"]) == 1

    await participant.undo(uow, loser.customer_id, winner.customer_id, moved)
    assert uow.base.tags[loser.customer_id] == {"vip", "b2b"}
    assert uow.base.tags[winner.customer_id] == {"b2b", "eu"}


async def test_merge_leaves_rule_tags_to_the_next_reevaluation() -> None:
    uow, clock = wired(), FixedClock()
    loser, winner = make_snapshot(tier="GOLD"), make_snapshot()
    uow.base.add(loser, winner)
    segment = await create_segment(uow, clock, CreateSegment(name="G", query="tier = 'GOLD'"))
    await define_rule_tag(uow, clock, DefineRuleTag(tag="g", segment_id=segment.id))
    await reevaluate_segments(uow, as_of=AS_OF)
    moved = await TagsMergeParticipant().apply(uow, loser.customer_id, winner.customer_id)
    assert moved == {"tags": ()}
    assert uow.base.tags[winner.customer_id] == set()
    assert Tag("g") in uow.rule_tags.rules


def test_the_tags_participant_registers_under_its_name() -> None:
    participants = Participants()
    register_participants(participants)
    assert [p.name for p in participants.merge_participants()] == ["tags"]
