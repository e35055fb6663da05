"""Refunds: what a refund request asks, and the refund recorded on an order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.customers.paths import under
from domain.money import Money
from domain.orders.commands import RefundLineInput
from domain.orders.content import OrderLine
from domain.orders.errors import InvalidRefund, RefundExceedsQuantity, RefundKeyReused

MAX_KEY = 255
MAX_REASON = 500


@dataclass(frozen=True, kw_only=True)
class RefundLine:
    """Units of a sku given back."""

    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class RefundRequest:
    """A validated refund request, before the order decides on it."""

    amount: Money
    key: str
    reason: str | None
    lines: tuple[RefundLine, ...]
    base_amount: int | None

    @classmethod
    def build(
        cls,
        *,
        amount: Money,
        idempotency_key: str,
        reason: str | None,
        lines: Sequence[RefundLineInput],
        base_amount: int | None,
        order_currency: str,
    ) -> RefundRequest:
        key = idempotency_key.strip()
        if not key or len(key) > MAX_KEY or not key.isprintable():
            raise InvalidRefund(
                f"idempotencyKey must be 1 to {MAX_KEY} printable characters",
                field=("idempotencyKey",),
            )
        if amount.currency != order_currency:
            raise InvalidRefund(
                f"amount must be in the order's currency {order_currency}",
                field=("amount", "currency"),
            )
        if amount.amount < 1:
            raise InvalidRefund("amount must be at least 1", field=("amount", "amount"))
        if base_amount is not None and base_amount < 0:
            raise InvalidRefund("baseAmount cannot be negative", field=("baseAmount",))
        text = (reason or "").strip() or None
        if text is not None and len(text) > MAX_REASON:
            raise InvalidRefund(f"reason is limited to {MAX_REASON} characters", field=("reason",))
        checked = []
        for index, line in enumerate(lines):
            with under("lines", str(index)):
                sku = line.sku.strip()
                if not sku:
                    raise InvalidRefund("sku is required", field=("sku",))
                if line.quantity < 1:
                    raise InvalidRefund("quantity must be at least 1", field=("quantity",))
                checked.append(RefundLine(sku=sku, quantity=line.quantity))
        return cls(
            amount=amount, key=key, reason=text, lines=tuple(checked), base_amount=base_amount
        )

    def check_lines_against(self, lines: Sequence[OrderLine], earlier: Sequence[Refund]) -> None:
        """Refund lines must name bought skus, within the units not refunded yet."""
        bought: Counter[str] = Counter()
        for order_line in lines:
            bought[order_line.sku] += order_line.quantity
        given_back: Counter[str] = Counter()
        for refund in earlier:
            for refund_line in refund.lines:
                given_back[refund_line.sku] += refund_line.quantity
        for index, line in enumerate(self.lines):
            if line.sku not in bought:
                raise InvalidRefund(
                    f"the order has no line with sku {line.sku!r}",
                    field=("lines", str(index), "sku"),
                )
            given_back[line.sku] += line.quantity
            if given_back[line.sku] > bought[line.sku]:
                left = bought[line.sku] - (given_back[line.sku] - line.quantity)
                raise RefundExceedsQuantity(
                    f"only {max(left, 0)} unit(s) of {line.sku!r} are left to refund",
                    field=("lines", str(index), "quantity"),
                )


@dataclass(frozen=True, kw_only=True)
class Refund:
    """Money given back on an order; `base_amount` is in base-currency minor units."""

    id: UUID
    amount: Money
    base_amount: int
    reason: str | None
    idempotency_key: str
    lines: tuple[RefundLine, ...]
    created_at: datetime

    @classmethod
    def from_request(
        cls, request: RefundRequest, *, id: UUID, base_amount: int, created_at: datetime
    ) -> Refund:
        return cls(
            id=id,
            amount=request.amount,
            base_amount=base_amount,
            reason=request.reason,
            idempotency_key=request.key,
            lines=request.lines,
            created_at=created_at,
        )

    def ensure_same_request(self, request: RefundRequest) -> None:
        """Refuse a reuse of this refund's key with other arguments."""
        same = (
            request.amount == self.amount
            and request.reason == self.reason
            and request.lines == self.lines
            and request.base_amount in (None, self.base_amount)
        )
        if not same:
            raise RefundKeyReused(
                f"idempotency key {self.idempotency_key!r} was used for another refund "
                "of this order",
                field=("idempotencyKey",),
            )
