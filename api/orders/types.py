"""GraphQL types of orders, lines and refunds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry import relay

from api.enums import OrderStatus
from api.money import Money
from api.nodes import visible_ids
from api.orders.loaders import LinesByOrderLoader, OrderByIdLoader, RefundsByOrderLoader
from domain.access.model import Role
from persistence.queries.orders import OrderView, order_from_row

if TYPE_CHECKING:
    from api.customers.types import Customer


@strawberry.type(description="One line of an order.")
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: Money
    category: str | None
    total: Money = strawberry.field(description="quantity x unitPrice.")


@strawberry.type(description="A refund of part or all of an order.")
class Refund:
    id: relay.GlobalID
    amount: Money
    base_amount: Money = strawberry.field(description="The same in the store's base currency.")
    reason: str | None
    created_at: datetime


@strawberry.type(description="An order from a sales channel, idempotent on (channel, externalId).")
class Order(relay.Node):
    id: relay.NodeID[str]
    channel: str
    external_id: str
    status: OrderStatus
    placed_at: datetime
    total: Money
    base_total: Money = strawberry.field(description="The total in the store's base currency.")
    created_at: datetime
    updated_at: datetime
    view: strawberry.Private[OrderView]
    base_currency: strawberry.Private[str]

    @classmethod
    def from_view(cls, view: OrderView, base_currency: str) -> Order:
        return cls(
            id=str(view.id),
            channel=view.channel,
            external_id=view.external_id,
            status=OrderStatus(view.status),
            placed_at=view.placed_at,
            total=Money(amount=view.total_amount, currency=view.currency),
            base_total=Money(amount=view.base_total, currency=base_currency),
            created_at=view.created_at,
            updated_at=view.updated_at,
            view=view,
            base_currency=base_currency,
        )

    @classmethod
    def from_row(cls, row: Any, base_currency: str) -> Order:
        return cls.from_view(order_from_row(row), base_currency)

    @strawberry.field(description="The lines, in the order they were sent.")
    async def lines(self, info: strawberry.Info) -> list[OrderLine]:
        views = await info.context.loader(LinesByOrderLoader).load(self.view.id)
        currency = self.view.currency
        return [
            OrderLine(
                sku=v.sku,
                name=v.name,
                quantity=v.quantity,
                unit_price=Money(amount=v.unit_price, currency=currency),
                category=v.category,
                total=Money(amount=v.unit_price * v.quantity, currency=currency),
            )
            for v in views
        ]

    @strawberry.field(description="Refunds, oldest first.")
    async def refunds(self, info: strawberry.Info) -> list[Refund]:
        from api.relay import encode_id

        views = await info.context.loader(RefundsByOrderLoader).load(self.view.id)
        return [
            Refund(
                id=encode_id("Refund", v.id),
                amount=Money(amount=v.amount, currency=v.currency),
                base_amount=Money(amount=v.base_amount, currency=self.base_currency),
                reason=v.reason,
                created_at=v.created_at,
            )
            for v in views
        ]

    @strawberry.field(description="What is left to refund.")
    async def refundable(self, info: strawberry.Info) -> Money:
        views = await info.context.loader(RefundsByOrderLoader).load(self.view.id)
        refunded = sum(v.amount for v in views)
        return Money(amount=self.view.total_amount - refunded, currency=self.view.currency)

    @strawberry.field(description="The customer who placed the order.")
    async def customer(
        self, info: strawberry.Info
    ) -> Annotated[Customer, strawberry.lazy("api.customers.types")] | None:
        from api.customers.loaders import CustomerByIdLoader
        from api.customers.types import Customer

        view = await info.context.loader(CustomerByIdLoader).load(self.view.customer_id)
        currency = info.context.services.settings.base_currency
        return Customer.from_view(view, currency) if view is not None else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=set(Role))
        principal = info.context.principal
        views = await info.context.loader(OrderByIdLoader).load_many(ids)
        currency = info.context.services.settings.base_currency
        return [
            cls.from_view(v, currency)
            if v is not None
            and (not principal.is_customer or v.customer_id == principal.customer_id)
            else None
            for v in views
        ]


def order_id(global_id: Any) -> UUID:
    from api.relay import decode_id

    return decode_id(global_id, "Order")
