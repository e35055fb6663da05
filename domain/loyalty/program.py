"""The programme's settings: earning rate, bonuses, expiry and the value of a point.

Read once at the entry point (settings) and passed to the use cases that need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

from dateutil.relativedelta import relativedelta

from domain.errors import ValidationFailed


@dataclass(frozen=True, kw_only=True)
class LoyaltyProgram:
    """How points are earned, how long they live and what they are worth."""

    base_rate: Decimal = Decimal("1")
    """Points per one major unit of the base currency, before the tier multiplier."""
    minor_units_per_major: int = 100
    """Minor units in one major unit of the base currency (100 for EUR, 1 for JPY)."""
    signup_bonus: int = 100
    first_order_bonus: int = 200
    review_bonus: int = 50
    birthday_bonus: int = 250
    expiry_months: int = 12
    """Months after earning at which a lot expires."""
    point_value_minor: Decimal = Decimal("1")
    """What one point is worth in base minor units (for the liability report)."""
    qualifying_window_days: int = 365
    base_currency: str = "EUR"
    expiring_soon_days: int = 30
    """How far ahead member status looks for points about to expire."""

    def __post_init__(self) -> None:
        if not self.base_rate.is_finite() or self.base_rate < 0:
            raise ValidationFailed("base rate must be >= 0", field=("baseRate",))
        if self.minor_units_per_major < 1:
            raise ValidationFailed("minor units per major must be >= 1")
        for name in ("signup_bonus", "first_order_bonus", "review_bonus", "birthday_bonus"):
            if getattr(self, name) < 0:
                raise ValidationFailed(f"{name} must be >= 0")
        if not 1 <= self.expiry_months <= 120:
            raise ValidationFailed("expiry must be 1-120 months")
        if self.qualifying_window_days < 1 or self.expiring_soon_days < 0:
            raise ValidationFailed("window lengths must be positive")
        if not self.point_value_minor.is_finite() or self.point_value_minor < 0:
            raise ValidationFailed("point value must be >= 0")

    def points_for(self, base_amount: int, multiplier: Decimal) -> int:
        """Points earned on `base_amount` minor units: base rate x multiplier, rounded down."""
        if base_amount <= 0:
            return 0
        exact = Decimal(base_amount) / self.minor_units_per_major * self.base_rate * multiplier
        return int(exact.to_integral_value(rounding=ROUND_FLOOR))

    def expiry_for(self, earned_at: datetime) -> datetime:
        """When a lot earned at `earned_at` expires (calendar months later)."""
        return add_months(earned_at, self.expiry_months)

    def value_of(self, points: int) -> int:
        """The liability value of `points` in base minor units, rounded down."""
        exact = Decimal(points) * self.point_value_minor
        return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by calendar months; the 31st becomes the month's last day."""
    moved: datetime = moment + relativedelta(months=months)
    return moved


def add_months_to_date(day: date, months: int) -> date:
    """`day` moved by calendar months; the 31st becomes the month's last day."""
    moved: date = day + relativedelta(months=months)
    return moved
