"""Mutations of tiers (ADMIN): create one, change one."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import strawberry

from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.loyalty.enums import QualificationMetric
from api.loyalty.types import Tier
from api.mutation import mutation
from api.permissions import Admin
from domain.loyalty.errors import InvalidTier
from domain.loyalty.tier_services import CreateTier, UpdateTier, create_tier, update_tier
from domain.loyalty.tiers import MAX_CODE, MAX_MULTIPLIER, MAX_NAME

# The column keeps four decimal places; more would be rounded silently.
_MULTIPLIER_STEP = Decimal("0.0001")
_MULTIPLIER_RULE = (
    f"multiplier must be above 0 and at most {MAX_MULTIPLIER}, with at most 4 decimal places"
)
_MULTIPLIER_RANGE = f"above 0, at most {MAX_MULTIPLIER}, at most 4 decimal places"


def multiplier_of(value: float | None) -> Decimal | None:
    """The exact decimal a client meant by a float such as 1.25 (at most 4 places)."""
    if value is None:
        return None
    try:
        exact = Decimal(repr(value))
        # The range first: quantizing a huge value (1e25) overflows the decimal context.
        if (
            not exact.is_finite()
            or not 0 < exact <= MAX_MULTIPLIER
            or exact != exact.quantize(_MULTIPLIER_STEP)
        ):
            raise InvalidTier(_MULTIPLIER_RULE, field=("multiplier",))
    except InvalidOperation:
        raise InvalidTier(_MULTIPLIER_RULE, field=("multiplier",)) from None
    return exact.normalize()


@strawberry.input(description="A new tier.")
class TierCreateInput:
    code: str = strawberry.field(
        description=f"1-{MAX_CODE} upper-case letters, digits or '_', e.g. GOLD."
    )
    name: str = strawberry.field(description=f"Display name, at most {MAX_NAME} characters.")
    rank: int = strawberry.field(description="Position in the ladder (unique; 0 is the lowest).")
    threshold: int = strawberry.field(
        description="Qualifying value to reach in `metric` (the lowest tier needs 0)."
    )
    metric: QualificationMetric = strawberry.field(
        default=QualificationMetric.NET_SPEND_365D, description="What the threshold measures."
    )
    multiplier: float = strawberry.field(
        default=1.0, description=f"Points multiplier ({_MULTIPLIER_RANGE})."
    )
    benefits: list[str] = strawberry.field(
        default_factory=list, description="What members get (at most 50 texts)."
    )
    hold_months: int = strawberry.field(
        default=12, description="Months the tier is held after the last qualification (0-120)."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The tier created, or why it was refused.")
class TierCreatePayload:
    tier: Tier | None = strawberry.field(default=None, description="The new tier.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Changes to a tier; omitted fields stay as they are.")
class TierUpdateInput:
    code: str = strawberry.field(description="The tier to change (codes never change).")
    name: str | None = strawberry.field(
        default=None, description=f"New display name, at most {MAX_NAME} characters."
    )
    rank: int | None = strawberry.field(default=None, description="New rank (unique).")
    threshold: int | None = strawberry.field(default=None, description="New threshold.")
    metric: QualificationMetric | None = strawberry.field(
        default=None, description="New qualification metric."
    )
    multiplier: float | None = strawberry.field(
        default=None, description=f"New points multiplier ({_MULTIPLIER_RANGE})."
    )
    benefits: list[str] | None = strawberry.field(
        default=None, description="The new list of benefits (replaces the old one)."
    )
    hold_months: int | None = strawberry.field(
        default=None, description="New hold period in months (0-120)."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type(description="The tier as changed, or why the change was refused.")
class TierUpdatePayload:
    tier: Tier | None = strawberry.field(default=None, description="The tier as changed.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class TierMutation:
    @mutation(
        description=(
            "Add a tier to the programme (ADMIN). Members reach it at their next qualifying "
            "order; codes and ranks are unique and the lowest tier (the entry tier) needs a "
            "threshold of 0. The ladder must climb: above another tier of the same metric a "
            "tier needs a higher threshold, and above the entry tier more than 0 (tiers of "
            "different metrics are separate paths up). A tier out of line is refused with "
            "INVALID at `threshold`, naming the tier it conflicts with."
        ),
        permission_classes=[Admin],
    )
    async def tier_create(self, info: strawberry.Info, input: TierCreateInput) -> TierCreatePayload:
        multiplier = multiplier_of(input.multiplier)
        assert multiplier is not None
        tier = await create_tier(
            info.context.services.uow(),
            CreateTier(
                code=input.code,
                name=input.name,
                rank=input.rank,
                threshold=input.threshold,
                metric=input.metric,
                multiplier=multiplier,
                benefits=tuple(input.benefits),
                hold_months=input.hold_months,
            ),
        )
        return TierCreatePayload(tier=Tier.from_model(tier))

    @mutation(
        description=(
            "Change a tier (ADMIN). Members keep their tier until their next qualification "
            "or the nightly evaluation. The ladder rules of `tierCreate` are checked again."
        ),
        permission_classes=[Admin],
    )
    async def tier_update(self, info: strawberry.Info, input: TierUpdateInput) -> TierUpdatePayload:
        tier = await update_tier(
            info.context.services.uow(),
            UpdateTier(
                code=input.code,
                name=input.name,
                rank=input.rank,
                threshold=input.threshold,
                metric=input.metric,
                multiplier=multiplier_of(input.multiplier),
                benefits=tuple(input.benefits) if input.benefits is not None else None,
                hold_months=input.hold_months,
            ),
        )
        return TierUpdatePayload(tier=Tier.from_model(tier))
