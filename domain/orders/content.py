"""What an order says: when, how much, which lines. Validated once, compared on replays."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.customers.paths import under
from domain.money import Money, check_currency
from domain.orders.commands import OrderLineInput
from domain.orders.errors import InvalidOrder, MissingBaseTotal

MAX_LINES = 500
# The widths of the order_lines columns.
MAX_SKU = 100
MAX_NAME = 255
MAX_CATEGORY = 100
CLOCK_SKEW = timedelta(minutes=5)
_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,49}$")


@dataclass(frozen=True, kw_only=True)
class OrderLine:
    """A product line; `unit_price` is in the order's currency."""

    sku: str
    name: str
    quantity: int
    unit_price: Money
    category: str | None = None

    @property
    def total(self) -> Money:
        return Money(self.unit_price.amount * self.quantity, self.unit_price.currency)


@dataclass(frozen=True, kw_only=True)
class OrderContent:
    """The replay-stable part of an order (everything but its status and refunds)."""

    placed_at: datetime
    total: Money
    base_total: int
    lines: tuple[OrderLine, ...]

    @classmethod
    def build(
        cls,
        *,
        placed_at: datetime,
        total: Money,
        base_total: int | None,
        lines: Sequence[OrderLineInput],
        base_currency: str,
        now: datetime,
    ) -> OrderContent:
        """Validate raw order input; error fields are the public input paths."""
        if placed_at.tzinfo is None:
            raise InvalidOrder("placedAt must carry a timezone", field=("placedAt",))
        if placed_at > now + CLOCK_SKEW:
            raise InvalidOrder("placedAt cannot be in the future", field=("placedAt",))
        check_currency(total.currency, field=("total", "currency"))
        if total.amount < 0:
            raise InvalidOrder("total cannot be negative", field=("total", "amount"))
        if total.currency == base_currency:
            if base_total is not None and base_total != total.amount:
                raise InvalidOrder(
                    f"the order is in the base currency {base_currency}, so baseTotal must "
                    f"equal total.amount ({total.amount})",
                    field=("baseTotal",),
                )
            base_total = total.amount
        elif base_total is None:
            raise MissingBaseTotal(
                f"the order is in {total.currency}, not in the base currency {base_currency}: "
                "give baseTotal, its total in base-currency minor units",
                field=("baseTotal",),
            )
        if base_total < 0:
            raise InvalidOrder("baseTotal cannot be negative", field=("baseTotal",))
        if len(lines) > MAX_LINES:
            raise InvalidOrder(f"an order has at most {MAX_LINES} lines", field=("lines",))
        checked = []
        for index, line in enumerate(lines):
            with under("lines", str(index)):
                checked.append(_line(line, total.currency))
        return cls(placed_at=placed_at, total=total, base_total=base_total, lines=tuple(checked))

    def differences(self, other: OrderContent) -> list[str]:
        """Public names of the fields that differ from `other`'s."""
        names = []
        for name, public in (
            ("placed_at", "placedAt"),
            ("total", "total"),
            ("base_total", "baseTotal"),
            ("lines", "lines"),
        ):
            if getattr(self, name) != getattr(other, name):
                names.append(public)
        return names


def normalise_order_key(channel: str, external_id: str) -> tuple[str, str]:
    """('Shopify', ' 1001 ') -> ('shopify', '1001'), the unique key of an order."""
    slug = channel.strip().lower()
    if not _CHANNEL.match(slug):
        raise InvalidOrder(
            f"channel {channel!r} must be a lower-case slug such as 'shopify'", field=("channel",)
        )
    ext = external_id.strip()
    if not ext or len(ext) > 255 or not ext.isprintable():
        raise InvalidOrder(
            "externalId must be 1 to 255 printable characters", field=("externalId",)
        )
    return slug, ext


def _line(line: OrderLineInput, currency: str) -> OrderLine:
    sku = _required_text(line.sku, "sku", MAX_SKU)
    name = _required_text(line.name, "name", MAX_NAME)
    category = _text(line.category, "category", MAX_CATEGORY)
    if line.quantity < 1:
        raise InvalidOrder("quantity must be at least 1", field=("quantity",))
    if line.unit_price.currency != currency:
        raise InvalidOrder(
            f"unitPrice must be in the order's currency {currency}",
            field=("unitPrice", "currency"),
        )
    if line.unit_price.amount < 0:
        raise InvalidOrder("unitPrice cannot be negative", field=("unitPrice", "amount"))
    return OrderLine(
        sku=sku, name=name, quantity=line.quantity, unit_price=line.unit_price, category=category
    )


def _required_text(raw: str, field: str, max_length: int) -> str:
    text = _text(raw, field, max_length)
    if text is None:
        raise InvalidOrder(f"{field} is required", field=(field,))
    return text


def _text(raw: str | None, field: str, max_length: int) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > max_length or not text.isprintable():
        raise InvalidOrder(
            f"{field} must be at most {max_length} printable characters", field=(field,)
        )
    return text
