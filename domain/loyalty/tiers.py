"""Tiers and the ladder they form.

A tier is reached when a customer's qualifying value over the rolling 365 days reaches its
threshold; each tier chooses its own metric (net spend in base minor units, or points
earned). The ladder checks the rules that involve several tiers at once.

A consistent ladder climbs: the lowest rank is the entry tier (threshold 0, every member
holds it); a tier ranked above another on the same metric needs a strictly higher
threshold, and every tier above the entry tier needs more than 0. Tiers on different
metrics are not compared: they are separate paths up (a customer holds the highest rank
reached on any metric, `highest_qualified`), so a POINTS_EARNED_365D tier may sit between
two NET_SPEND_365D tiers with any threshold above 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from domain.ids import new_id
from domain.loyalty.errors import (
    DuplicateTierCode,
    DuplicateTierRank,
    InvalidTier,
    InvalidTierLadder,
    NoTiersConfigured,
    TierNotFound,
)

# The widths of the tiers.code and tiers.name columns: a longer value would fail the write
# on PostgreSQL. The code is matched whole (`fullmatch`: `$` would let a newline through).
MAX_CODE = 32
MAX_NAME = 100
_CODE = re.compile(rf"[A-Z][A-Z0-9_]{{0,{MAX_CODE - 1}}}")
MAX_BENEFITS = 50
MAX_MULTIPLIER = Decimal("100")
"""Largest points multiplier, far above any real programme (the defaults go up to 2)."""


class QualificationMetric(StrEnum):
    """What a tier's threshold is measured in, over the rolling 365 days."""

    NET_SPEND_365D = "NET_SPEND_365D"
    """Purchases less refunds, in minor units of the base currency."""
    POINTS_EARNED_365D = "POINTS_EARNED_365D"
    """Points earned (EARN and positive ADJUST entries, less reversals)."""


@dataclass(frozen=True, kw_only=True)
class Tier:
    """One level of the programme; immutable, changed through `Tier.revised`."""

    id: UUID = field(default_factory=new_id)
    code: str
    name: str
    rank: int
    metric: QualificationMetric = QualificationMetric.NET_SPEND_365D
    threshold: int
    multiplier: Decimal = Decimal("1")
    benefits: tuple[str, ...] = ()
    hold_months: int = 12

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise InvalidTier(
                f"code must be 1-{MAX_CODE} upper-case letters, digits or '_', starting with "
                "a letter",
                field=("code",),
            )
        if not self.name.strip():
            raise InvalidTier("name must not be blank", field=("name",))
        if len(self.name) > MAX_NAME:
            raise InvalidTier(f"name must be at most {MAX_NAME} characters", field=("name",))
        if self.rank < 0:
            raise InvalidTier("rank must be >= 0", field=("rank",))
        if self.threshold < 0:
            raise InvalidTier("threshold must be >= 0", field=("threshold",))
        if not self.multiplier.is_finite() or not 0 < self.multiplier <= MAX_MULTIPLIER:
            raise InvalidTier(
                f"multiplier must be above 0 and at most {MAX_MULTIPLIER}", field=("multiplier",)
            )
        if not 0 <= self.hold_months <= 120:
            raise InvalidTier("hold period must be 0-120 months", field=("holdMonths",))
        if len(self.benefits) > MAX_BENEFITS or any(not b.strip() for b in self.benefits):
            raise InvalidTier(
                f"benefits must be at most {MAX_BENEFITS} non-blank texts", field=("benefits",)
            )

    def revised(
        self,
        *,
        name: str | None = None,
        rank: int | None = None,
        metric: QualificationMetric | None = None,
        threshold: int | None = None,
        multiplier: Decimal | None = None,
        benefits: Sequence[str] | None = None,
        hold_months: int | None = None,
    ) -> Tier:
        """A copy with the given fields changed (validated again); code and id never change."""
        return replace(
            self,
            name=self.name if name is None else name,
            rank=self.rank if rank is None else rank,
            metric=self.metric if metric is None else metric,
            threshold=self.threshold if threshold is None else threshold,
            multiplier=self.multiplier if multiplier is None else multiplier,
            benefits=self.benefits if benefits is None else tuple(benefits),
            hold_months=self.hold_months if hold_months is None else hold_months,
        )


class TierLadder:
    """All tiers, ordered by rank; refuses duplicates and a lowest tier above threshold 0.

    A stored ladder is loaded as it is; `with_new` and `with_tier` (creating and changing
    a tier) also refuse a change that puts tiers out of line (`out_of_line`).
    """

    def __init__(self, tiers: Iterable[Tier]) -> None:
        ordered = sorted(tiers, key=lambda t: t.rank)
        codes: set[str] = set()
        ranks: set[int] = set()
        for tier in ordered:
            if tier.code in codes:
                raise DuplicateTierCode(f"tier code {tier.code} is taken", field=("code",))
            if tier.rank in ranks:
                raise DuplicateTierRank(f"rank {tier.rank} is taken", field=("rank",))
            codes.add(tier.code)
            ranks.add(tier.rank)
        if ordered and ordered[0].threshold != 0:
            # Every customer is a member of the lowest tier, so it must need nothing.
            raise InvalidTierLadder(
                f"the lowest tier ({ordered[0].code}) must have threshold 0",
                field=("threshold",),
            )
        self.tiers: tuple[Tier, ...] = tuple(ordered)

    def __bool__(self) -> bool:
        return bool(self.tiers)

    @property
    def lowest(self) -> Tier:
        if not self.tiers:
            raise NoTiersConfigured("no tiers are configured")
        return self.tiers[0]

    def get(self, code: str) -> Tier:
        for tier in self.tiers:
            if tier.code == code:
                return tier
        raise TierNotFound(f"no tier {code}", field=("code",))

    def next_above(self, code: str) -> Tier | None:
        rank = self.get(code).rank
        return next((t for t in self.tiers if t.rank > rank), None)

    def metrics(self) -> set[QualificationMetric]:
        return {t.metric for t in self.tiers}

    def highest_qualified(self, values: Mapping[QualificationMetric, int]) -> Tier:
        """The highest-ranked tier whose threshold the values reach (at least the lowest)."""
        best = self.lowest
        for tier in self.tiers:
            if values.get(tier.metric, 0) >= tier.threshold:
                best = tier
        return best

    def with_new(self, tier: Tier) -> TierLadder:
        """The ladder with a new tier added: its code and rank must be free, and it must
        be in line with the others (`out_of_line`)."""
        ladder = TierLadder([*self.tiers, tier])
        ladder._refuse_conflicts_beyond(self)
        return ladder

    def with_tier(self, tier: Tier) -> TierLadder:
        """The ladder with `tier` added or replaced (matched by code), validated again."""
        ladder = TierLadder([*(t for t in self.tiers if t.code != tier.code), tier])
        ladder._refuse_conflicts_beyond(self)
        return ladder

    def out_of_line(self) -> list[tuple[Tier, Tier]]:
        """The (lower, higher) pairs that break the climb: on one metric, the higher-ranked
        tier does not need more; or the higher-ranked tier needs 0 (on any metric), so
        every customer would reach it, above the entry tier."""
        return [
            (lower, higher)
            for lower, higher in _pairs(self.tiers)
            if higher.threshold <= lower.threshold
            and (lower.metric is higher.metric or higher.threshold == 0)
        ]

    def _refuse_conflicts_beyond(self, before: TierLadder) -> None:
        # Conflicts already stored (a ladder from before this rule) do not block other
        # changes, so such a ladder can still be fixed step by step; a change adds none.
        known = {(lower.code, higher.code) for lower, higher in before.out_of_line()}
        for lower, higher in self.out_of_line():
            if (lower.code, higher.code) in known:
                continue
            if lower.metric is higher.metric:
                raise InvalidTierLadder(
                    f"tier {higher.code} (rank {higher.rank}) needs a higher threshold than "
                    f"tier {lower.code} (rank {lower.rank}) in {lower.metric.value}: "
                    f"{higher.threshold} is not above {lower.threshold}",
                    field=("threshold",),
                )
            raise InvalidTierLadder(
                f"tier {higher.code} (rank {higher.rank}) needs a threshold above 0: with 0 "
                f"every customer reaches it, above the entry tier {self.lowest.code}",
                field=("threshold",),
            )


def _pairs(tiers: Sequence[Tier]) -> Iterable[tuple[Tier, Tier]]:
    """Every (lower, higher) pair of tiers ordered by rank."""
    for i, lower in enumerate(tiers):
        for higher in tiers[i + 1 :]:
            yield lower, higher


def default_tiers() -> Sequence[Tier]:
    """The seeded programme: thresholds are net spend over 365 days in base minor units."""
    return (
        Tier(
            code="MEMBER",
            name="Member",
            rank=0,
            threshold=0,
            multiplier=Decimal("1"),
            benefits=("Points on every purchase", "Birthday bonus"),
        ),
        Tier(
            code="SILVER",
            name="Silver",
            rank=1,
            threshold=50_000,
            multiplier=Decimal("1.25"),
            benefits=("Points on every purchase", "Birthday bonus", "Free standard shipping"),
        ),
        Tier(
            code="GOLD",
            name="Gold",
            rank=2,
            threshold=150_000,
            multiplier=Decimal("1.5"),
            benefits=(
                "Points on every purchase",
                "Birthday bonus",
                "Free express shipping",
                "Early access to sales",
            ),
        ),
        Tier(
            code="PLATINUM",
            name="Platinum",
            rank=3,
            threshold=500_000,
            multiplier=Decimal("2"),
            benefits=(
                "Points on every purchase",
                "Birthday bonus",
                "Free express shipping",
                "Early access to sales",
                "Priority customer service",
                "Extended returns",
            ),
        ),
    )
