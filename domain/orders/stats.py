"""Customer stats derived from orders: the one rule persistence must reproduce in SQL.

The rule, over every order of the customer:
- a purchase is an order whose status counts as a purchase (PAID, FULFILLED,
  PARTIALLY_REFUNDED; see `OrderStatus.counts_as_purchase`);
- orders_count: the number of purchases;
- net_spent: the sum over purchases of base_total minus the base amounts of their refunds;
- average_order_value: net_spent // orders_count (floor), 0 without purchases;
- first_order_at / last_order_at: the earliest / latest placed_at of a purchase, or None;
- refunds_count / refunded_total: the number and the sum of base amounts of the refunds
  of all the customer's orders, whatever their status.
Amounts are minor units of the base currency. A fully refunded order is no purchase; an
order the channel marked REFUNDED without refunds recorded here is no purchase either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.orders.model import Order


@dataclass(frozen=True, kw_only=True)
class CustomerStats:
    """A customer's purchase figures (base-currency minor units)."""

    customer_id: UUID
    orders_count: int = 0
    net_spent: int = 0
    average_order_value: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    refunds_count: int = 0
    refunded_total: int = 0


def compute_customer_stats(customer_id: UUID, orders: Iterable[Order]) -> CustomerStats:
    """The stats of `customer_id` from all of its orders, by the rule above."""
    purchases = []
    refunds_count = refunded_total = 0
    for order in orders:
        refunds_count += len(order.refunds)
        refunded_total += order.base_refunded
        if order.status.counts_as_purchase:
            purchases.append(order)
    net_spent = sum(order.base_total - order.base_refunded for order in purchases)
    count = len(purchases)
    return CustomerStats(
        customer_id=customer_id,
        orders_count=count,
        net_spent=net_spent,
        average_order_value=net_spent // count if count else 0,
        first_order_at=min((o.placed_at for o in purchases), default=None),
        last_order_at=max((o.placed_at for o in purchases), default=None),
        refunds_count=refunds_count,
        refunded_total=refunded_total,
    )
