"""The segment and tag repositories under the domain's use cases, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.events import DomainEvent
from domain.ids import new_id
from domain.segments.errors import SegmentNameTaken
from domain.segments.events import SegmentMembershipChanged, SegmentReevaluated
from domain.segments.membership import reevaluate_segment, reevaluate_segments
from domain.segments.model import SegmentStatus
from domain.segments.services import (
    CreateSegment,
    DeleteSegment,
    UpdateSegment,
    create_segment,
    delete_segment,
    update_segment,
)
from domain.tags.errors import RuleTagNotEditable, SegmentUsedByRuleTag, TagAlreadyInUse
from domain.tags.merge import TagsMergeParticipant
from domain.tags.rules import DefineRuleTag, DropRuleTag, define_rule_tag, drop_rule_tag
from domain.tags.services import (
    TagByQuery,
    TagCustomers,
    UntagByQuery,
    add_tags,
    add_tags_by_query,
    remove_tags_by_query,
)
from persistence.stepped import SteppedUnitOfWork
from persistence.tables.segments import segment_members, segments
from persistence.tables.tags import customer_tags
from tests.integration.segments.rows import CustomerFacts, Stats, insert_customers

AS_OF = date(2026, 3, 30)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


async def customers_with(engine: AsyncEngine, *facts: CustomerFacts) -> list[UUID]:
    async with engine.begin() as conn:
        await insert_customers(conn, list(facts))
    return [f.id for f in facts]


async def tags_of(engine: AsyncEngine, customer_id: UUID) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(customer_tags.c.tag, customer_tags.c.kind).where(
                customer_tags.c.customer_id == customer_id
            )
        )
        return dict(rows.all())


async def members(engine: AsyncEngine, segment_id: UUID) -> set[UUID]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(segment_members.c.customer_id).where(segment_members.c.segment_id == segment_id)
        )
        return set(rows.scalars())


class Recorder:
    """A publisher keeping what was published after each commit."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)


async def test_a_segment_round_trips_and_names_are_unique_case_insensitively(
    services: Services,
) -> None:
    created = await create_segment(
        services.uow(), services.clock, CreateSegment(name="Big spenders", query="net_spent > 500")
    )
    async with services.uow() as uow:
        loaded = await uow.segments.get(created.id)
        by_name = await uow.segments.get_by_name("BIG SPENDERS")
    assert loaded is not None and loaded.query == created.query
    assert by_name is not None and by_name.id == created.id
    with pytest.raises(SegmentNameTaken):
        await create_segment(
            services.uow(), services.clock, CreateSegment(name="big spenders", query="tier = 'A'")
        )
    updated = await update_segment(
        services.uow(),
        services.clock,
        UpdateSegment(segment_id=created.id, query="net_spent > 600", description="Top"),
    )
    assert updated.query_text == "net_spent > 600"


async def test_two_concurrent_creates_of_one_name_leave_one_segment(
    services: Services, engine: AsyncEngine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are serialised on SQLite")

    async def create() -> object:
        try:
            return await create_segment(
                services.uow(), services.clock, CreateSegment(name="Twins", query="tier = 'A'")
            )
        except SegmentNameTaken as error:
            return error

    outcomes = await asyncio.gather(create(), create())
    assert sum(isinstance(o, SegmentNameTaken) for o in outcomes) == 1
    async with engine.connect() as conn:
        assert len((await conn.execute(select(segments.c.id))).all()) == 1


async def test_reevaluation_records_who_entered_and_left_in_bounded_parts(
    services: Services, engine: AsyncEngine
) -> None:
    recorder = Recorder()
    services.publisher = recorder
    gold = [CustomerFacts(tier="GOLD") for _ in range(5)]
    silver = CustomerFacts(tier="SILVER")
    await customers_with(engine, *gold, silver)
    segment = await create_segment(
        services.uow(), services.clock, CreateSegment(name="Gold", query="tier = 'GOLD'")
    )
    uow = SteppedUnitOfWork(services.uow)

    first = await reevaluate_segment(uow, segment.id, as_of=AS_OF, chunk_size=2)
    assert (first.entered, first.left) == (5, 0)
    assert await members(engine, segment.id) == {f.id for f in gold}
    parts = [e for e in recorder.events if isinstance(e, SegmentMembershipChanged)]
    assert [len(p.entered) for p in parts] == [2, 2, 1]
    assert {i for p in parts for i in p.entered} == {f.id for f in gold}

    # Two customers change tier: one leaves, one enters; a second run changes nothing.
    async with engine.begin() as conn:
        from persistence.tables.loyalty import memberships

        await conn.execute(
            memberships.update()
            .where(memberships.c.customer_id == gold[0].id)
            .values(tier_code="SILVER")
        )
        await conn.execute(
            memberships.update()
            .where(memberships.c.customer_id == silver.id)
            .values(tier_code="GOLD")
        )
    second = await reevaluate_segment(uow, segment.id, as_of=AS_OF)
    assert (second.entered, second.left) == (1, 1)
    third = await reevaluate_segment(uow, segment.id, as_of=AS_OF)
    assert (third.entered, third.left) == (0, 0)
    done = [e for e in recorder.events if isinstance(e, SegmentReevaluated)]
    assert [(e.entered_count, e.left_count) for e in done] == [(5, 0), (1, 1), (0, 0)]


async def test_a_saved_segment_whose_query_no_longer_parses_is_skipped_not_fatal(
    services: Services, engine: AsyncEngine
) -> None:
    broken_id = new_id()
    async with engine.begin() as conn:
        await conn.execute(
            insert(segments).values(
                id=broken_id,
                name="Old",
                name_key="old",
                query="loyalty_score > 3",
                description="",
                created_at=EPOCH,
                updated_at=EPOCH,
            )
        )
    good = await create_segment(
        services.uow(), services.clock, CreateSegment(name="Everyone", query="orders_count >= 0")
    )
    await customers_with(engine, CustomerFacts())
    async with services.uow() as uow:
        broken = await uow.segments.get(broken_id)
    assert broken is not None and broken.status is SegmentStatus.INVALID
    assert broken.problem is not None and "loyalty_score" in broken.problem.message

    outcomes = await reevaluate_segments(SteppedUnitOfWork(services.uow), as_of=AS_OF)
    by_id = {o.segment_id: o for o in outcomes}
    assert by_id[broken_id].skipped and "loyalty_score" in (by_id[broken_id].problem or "")
    assert by_id[good.id].entered == 1


async def test_rule_tags_follow_their_segment_and_cannot_be_set_by_hand(
    services: Services, engine: AsyncEngine
) -> None:
    rich, poor = await customers_with(
        engine, CustomerFacts(stats=Stats(orders_count=1, net_spent=90_000)), CustomerFacts()
    )
    segment = await create_segment(
        services.uow(), services.clock, CreateSegment(name="Rich", query="net_spent > 500")
    )
    uow = SteppedUnitOfWork(services.uow)
    await reevaluate_segment(uow, segment.id, as_of=AS_OF)
    await define_rule_tag(services.uow(), services.clock, DefineRuleTag("Big Spender", segment.id))
    assert await tags_of(engine, rich) == {"big spender": "RULE"}
    assert await tags_of(engine, poor) == {}

    with pytest.raises(RuleTagNotEditable):
        await add_tags(services.uow(), TagCustomers((poor,), ("big spender",)))
    with pytest.raises(TagAlreadyInUse):
        await define_rule_tag(
            services.uow(), services.clock, DefineRuleTag("big spender", segment.id)
        )
    with pytest.raises(SegmentUsedByRuleTag):
        await delete_segment(services.uow(), DeleteSegment(segment.id))

    # The poor customer spends: the next re-evaluation moves the rule tag along.
    from persistence.tables.orders import customer_stats

    async with engine.begin() as conn:
        await conn.execute(
            insert(customer_stats).values(
                customer_id=poor,
                orders_count=1,
                net_spent=70_000,
                average_order_value=70_000,
                refunds_count=0,
                refunded_total=0,
            )
        )
        await conn.execute(
            customer_stats.update()
            .where(customer_stats.c.customer_id == rich)
            .values(net_spent=100)
        )
    await reevaluate_segment(uow, segment.id, as_of=AS_OF)
    assert await tags_of(engine, rich) == {}
    assert await tags_of(engine, poor) == {"big spender": "RULE"}

    assert await drop_rule_tag(services.uow(), DropRuleTag("big spender")) == 1
    assert await tags_of(engine, poor) == {}
    await delete_segment(services.uow(), DeleteSegment(segment.id))
    assert await members(engine, segment.id) == set()


async def test_tagging_by_query_commits_in_batches_with_progress(
    services: Services, engine: AsyncEngine
) -> None:
    ids = await customers_with(
        engine, *[CustomerFacts(tier="GOLD") for _ in range(7)], CustomerFacts(tier="SILVER")
    )
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    change = await add_tags_by_query(
        SteppedUnitOfWork(services.uow),
        services.clock,
        TagByQuery("tier = 'GOLD'", ("Winter", "vip"), AS_OF),
        batch_size=3,
        progress=progress,
    )
    assert (change.customers, change.changed, change.batches) == (7, 14, 3)
    assert seen == [(3, 7), (6, 7), (7, 7)]
    assert await tags_of(engine, ids[0]) == {"winter": "MANUAL", "vip": "MANUAL"}
    assert await tags_of(engine, ids[-1]) == {}

    removed = await remove_tags_by_query(
        SteppedUnitOfWork(services.uow),
        services.clock,
        UntagByQuery("tags CONTAINS 'winter'", ("winter",), AS_OF),
        batch_size=5,
    )
    assert (removed.customers, removed.changed, removed.batches) == (7, 7, 2)
    assert await tags_of(engine, ids[0]) == {"vip": "MANUAL"}


async def test_a_merge_moves_the_losers_manual_tags_and_undo_moves_them_back(
    services: Services, engine: AsyncEngine
) -> None:
    loser, winner = await customers_with(
        engine,
        CustomerFacts(tags={"vip": "MANUAL", "b2b": "MANUAL", "ruled": "RULE"}),
        CustomerFacts(tags={"b2b": "MANUAL"}),
    )
    participant = TagsMergeParticipant()
    async with services.uow() as uow:
        preview = await participant.preview(uow, loser, winner)
        moved = await participant.apply(uow, loser, winner)
        await uow.commit()
    assert preview.moves == {"tags": 1}
    assert await tags_of(engine, winner) == {"b2b": "MANUAL", "vip": "MANUAL"}
    assert await tags_of(engine, loser) == {"b2b": "MANUAL", "ruled": "RULE"}
    async with services.uow() as uow:
        await participant.undo(uow, loser, winner, moved)
        await uow.commit()
    assert await tags_of(engine, winner) == {"b2b": "MANUAL"}
    assert await tags_of(engine, loser) == {"vip": "MANUAL", "b2b": "MANUAL", "ruled": "RULE"}


async def test_tags_by_customer_loads_a_batch_in_one_statement(engine: AsyncEngine) -> None:
    from persistence.queries.tags import tags_by_customer
    from tests.support.statements import count_statements

    a, b, c = await customers_with(
        engine,
        CustomerFacts(tags={"vip": "MANUAL", "b2b": "MANUAL"}),
        CustomerFacts(tags={"gold": "RULE"}),
        CustomerFacts(),
    )
    with count_statements(engine) as counter:
        async with engine.connect() as conn:
            found = await tags_by_customer(conn, [a, b, c])
    assert counter.count == 1
    assert [(v.tag, v.kind) for v in found[a]] == [("b2b", "MANUAL"), ("vip", "MANUAL")]
    assert [(v.tag, v.kind) for v in found[b]] == [("gold", "RULE")]
    assert c not in found
