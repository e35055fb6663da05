"""Saved segments: create, update, delete, and segments whose query broke."""

from __future__ import annotations

import pytest

from domain.ids import new_id
from domain.segments.errors import (
    InvalidSegment,
    SegmentNameTaken,
    SegmentNotFound,
    SegmentQueryBroken,
    SegmentQueryError,
)
from domain.segments.events import SegmentCreated, SegmentDeleted, SegmentUpdated
from domain.segments.model import SegmentStatus
from domain.segments.services import (
    CreateSegment,
    DeleteSegment,
    UpdateSegment,
    create_segment,
    delete_segment,
    update_segment,
)
from tests.unit.fakes import FixedClock
from tests.unit.segments.fakes import FakeSegmentsUnitOfWork


async def test_create_segment_saves_the_query_and_announces_it() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(
        uow,
        clock,
        CreateSegment(name=" Lapsed gold ", query="tier = 'GOLD' AND last_order_days > 90"),
    )
    stored = await uow.segments.get(segment.id)
    assert stored is not None and stored.status is SegmentStatus.VALID
    assert stored.name == "Lapsed gold" and stored.created_at == clock.now()
    assert uow.committed == 1
    assert uow.published == [
        SegmentCreated(
            segment_id=segment.id,
            segment_name="Lapsed gold",
            query="tier = 'GOLD' AND last_order_days > 90",
        )
    ]


async def test_an_invalid_query_is_refused_with_its_position_and_nothing_is_saved() -> None:
    uow = FakeSegmentsUnitOfWork()
    with pytest.raises(SegmentQueryError) as caught:
        await create_segment(uow, FixedClock(), CreateSegment(name="x", query="tier >"))
    assert (caught.value.line, caught.value.column, caught.value.field) == (1, 7, ("query",))
    assert uow.segments.rows == {} and uow.committed == 0


async def test_names_must_be_present_and_unique_case_insensitively() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    with pytest.raises(InvalidSegment) as caught:
        await create_segment(uow, clock, CreateSegment(name="  ", query="age > 1"))
    assert caught.value.field == ("name",)
    await create_segment(uow, clock, CreateSegment(name="VIP", query="age > 1"))
    with pytest.raises(SegmentNameTaken) as taken:
        await create_segment(uow, clock, CreateSegment(name="vip", query="age > 2"))
    assert taken.value.field == ("name",)
    assert len(uow.segments.rows) == 1


async def test_update_segment_changes_only_what_is_given_and_names_the_fields() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="A", query="age > 1"))
    clock.advance(hours=1)
    updated = await update_segment(
        uow, clock, UpdateSegment(segment_id=segment.id, query="age > 2", description="older")
    )
    assert (updated.name, updated.query_text, updated.description) == ("A", "age > 2", "older")
    assert updated.updated_at == clock.now() and updated.created_at < clock.now()
    assert uow.published[-1] == SegmentUpdated(
        segment_id=segment.id, fields=("query", "description"), query="age > 2"
    )
    assert segment.id in uow.segments.locked


async def test_an_update_with_a_bad_query_changes_nothing() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="A", query="age > 1"))
    with pytest.raises(SegmentQueryError):
        await update_segment(
            uow, clock, UpdateSegment(segment_id=segment.id, name="B", query="age >> 1")
        )
    stored = await uow.segments.get(segment.id)
    assert stored is not None and (stored.name, stored.query_text) == ("A", "age > 1")


async def test_an_update_that_changes_nothing_emits_nothing() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="A", query="age > 1"))
    await update_segment(uow, clock, UpdateSegment(segment_id=segment.id, name="A"))
    assert [type(e) for e in uow.published] == [SegmentCreated]


async def test_updating_or_deleting_an_unknown_segment_is_not_found() -> None:
    uow = FakeSegmentsUnitOfWork()
    with pytest.raises(SegmentNotFound):
        await update_segment(uow, FixedClock(), UpdateSegment(segment_id=new_id(), name="x"))
    with pytest.raises(SegmentNotFound) as caught:
        await delete_segment(uow, DeleteSegment(segment_id=new_id()))
    assert caught.value.field == ("id",)


async def test_delete_segment_removes_it_and_announces_it() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="A", query="age > 1"))
    await delete_segment(uow, DeleteSegment(segment_id=segment.id))
    assert uow.segments.rows == {}
    assert uow.published[-1] == SegmentDeleted(segment_id=segment.id, segment_name="A")


async def test_a_segment_whose_query_no_longer_parses_loads_as_invalid_not_fatal() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(
        uow, clock, CreateSegment(name="Unhappy", query="age > 30 AND open_tickets > 0")
    )
    uow.segments.catalog = uow.segments.catalog.without("open_tickets")  # catalog change
    loaded = await uow.segments.get(segment.id)
    assert loaded is not None and loaded.status is SegmentStatus.INVALID
    assert loaded.query is None and loaded.problem is not None
    assert (loaded.problem.line, loaded.problem.column) == (1, 14)
    assert "unknown attribute 'open_tickets'" in loaded.problem.reason
    with pytest.raises(SegmentQueryBroken):
        loaded.require_query()


async def test_an_invalid_segment_is_repaired_by_saving_a_valid_query() -> None:
    uow, clock = FakeSegmentsUnitOfWork(), FixedClock()
    segment = await create_segment(uow, clock, CreateSegment(name="U", query="open_tickets > 0"))
    uow.segments.catalog = uow.segments.catalog.without("open_tickets")
    repaired = await update_segment(
        uow, clock, UpdateSegment(segment_id=segment.id, query="age > 1")
    )
    assert repaired.status is SegmentStatus.VALID and repaired.problem is None
