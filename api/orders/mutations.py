"""Mutations of orders: record (idempotent on channel + externalId) and refund."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.customers.inputs import CustomerRefInput
from api.enums import OrderStatus
from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.money import MoneyInput
from api.mutation import mutation
from api.orders.loaders import OrderByIdLoader
from api.orders.types import Order
from api.permissions import require
from api.relay import decode_id
from domain.access.model import Role
from domain.orders.commands import OrderLineInput as OrderLineCommand
from domain.orders.commands import RecordOrder, RefundLineInput, RefundOrder
from domain.orders.services import refund_order

OrderWriters = require(Role.ADMIN, Role.STOREFRONT)
RefundWriters = require(Role.ADMIN, Role.STOREFRONT, Role.SUPPORT)


@strawberry.input(description="One line of an order.")
class OrderLineInput:
    sku: str
    name: str
    quantity: int = strawberry.field(description="At least 1.")
    unit_price: MoneyInput = strawberry.field(description="In the order's currency.")
    category: str | None = None


@strawberry.input(
    description=(
        "An order from a sales channel. Recording the same (channel, externalId) again "
        "changes nothing, or updates the status when it differs."
    )
)
class OrderRecordInput:
    channel: str
    external_id: str
    customer: CustomerRefInput = strawberry.field(
        description="By id, identity or email; an unknown identity or email creates the customer."
    )
    placed_at: datetime
    total: MoneyInput
    base_total: MoneyInput | None = strawberry.field(
        default=None,
        description="The total in the store's base currency; required when the currency differs.",
    )
    status: OrderStatus = OrderStatus.PAID
    lines: list[OrderLineInput] = strawberry.field(default_factory=list)
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class OrderPayload:
    order: Order | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="A line being refunded.")
class RefundLineItemInput:
    sku: str
    quantity: int


@strawberry.input(description="A partial or full refund; retried safely under its idempotencyKey.")
class OrderRefundInput:
    order_id: strawberry.ID
    amount: MoneyInput = strawberry.field(
        description="In the order's currency; at most what is left."
    )
    idempotency_key: str = strawberry.field(
        description="Required: the same key and arguments return the first refund."
    )
    reason: str | None = None
    lines: list[RefundLineItemInput] = strawberry.field(default_factory=list)
    base_amount: MoneyInput | None = strawberry.field(
        default=None, description="In the base currency (default: the order's own rate)."
    )


async def _order(info: strawberry.Info, order_id: object) -> Order | None:
    view = await info.context.loader(OrderByIdLoader).load(order_id)
    return Order.from_view(view, info.context.services.settings.base_currency) if view else None


@strawberry.type
class OrderMutation:
    @mutation(
        description="Record or replay an order (STOREFRONT, ADMIN); points and tier follow.",
        permission_classes=[OrderWriters],
    )
    async def order_record(self, info: strawberry.Info, input: OrderRecordInput) -> OrderPayload:
        from persistence.orders import record_order_retrying

        services = info.context.services
        command = RecordOrder(
            channel=input.channel,
            external_id=input.external_id,
            customer=input.customer.to_command(),
            placed_at=input.placed_at,
            total=input.total.to_value(),
            lines=[
                OrderLineCommand(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price.to_value(),
                    category=line.category,
                )
                for line in input.lines
            ],
            status=input.status,
            base_total=input.base_total.amount if input.base_total else None,
        )
        order = await record_order_retrying(
            services.uow, services.clock, command, base_currency=services.settings.base_currency
        )
        return OrderPayload(order=await _order(info, order.id))

    @mutation(
        description="Refund part or all of an order; its points are reversed in proportion.",
        permission_classes=[RefundWriters],
    )
    async def order_refund(self, info: strawberry.Info, input: OrderRefundInput) -> OrderPayload:
        services = info.context.services
        result = await refund_order(
            services.uow(),
            services.clock,
            RefundOrder(
                order_id=decode_id(input.order_id, "Order", field=("orderId",)),
                amount=input.amount.to_value(),
                idempotency_key=input.idempotency_key,
                reason=input.reason,
                lines=[RefundLineInput(sku=x.sku, quantity=x.quantity) for x in input.lines],
                base_amount=input.base_amount.amount if input.base_amount else None,
            ),
        )
        return OrderPayload(order=await _order(info, result.order.id))
