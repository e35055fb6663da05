"""Readable cases of what the SQL of each attribute means (the property test covers the rest)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.segments.catalog import Operator
from domain.segments.evaluator import evaluate
from domain.segments.language import parse
from domain.segments.printer import to_text
from domain.segments.syntax import Attr, Between, Compare, InList
from persistence.queries.segments import (
    compile_query,
    count_matching,
    customer_query_filter,
    first_matching,
    load_snapshots,
)
from persistence.tables.customers import customers
from tests.integration.segments.rows import (
    CustomerFacts,
    EventFacts,
    OrderFacts,
    Scores,
    Stats,
    insert_customers,
)

ZONE = ZoneInfo("Europe/Paris")
AS_OF = date(2026, 3, 30)  # the day after the spring DST change in Paris


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


async def matching(engine: AsyncEngine, text: str) -> set[str]:
    """Names (first_name) of the customers `text` matches; asserts the evaluator agrees."""
    query = parse(text)
    compiled = compile_query(query, as_of=AS_OF, zone=ZONE)
    async with engine.connect() as conn:
        ids = set((await conn.execute(compiled.ids())).scalars())
        every = list((await conn.execute(select(customers.c.id))).scalars())
        snapshots = await load_snapshots(conn, every, as_of=AS_OF, zone=ZONE)
        names = dict((await conn.execute(select(customers.c.id, customers.c.first_name))).all())
    assert ids == {i for i, s in snapshots.items() if evaluate(query, s)}, text
    return {names[i] for i in ids}


async def given(engine: AsyncEngine, *facts: CustomerFacts) -> None:
    async with engine.begin() as conn:
        await insert_customers(conn, list(facts))


def named(name: str, **fields: Any) -> CustomerFacts:
    profile = dict(fields.pop("profile", {}))
    profile["first_name"] = name
    return CustomerFacts(profile=profile, **fields)


async def test_days_are_counted_between_local_dates_of_the_store(engine: AsyncEngine) -> None:
    # 00:30 local on 28 March is 23:30 UTC on 27 March: 2 local days ago, 3 UTC days ago.
    await given(
        engine,
        named("just-after-midnight", created_at=local(AS_OF - timedelta(days=2), 0, 30)),
        named("just-before-midnight", created_at=local(AS_OF - timedelta(days=2), 23, 59)),
        named("three-days", created_at=local(AS_OF - timedelta(days=3), 23, 59)),
    )
    assert await matching(engine, "created_days = 2") == {
        "just-after-midnight",
        "just-before-midnight",
    }
    assert await matching(engine, "created_days >= 3") == {"three-days"}
    assert await matching(engine, "created_days BETWEEN 1 AND 2") == {
        "just-after-midnight",
        "just-before-midnight",
    }


async def test_customers_without_orders_have_zero_orders_and_unknown_last_order(
    engine: AsyncEngine,
) -> None:
    await given(
        engine,
        named("prospect"),
        named(
            "buyer",
            stats=Stats(
                orders_count=2, net_spent=12_345, last_order_at=local(AS_OF - timedelta(days=100))
            ),
        ),
    )
    assert await matching(engine, "orders_count = 0") == {"prospect"}
    assert await matching(engine, "NOT orders_count > 0") == {"prospect"}
    assert await matching(engine, "net_spent > 123.44") == {"buyer"}
    assert await matching(engine, "net_spent >= 123.451") == set()
    assert await matching(engine, "last_order_days > 90") == {"buyer"}
    # Unknown is neither more nor less than 90: NOT keeps the prospect out too.
    assert await matching(engine, "NOT last_order_days > 90") == set()
    assert await matching(engine, "last_order_days IS NULL") == {"prospect"}


async def test_not_on_an_unknown_value_matches_nobody(engine: AsyncEngine) -> None:
    await given(engine, named("gold", tier="GOLD"), named("no-membership"))
    assert await matching(engine, "tier = 'GOLD'") == {"gold"}
    assert await matching(engine, "tier != 'GOLD'") == set()
    assert await matching(engine, "NOT tier IN ('GOLD', 'SILVER')") == set()
    assert await matching(engine, "tier NOT IN ('SILVER') OR tier IS NULL") == {
        "gold",
        "no-membership",
    }


async def test_sets_are_never_unknown(engine: AsyncEngine) -> None:
    await given(
        engine,
        named("vip", tags={"vip": "MANUAL"}, identities=["shopify"]),
        named("plain", orders=[OrderFacts(channel="pos", lines=[("TEE-1", "shirts")])]),
        named("cancelled", orders=[OrderFacts(status="CANCELLED", lines=[("TEE-1", "shirts")])]),
    )
    assert await matching(engine, "tags CONTAINS 'VIP'") == {"vip"}
    assert await matching(engine, "NOT tags CONTAINS 'vip'") == {"plain", "cancelled"}
    assert await matching(engine, "channels CONTAINS 'pos'") == {"plain"}
    assert await matching(engine, "channels CONTAINS 'shopify'") == {"vip"}
    # A cancelled order is no purchase: nothing was bought, but its channel is known.
    assert await matching(engine, "skus CONTAINS 'TEE-1' AND categories CONTAINS 'shirts'") == {
        "plain"
    }


async def test_behaviour_attributes(engine: AsyncEngine) -> None:
    week_ago, yesterday = local(AS_OF - timedelta(days=7), 12), local(AS_OF - timedelta(days=1), 12)
    await given(
        engine,
        named(
            "abandoned",
            events=[EventFacts("ADD_TO_CART", week_ago), EventFacts("PAGE_VIEW", yesterday)],
        ),
        named(
            "bought-after",
            events=[EventFacts("CHECKOUT_STARTED", week_ago)],
            stats=Stats(orders_count=1, last_order_at=week_ago + timedelta(hours=1)),
        ),
        named(
            "reviewer",
            events=[
                EventFacts("REVIEW_POSTED", week_ago, rating=5),
                EventFacts("REVIEW_POSTED", yesterday, rating=2),
            ],
        ),
    )
    assert await matching(engine, "cart_abandoned_days = 7") == {"abandoned"}
    assert await matching(engine, "cart_abandoned_days IS NOT NULL") == {"abandoned"}
    assert await matching(engine, "last_seen_days <= 1") == {"abandoned", "reviewer"}
    assert await matching(engine, "last_seen_days > 1") == {"bought-after"}
    assert await matching(engine, "last_review_rating <= 2") == {"reviewer"}


async def test_scores_and_tickets_are_read_from_their_tables(engine: AsyncEngine) -> None:
    await given(
        engine,
        named("champion", scores=Scores(rfm_group="CHAMPIONS", clv=250_000, rfm_recency=5)),
        named("helped", tickets=["OPEN", "RESOLVED", "WAITING_ON_CUSTOMER"]),
    )
    assert await matching(engine, "rfm_group = 'champions' AND clv > 2000") == {"champion"}
    assert await matching(engine, "open_tickets = 2") == {"helped"}
    assert await matching(engine, "open_tickets = 0") == {"champion"}
    assert await matching(engine, "rfm_recency IS NULL") == {"helped"}


async def test_age_and_birthday_month_count_29_february_on_1_march(engine: AsyncEngine) -> None:
    await given(
        engine,
        named("leapling", profile={"birthday": date(2000, 2, 29)}),
        named("march", profile={"birthday": date(2000, 3, 31)}),
    )
    # On 30 March 2026 the leapling is 26, "march" turns 26 tomorrow.
    assert await matching(engine, "age = 26") == {"leapling"}
    assert await matching(engine, "age < 26") == {"march"}
    assert await matching(engine, "birthday_month IN (2, 3)") == {"leapling", "march"}
    assert await matching(engine, "birthday < '2000-03-01'") == {"leapling"}


async def test_email_is_case_insensitive_and_metadata_is_text_only(engine: AsyncEngine) -> None:
    await given(
        engine,
        named(
            "ana",
            profile={"email": "Ana@Example.com"},
            public_metadata={"size": "M"},
            private_metadata={"size": "L", "source": "fair"},
        ),
        named("bo", public_metadata={"size": 42, "source-x": "web"}),
    )
    assert await matching(engine, "email = 'ANA@example.COM'") == {"ana"}
    assert await matching(engine, "meta.size = 'M'") == {"ana"}  # public wins over private
    assert await matching(engine, "meta.source = 'fair'") == {"ana"}  # private when no public
    assert await matching(engine, "meta.size IS NULL") == {"bo"}  # a number is not text
    assert await matching(engine, "meta.source-x = 'web'") == {"bo"}


async def test_merged_and_erased_customers_never_match(engine: AsyncEngine) -> None:
    await given(
        engine,
        named("winner"),
        named("loser", state="MERGED"),
        named("gone", state="ERASED"),
    )
    assert await matching(engine, "orders_count = 0") == {"winner"}


async def test_the_list_filter_pages_and_counts(engine: AsyncEngine) -> None:
    facts = [named(f"c{i}", tier="GOLD" if i % 2 else "SILVER") for i in range(7)]
    await given(engine, *facts)
    query = parse("tier = 'GOLD'")
    async with engine.connect() as conn:
        assert await count_matching(conn, query, as_of=AS_OF, zone=ZONE) == 3
        first = await first_matching(conn, query, as_of=AS_OF, zone=ZONE, limit=2)
        rest = await first_matching(conn, query, as_of=AS_OF, zone=ZONE, limit=2, after=first[-1])
        condition = customer_query_filter("tier = 'GOLD'", as_of=AS_OF, zone=ZONE)
        listed = (await conn.execute(select(customers.c.first_name).where(condition))).scalars()
    gold = sorted(f.id for f in facts if f.tier == "GOLD")
    assert first + rest == gold
    assert sorted(listed) == ["c1", "c3", "c5"]


@pytest.mark.parametrize("text", ["tier = 5", "unknown_thing = 1"])
def test_the_list_filter_refuses_a_bad_query(text: str) -> None:
    from domain.segments.errors import SegmentQueryError

    with pytest.raises(SegmentQueryError):
        customer_query_filter(text, as_of=AS_OF, zone=ZONE)


# Trees built directly (the parser refuses these literals): the compiler must still only
# bind constants each column's type can hold, with the meaning the evaluator gives.
_BEYOND_COLUMNS = [
    Compare(Attr("orders_count"), Operator.GT, 2**31),
    Compare(Attr("orders_count"), Operator.LT, 2**31),
    InList(Attr("orders_count"), (999_999_999_999_999, -1, 0)),
    InList(Attr("refunds_count"), (2**31,), negated=True),
    Compare(Attr("birthday_month"), Operator.EQ, 2**31),
    Compare(Attr("rfm_recency"), Operator.NE, 2**31),
    Between(Attr("rfm_frequency"), -(2**40), 2**40),
    Compare(Attr("open_tickets"), Operator.GT, 2**31),
    Compare(Attr("last_review_rating"), Operator.LT, 40_000),
    Compare(Attr("last_review_rating"), Operator.GE, -40_000),
    Compare(Attr("churn_risk"), Operator.GT, Decimal(2**31)),
    Compare(Attr("churn_risk"), Operator.LE, Decimal(-(2**31))),
    Compare(Attr("net_spent"), Operator.GT, Decimal(10**17)),
]


@pytest.mark.parametrize("query", _BEYOND_COLUMNS, ids=to_text)
async def test_constants_beyond_a_columns_type_are_never_bound(
    engine: AsyncEngine, query: Any
) -> None:
    await given(
        engine,
        named(
            "scored",
            stats=Stats(orders_count=2),
            scores=Scores(rfm_recency=3, rfm_frequency=4, churn_risk=Decimal("0.5")),
            events=[EventFacts("REVIEW_POSTED", local(AS_OF - timedelta(days=1), 12), rating=4)],
            profile={"birthday": date(1990, 5, 1)},
        ),
        named("blank"),
    )
    compiled = compile_query(query, as_of=AS_OF, zone=ZONE)
    async with engine.connect() as conn:
        ids = set((await conn.execute(compiled.ids())).scalars())
        every = list((await conn.execute(select(customers.c.id))).scalars())
        snapshots = await load_snapshots(conn, every, as_of=AS_OF, zone=ZONE)
    assert ids == {i for i, s in snapshots.items() if evaluate(query, s)}
