"""Re-evaluating saved segments: who entered and left, bounded events, broken segments."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.segments.events import SegmentMembershipChanged, SegmentReevaluated
from domain.segments.membership import reevaluate_segments
from domain.segments.services import CreateSegment, create_segment
from tests.unit.fakes import FixedClock
from tests.unit.segments.builders import AS_OF, make_snapshot
from tests.unit.segments.fakes import FakeSegmentsUnitOfWork


async def test_reevaluation_records_who_entered_and_who_left() -> None:
    uow = FakeSegmentsUnitOfWork()
    gold, silver = make_snapshot(tier="GOLD"), make_snapshot(tier="SILVER")
    uow.base.add(gold, silver)
    segment = await create_segment(
        uow, FixedClock(), CreateSegment(name="Gold", query="tier = 'GOLD'")
    )
    uow.published.clear()

    # Given a first run
    first = await reevaluate_segments(uow, as_of=AS_OF)
    assert [(r.entered, r.left) for r in first] == [(1, 0)]
    assert uow.published == [
        SegmentMembershipChanged(
            segment_id=segment.id, as_of=AS_OF, part=1, entered=(gold.customer_id,), left=()
        ),
        SegmentReevaluated(segment_id=segment.id, as_of=AS_OF, entered_count=1, left_count=0),
    ]
    # When the customers change tiers
    uow.base.add(
        make_snapshot(customer_id=gold.customer_id, tier="SILVER"),
        make_snapshot(customer_id=silver.customer_id, tier="GOLD"),
    )
    uow.published.clear()
    await reevaluate_segments(uow, as_of=AS_OF)
    # Then one left and one entered
    (changed, done) = uow.published
    assert isinstance(changed, SegmentMembershipChanged)
    assert (changed.entered, changed.left) == ((silver.customer_id,), (gold.customer_id,))
    assert done == SegmentReevaluated(
        segment_id=segment.id, as_of=AS_OF, entered_count=1, left_count=1
    )


async def test_a_second_run_for_the_same_date_changes_nothing() -> None:
    uow = FakeSegmentsUnitOfWork()
    uow.base.add(make_snapshot(tier="GOLD"))
    await create_segment(uow, FixedClock(), CreateSegment(name="G", query="tier = 'GOLD'"))
    await reevaluate_segments(uow, as_of=AS_OF)
    uow.published.clear()
    (result,) = await reevaluate_segments(uow, as_of=AS_OF)
    assert (result.entered, result.left) == (0, 0)
    assert [type(e) for e in uow.published] == [SegmentReevaluated]


async def test_membership_events_are_chunked_to_a_bounded_size() -> None:
    uow = FakeSegmentsUnitOfWork()
    uow.base.add(*(make_snapshot(orders_count=1) for _ in range(2_500)))
    segment = await create_segment(
        uow, FixedClock(), CreateSegment(name="Buyers", query="orders_count >= 1")
    )
    (result,) = await reevaluate_segments(uow, as_of=AS_OF)
    changes = [e for e in uow.published if isinstance(e, SegmentMembershipChanged)]
    assert [len(e.entered) for e in changes] == [1_000, 1_000, 500]
    assert [e.part for e in changes] == [1, 2, 3]
    assert result.entered == 2_500
    assert uow.segment_memberships.members[segment.id] == set(uow.base.ordered_ids)


async def test_days_attributes_are_evaluated_as_of_the_run_date() -> None:
    uow = FakeSegmentsUnitOfWork()
    uow.base.add(make_snapshot(last_order_at=datetime(2025, 12, 1, tzinfo=UTC)))
    await create_segment(
        uow, FixedClock(), CreateSegment(name="Lapsed", query="last_order_days > 90")
    )
    (early,) = await reevaluate_segments(uow, as_of=AS_OF)
    (late,) = await reevaluate_segments(uow, as_of=datetime(2026, 3, 2).date())
    assert (early.entered, late.entered) == (0, 1)


async def test_a_broken_segment_is_skipped_and_reported_while_others_run() -> None:
    uow = FakeSegmentsUnitOfWork()
    uow.base.add(make_snapshot(tier="GOLD", open_tickets=2))
    clock = FixedClock()
    broken = await create_segment(uow, clock, CreateSegment(name="B", query="open_tickets > 0"))
    fine = await create_segment(uow, clock, CreateSegment(name="F", query="tier = 'GOLD'"))
    uow.segments.catalog = uow.segments.catalog.without("open_tickets")
    results = {r.segment_id: r for r in await reevaluate_segments(uow, as_of=AS_OF)}
    assert results[broken.id].skipped
    assert "unknown attribute 'open_tickets'" in (results[broken.id].problem or "")
    assert (results[fine.id].skipped, results[fine.id].entered) == (False, 1)
    assert broken.id not in uow.segment_memberships.members
