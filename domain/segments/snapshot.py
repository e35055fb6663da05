"""One customer's attribute values, as the evaluator sees them.

The snapshot holds raw facts (timestamps, money in minor units, the birthday); the values
of the language (days, major units, age) are derived by `value_of` for an `as_of` date,
exactly as the SQL compiler derives them:
- "days" attributes are whole days between the calendar date of the timestamp in the
  store's `timezone` and `as_of` (`as_of - local_date(ts)`); negative for future times;
- `age` is whole years since `birthday` on `as_of` (a 29 February birthday counts on
  1 March in non-leap years); `birthday_month` is 1 to 12;
- money (`net_spent`, `average_order_value`, `clv`) is minor units scaled by
  `currency_exponent` into an exact Decimal of major units (1234 -> Decimal('12.34'));
- `email` is compared lowercased; `tags` are normalised tags; other strings are exact;
- None means unknown (SQL NULL); sets are never None (empty when there is nothing);
  a metadata key that is absent is None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from types import MappingProxyType
from uuid import UUID

from domain.segments.syntax import Attr

SnapshotValue = str | int | Decimal | date | frozenset[str] | None


@dataclass(frozen=True, kw_only=True)
class CustomerSnapshot:
    """Every attribute fact of one customer, at a point in time (`as_of`)."""

    customer_id: UUID
    as_of: date
    timezone: tzinfo = UTC
    currency_exponent: int = 2
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    gender: str | None = None
    birthday: date | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    locale: str | None = None
    created_at: datetime | None = None
    email_consent: str | None = None
    sms_consent: str | None = None
    push_consent: str | None = None
    tier: str | None = None
    points_balance: int | None = None
    points_lifetime: int | None = None
    orders_count: int | None = None
    net_spent_minor: int | None = None
    average_order_value_minor: int | None = None
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    refunds_count: int | None = None
    rfm_recency: int | None = None
    rfm_frequency: int | None = None
    rfm_monetary: int | None = None
    rfm_group: str | None = None
    clv_minor: int | None = None
    churn_risk: Decimal | None = None
    lifecycle: str | None = None
    open_tickets: int | None = None
    cart_abandoned_at: datetime | None = None
    last_seen_at: datetime | None = None
    last_review_rating: int | None = None
    last_message_opened_at: datetime | None = None
    last_message_clicked_at: datetime | None = None
    tags: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only view, so a snapshot cannot change after it was taken.
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def value_of(self, attr: Attr) -> SnapshotValue:
        """The value of `attr` in the language's units; None when unknown."""
        if attr.meta_key is not None:
            return self.meta.get(attr.meta_key)
        derived = _DERIVED.get(attr.name)
        if derived is not None:
            return derived(self)
        if attr.name in _MONEY:
            return self._major(getattr(self, _MONEY[attr.name]))
        if attr.name in _TIMESTAMPS:
            return self._days_since(getattr(self, _TIMESTAMPS[attr.name]))
        value: SnapshotValue = getattr(self, attr.name)
        return value

    def _days_since(self, moment: datetime | None) -> int | None:
        if moment is None:
            return None
        return (self.as_of - moment.astimezone(self.timezone).date()).days

    def _major(self, minor: int | None) -> Decimal | None:
        return None if minor is None else Decimal(minor).scaleb(-self.currency_exponent)

    def _age(self) -> int | None:
        born = self.birthday
        if born is None:
            return None
        had_birthday = (self.as_of.month, self.as_of.day) >= (born.month, born.day)
        return self.as_of.year - born.year - (0 if had_birthday else 1)


_MONEY = {
    "net_spent": "net_spent_minor",
    "average_order_value": "average_order_value_minor",
    "clv": "clv_minor",
}
_TIMESTAMPS = {
    "created_days": "created_at",
    "first_order_days": "first_order_at",
    "last_order_days": "last_order_at",
    "cart_abandoned_days": "cart_abandoned_at",
    "last_seen_days": "last_seen_at",
    "last_message_opened_days": "last_message_opened_at",
    "last_message_clicked_days": "last_message_clicked_at",
}
_DERIVED: dict[str, Callable[[CustomerSnapshot], SnapshotValue]] = {
    "age": CustomerSnapshot._age,
    "birthday_month": lambda s: None if s.birthday is None else s.birthday.month,
    "email": lambda s: None if s.email is None else s.email.lower(),
}
