"""Adding and removing manual tags by ids and by query; rule tags are not editable."""

from __future__ import annotations

import pytest

from domain.ids import new_id
from domain.segments.errors import SegmentQueryError
from domain.tags.errors import (
    CustomersNotFound,
    InvalidTag,
    NoCustomersGiven,
    RuleTagNotEditable,
    TooManyCustomers,
)
from domain.tags.events import CustomersTagged, CustomersUntagged
from domain.tags.model import RuleTag, Tag
from domain.tags.services import (
    MAX_CUSTOMER_IDS,
    TagByQuery,
    TagCustomers,
    UntagByQuery,
    UntagCustomers,
    add_tags,
    add_tags_by_query,
    count_tag_targets,
    remove_tags,
    remove_tags_by_query,
)
from tests.unit.fakes import FixedClock
from tests.unit.segments.builders import make_snapshot
from tests.unit.tags.fakes import FakeTagsUnitOfWork


def uow_with(count: int, **facts: object) -> FakeTagsUnitOfWork:
    uow = FakeTagsUnitOfWork()
    uow.base.add(*(make_snapshot(**facts) for _ in range(count)))
    return uow


async def test_add_tags_gives_customers_normalised_tags_once() -> None:
    uow = uow_with(2)
    first, second = uow.base.ordered_ids
    uow.base.tags[first].add("vip")
    result = await add_tags(uow, TagCustomers(customer_ids=(first, second), tags=(" VIP", "B2B")))
    assert (result.customers, result.changed) == (2, 3)
    assert uow.base.tags[second] == {"vip", "b2b"}
    assert uow.published == [CustomersTagged(tags=("vip", "b2b"), customer_ids=(first, second))]


async def test_remove_tags_takes_only_the_named_tags_off() -> None:
    uow = uow_with(1)
    (customer,) = uow.base.ordered_ids
    uow.base.tags[customer].update({"vip", "b2b"})
    result = await remove_tags(uow, UntagCustomers(customer_ids=(customer,), tags=("vip", "x")))
    assert result.changed == 1 and uow.base.tags[customer] == {"b2b"}
    assert isinstance(uow.published[-1], CustomersUntagged)


async def test_unknown_customers_are_refused_and_named_by_index() -> None:
    uow = uow_with(1)
    (known,) = uow.base.ordered_ids
    with pytest.raises(CustomersNotFound) as caught:
        await add_tags(uow, TagCustomers(customer_ids=(known, new_id()), tags=("vip",)))
    assert caught.value.field == ("customerIds", "1")
    assert uow.base.tags[known] == set() and uow.committed == 0


async def test_requests_with_no_or_too_many_ids_are_refused() -> None:
    uow = uow_with(0)
    with pytest.raises(NoCustomersGiven):
        await add_tags(uow, TagCustomers(customer_ids=(), tags=("vip",)))
    ids = tuple(new_id() for _ in range(MAX_CUSTOMER_IDS + 1))
    with pytest.raises(TooManyCustomers) as caught:
        await add_tags(uow, TagCustomers(customer_ids=ids, tags=("vip",)))
    assert caught.value.field == ("customerIds",)


async def test_invalid_tags_are_refused_before_anything_changes() -> None:
    uow = uow_with(1)
    with pytest.raises(InvalidTag) as caught:
        await add_tags(
            uow, TagCustomers(customer_ids=tuple(uow.base.ordered_ids), tags=("ok", "bad!"))
        )
    assert caught.value.field == ("tags", "1")


async def test_a_rule_tag_cannot_be_added_or_removed_by_hand() -> None:
    uow = uow_with(1)
    clock = FixedClock()
    await uow.rule_tags.add(RuleTag(tag=Tag("lapsed"), segment_id=new_id(), created_at=clock.now()))
    ids = tuple(uow.base.ordered_ids)
    with pytest.raises(RuleTagNotEditable) as caught:
        await add_tags(uow, TagCustomers(customer_ids=ids, tags=("vip", "Lapsed")))
    assert caught.value.field == ("tags", "1")
    with pytest.raises(RuleTagNotEditable):
        await remove_tags(uow, UntagCustomers(customer_ids=ids, tags=("lapsed",)))
    with pytest.raises(RuleTagNotEditable):
        await add_tags_by_query(uow, clock, TagByQuery(query="age > 1", tags=("lapsed",)))
    assert uow.base.tags[ids[0]] == set()


async def test_tagging_by_query_commits_in_batches_and_reports_progress() -> None:
    # Given 100,000 customers of whom half are GOLD
    uow = FakeTagsUnitOfWork()
    uow.base.add(*(make_snapshot(tier="GOLD" if n % 2 else "SILVER") for n in range(100_000)))
    reports: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        reports.append((done, total))

    # When they are tagged by query in batches of 1,000
    result = await add_tags_by_query(
        uow,
        FixedClock(),
        TagByQuery(query="tier = 'GOLD'", tags=("gold-2026",)),
        progress=progress,
    )
    # Then 50 batches committed, each reported and announced with its own ids
    assert (result.customers, result.changed, result.batches) == (50_000, 50_000, 50)
    assert uow.committed == 50
    assert reports[0] == (1_000, 50_000) and reports[-1] == (50_000, 50_000)
    assert len(reports) == 50
    events = [e for e in uow.published if isinstance(e, CustomersTagged)]
    assert len(events) == 50 and all(len(e.customer_ids) == 1_000 for e in events)
    tagged = {i for i, tags in uow.base.tags.items() if "gold-2026" in tags}
    assert len(tagged) == 50_000
    assert all(uow.base.snapshots[i].tier == "GOLD" for i in tagged)


async def test_a_query_run_that_fails_midway_keeps_the_batches_already_committed() -> None:
    uow = uow_with(25, tier="GOLD")
    calls = 0

    async def failing(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker lost")

    with pytest.raises(RuntimeError):
        await add_tags_by_query(
            uow,
            FixedClock(),
            TagByQuery(query="tier = 'GOLD'", tags=("x",)),
            batch_size=10,
            progress=failing,
        )
    assert uow.committed == 2
    assert sum("x" in tags for tags in uow.base.tags.values()) == 20


async def test_untagging_by_query_counts_only_rows_removed() -> None:
    uow = uow_with(3, tier="GOLD")
    first = uow.base.ordered_ids[0]
    uow.base.tags[first].add("x")
    result = await remove_tags_by_query(
        uow, FixedClock(), UntagByQuery(query="tier = 'GOLD'", tags=("x",)), batch_size=2
    )
    assert (result.customers, result.changed, result.batches) == (3, 1, 2)
    assert uow.base.tags[first] == set()


async def test_a_bad_query_is_refused_with_its_position_before_any_batch() -> None:
    uow = uow_with(3)
    with pytest.raises(SegmentQueryError) as caught:
        await add_tags_by_query(uow, FixedClock(), TagByQuery(query="tier >> 1", tags=("x",)))
    assert (caught.value.column, caught.value.field) == (7, ("query",))
    assert uow.committed == 0


async def test_count_tag_targets_tells_how_many_a_query_would_touch() -> None:
    uow = uow_with(4, orders_count=2)
    uow.base.add(make_snapshot(orders_count=0))
    assert (
        await count_tag_targets(
            uow, FixedClock(), TagByQuery(query="orders_count > 1", tags=("x",))
        )
        == 4
    )
