"""Dataloaders of orders, lines and refunds."""

from __future__ import annotations

from uuid import UUID

from api.loaders import BatchLoader, PagedLoader
from persistence.queries.orders import (
    OrderLineView,
    OrderView,
    RefundView,
    lines_by_order,
    order_counts_by_customer,
    order_pages_by_customer,
    orders_by_id,
    refunds_by_order,
)


class OrderByIdLoader(BatchLoader[UUID, OrderView | None]):
    fetch = staticmethod(orders_by_id)  # type: ignore[assignment]


class LinesByOrderLoader(BatchLoader[UUID, list[OrderLineView]]):
    fetch = staticmethod(lines_by_order)  # type: ignore[assignment]
    many = True


class RefundsByOrderLoader(BatchLoader[UUID, list[RefundView]]):
    fetch = staticmethod(refunds_by_order)  # type: ignore[assignment]
    many = True


class OrderPagesByCustomerLoader(PagedLoader):
    fetch_pages = staticmethod(order_pages_by_customer)


class OrderCountByCustomerLoader(PagedLoader):
    """Keyed by (customer id,)."""

    fetch_pages = staticmethod(order_counts_by_customer)
    default = 0
