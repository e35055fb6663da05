from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.loyalty.errors import (
    DuplicateTierCode,
    DuplicateTierRank,
    InvalidTier,
    InvalidTierLadder,
    TierNotFound,
)
from domain.loyalty.tier_services import (
    CreateTier,
    UpdateTier,
    create_tier,
    list_tiers,
    update_tier,
)
from domain.loyalty.tiers import (
    MAX_CODE,
    MAX_MULTIPLIER,
    MAX_NAME,
    QualificationMetric,
    Tier,
    TierLadder,
    default_tiers,
)
from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork


def make_tier(**overrides: object) -> Tier:
    fields: dict[str, object] = {
        "code": "DIAMOND",
        "name": "Diamond",
        "rank": 9,
        "threshold": 1_000_000,
        "multiplier": Decimal("3"),
    }
    fields.update(overrides)
    return Tier(**fields)  # type: ignore[arg-type]


def test_default_tiers_climb_from_member_at_zero() -> None:
    ladder = TierLadder(default_tiers())

    assert [t.code for t in ladder.tiers] == ["MEMBER", "SILVER", "GOLD", "PLATINUM"]
    assert ladder.lowest.threshold == 0
    thresholds = [t.threshold for t in ladder.tiers]
    multipliers = [t.multiplier for t in ladder.tiers]
    assert thresholds == sorted(thresholds) and len(set(thresholds)) == 4
    assert multipliers == sorted(multipliers)
    assert all(t.hold_months == 12 and t.benefits for t in ladder.tiers)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"multiplier": Decimal("0")}, "multiplier"),
        ({"multiplier": Decimal("-1.5")}, "multiplier"),
        ({"multiplier": MAX_MULTIPLIER + Decimal("0.0001")}, "multiplier"),
        ({"multiplier": Decimal("1e25")}, "multiplier"),
        ({"multiplier": Decimal("Infinity")}, "multiplier"),
        ({"multiplier": Decimal("NaN")}, "multiplier"),
        ({"threshold": -1}, "threshold"),
        ({"code": "gold"}, "code"),
        ({"code": "G" * (MAX_CODE + 1)}, "code"),
        ({"code": "GOLD\n"}, "code"),
        ({"name": "  "}, "name"),
        ({"name": "n" * (MAX_NAME + 1)}, "name"),
        ({"hold_months": -1}, "holdMonths"),
        ({"benefits": ("",)}, "benefits"),
    ],
)
def test_a_tier_with_an_out_of_range_field_is_refused(
    overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidTier) as error:
        make_tier(**overrides)

    assert error.value.field == (field,)


def test_the_widest_code_and_name_are_accepted() -> None:
    tier = make_tier(code="G" * MAX_CODE, name="n" * MAX_NAME)

    assert (len(tier.code), len(tier.name)) == (MAX_CODE, MAX_NAME)


async def test_listing_tiers_seeds_the_defaults_once() -> None:
    uow = FakeLoyaltyUnitOfWork()

    first = await list_tiers(uow)
    second = await list_tiers(uow)

    assert [t.code for t in first] == ["MEMBER", "SILVER", "GOLD", "PLATINUM"]
    assert second == first
    assert len(uow.tiers.rows) == 4


async def test_create_tier_adds_it_to_the_ladder() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    tier = await create_tier(
        uow,
        CreateTier(
            code="DIAMOND",
            name="Diamond",
            rank=4,
            threshold=2_000,
            metric=QualificationMetric.POINTS_EARNED_365D,
            multiplier=Decimal("2.5"),
            benefits=["Concierge"],
        ),
    )

    assert tier.benefits == ("Concierge",)
    assert [t.code for t in await list_tiers(uow)][-1] == "DIAMOND"
    assert uow.committed == 3


async def test_create_tier_with_a_taken_code_is_refused() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(DuplicateTierCode) as error:
        await create_tier(uow, CreateTier(code="GOLD", name="Gold 2", rank=7, threshold=1))

    assert error.value.field == ("code",)
    assert len(uow.tiers.rows) == 4


async def test_create_tier_with_a_taken_rank_is_refused() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(DuplicateTierRank) as error:
        await create_tier(uow, CreateTier(code="BRONZE", name="Bronze", rank=1, threshold=1))

    assert error.value.field == ("rank",)


async def test_the_lowest_tier_must_need_nothing() -> None:
    uow = FakeLoyaltyUnitOfWork()

    with pytest.raises(InvalidTierLadder) as error:
        await create_tier(uow, CreateTier(code="BASIC", name="Basic", rank=0, threshold=5))

    assert error.value.field == ("threshold",)
    assert uow.tiers.rows == {}


async def test_update_tier_changes_the_given_fields_only() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    tier = await update_tier(
        uow, UpdateTier(code="GOLD", multiplier=Decimal("1.75"), benefits=["Lounge"])
    )

    assert (tier.code, tier.multiplier, tier.benefits) == ("GOLD", Decimal("1.75"), ("Lounge",))
    assert tier.threshold == 150_000
    stored = {t.code: t for t in await list_tiers(uow)}
    assert stored["GOLD"] == tier


async def test_update_tier_refuses_a_lowest_tier_above_zero() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(InvalidTierLadder) as error:
        await update_tier(uow, UpdateTier(code="MEMBER", threshold=100))

    assert error.value.field == ("threshold",)
    assert {t.code: t for t in await list_tiers(uow)}["MEMBER"].threshold == 0


async def test_update_of_an_unknown_tier_is_refused() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(TierNotFound) as error:
        await update_tier(uow, UpdateTier(code="BRONZE", name="Bronze"))

    assert error.value.field == ("code",)


async def test_update_tier_refuses_a_rank_taken_by_another_tier() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(DuplicateTierRank):
        await update_tier(uow, UpdateTier(code="GOLD", rank=1))


def test_the_highest_multiplier_is_accepted() -> None:
    assert make_tier(multiplier=MAX_MULTIPLIER).multiplier == Decimal("100")


async def test_a_tier_ranked_above_one_of_its_metric_with_a_lower_threshold_is_refused() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)
    await create_tier(uow, CreateTier(code="DIAMOND", name="D", rank=4, threshold=1_000_000))

    with pytest.raises(InvalidTierLadder) as error:
        await create_tier(uow, CreateTier(code="JUMP", name="J", rank=12, threshold=100))

    assert error.value.field == ("threshold",)
    assert "JUMP" in error.value.message and "SILVER" in error.value.message
    assert "JUMP" not in {t.code for t in await list_tiers(uow)}


async def test_a_tier_needs_a_strictly_higher_threshold_than_the_tier_below() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(InvalidTierLadder) as error:
        await create_tier(uow, CreateTier(code="TOP", name="T", rank=9, threshold=500_000))

    assert "PLATINUM" in error.value.message


async def test_a_tier_ranked_below_one_of_its_metric_with_a_higher_threshold_is_refused() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)
    await update_tier(uow, UpdateTier(code="PLATINUM", rank=10))

    with pytest.raises(InvalidTierLadder) as error:
        await create_tier(uow, CreateTier(code="MID", name="M", rank=5, threshold=600_000))

    assert "PLATINUM" in error.value.message


@pytest.mark.parametrize(
    "change",
    [
        UpdateTier(code="GOLD", threshold=50_000),
        UpdateTier(code="GOLD", threshold=900_000),
        UpdateTier(code="SILVER", rank=9),
        UpdateTier(code="GOLD", metric=QualificationMetric.POINTS_EARNED_365D, threshold=0),
    ],
)
async def test_a_change_that_breaks_the_climb_is_refused(change: UpdateTier) -> None:
    uow = FakeLoyaltyUnitOfWork()
    before = await list_tiers(uow)

    with pytest.raises(InvalidTierLadder) as error:
        await update_tier(uow, change)

    assert error.value.field == ("threshold",)
    assert await list_tiers(uow) == before


async def test_tiers_of_another_metric_are_another_path_up() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    fan = await create_tier(
        uow,
        CreateTier(
            code="FAN",
            name="Fan",
            rank=7,
            threshold=300,
            metric=QualificationMetric.POINTS_EARNED_365D,
        ),
    )

    # 300 is below every spend threshold: points are compared with points only.
    assert [t.code for t in await list_tiers(uow)][-1] == fan.code


async def test_a_tier_above_the_entry_tier_needs_more_than_nothing_on_any_metric() -> None:
    uow = FakeLoyaltyUnitOfWork()
    await list_tiers(uow)

    with pytest.raises(InvalidTierLadder) as error:
        await create_tier(
            uow,
            CreateTier(
                code="FREE",
                name="Free",
                rank=7,
                threshold=0,
                metric=QualificationMetric.POINTS_EARNED_365D,
            ),
        )

    assert "entry tier MEMBER" in error.value.message


def test_a_stored_ladder_out_of_line_still_loads_and_can_be_fixed() -> None:
    # Ladders stored before the rule load as they are; a change is refused only for a
    # conflict it adds.
    member, silver, gold, platinum = default_tiers()
    jump = make_tier(code="JUMP", rank=12, threshold=100)
    ladder = TierLadder([member, silver, gold, platinum, jump])

    renamed = ladder.with_tier(replace(silver, name="Silver+"))
    fixed = renamed.with_tier(replace(jump, threshold=1_000_000))

    assert fixed.get("JUMP").threshold == 1_000_000
    assert ladder.out_of_line() and not fixed.out_of_line()
    with pytest.raises(InvalidTierLadder):
        ladder.with_tier(replace(gold, threshold=10))
