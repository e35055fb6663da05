"""Use cases on tiers: create, update, list, seed the defaults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.loyalty.tiers import QualificationMetric, Tier, TierLadder, default_tiers


@dataclass(frozen=True, kw_only=True)
class CreateTier:
    code: str
    name: str
    rank: int
    threshold: int
    metric: QualificationMetric = QualificationMetric.NET_SPEND_365D
    multiplier: Decimal = Decimal("1")
    benefits: Sequence[str] = ()
    hold_months: int = 12


@dataclass(frozen=True, kw_only=True)
class UpdateTier:
    """Change the given fields of tier `code` (None leaves a field as it is)."""

    code: str
    name: str | None = None
    rank: int | None = None
    threshold: int | None = None
    metric: QualificationMetric | None = None
    multiplier: Decimal | None = None
    benefits: Sequence[str] | None = None
    hold_months: int | None = None


async def load_ladder(uow: LoyaltyUnitOfWork) -> TierLadder:
    """The configured tiers; seeds the default set inside `uow` when there are none yet."""
    ladder = TierLadder(await uow.tiers.list())
    if ladder:
        return ladder
    ladder = TierLadder(default_tiers())
    for tier in ladder.tiers:
        await uow.tiers.add(tier)
    return ladder


async def create_tier(uow: LoyaltyUnitOfWork, command: CreateTier) -> Tier:
    """Add a tier; refuses a taken code or rank, a ladder whose lowest tier needs spend,
    and a tier out of line with the others (`TierLadder.out_of_line`)."""
    async with uow:
        tier = Tier(
            code=command.code,
            name=command.name,
            rank=command.rank,
            metric=command.metric,
            threshold=command.threshold,
            multiplier=command.multiplier,
            benefits=tuple(command.benefits),
            hold_months=command.hold_months,
        )
        TierLadder(await uow.tiers.list()).with_new(tier)
        await uow.tiers.add(tier)
        await uow.commit()
        return tier


async def update_tier(uow: LoyaltyUnitOfWork, command: UpdateTier) -> Tier:
    """Change a tier's fields; the ladder's rules are checked again (the tier must stay in
    line with the others). Members keep their tier until the next qualification or
    evaluation."""
    async with uow:
        ladder = TierLadder(await uow.tiers.list())
        tier = ladder.get(command.code).revised(
            name=command.name,
            rank=command.rank,
            metric=command.metric,
            threshold=command.threshold,
            multiplier=command.multiplier,
            benefits=command.benefits,
            hold_months=command.hold_months,
        )
        ladder.with_tier(tier)
        await uow.tiers.save(tier)
        await uow.commit()
        return tier


async def list_tiers(uow: LoyaltyUnitOfWork) -> Sequence[Tier]:
    """Every tier by rank (the defaults are seeded on first use)."""
    async with uow:
        ladder = await load_ladder(uow)
        await uow.commit()
        return ladder.tiers


async def seed_default_tiers(uow: LoyaltyUnitOfWork) -> Sequence[Tier]:
    """Seed MEMBER / SILVER / GOLD / PLATINUM if no tier exists; returns the tiers."""
    return await list_tiers(uow)
