"""The orders context's part in merges (orders move, stats follow) and exports."""

from __future__ import annotations

from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.participants import Participants
from domain.money import Money
from domain.orders.model import Order
from domain.orders.repository import OrdersUnitOfWork


class OrdersParticipant:
    """Moves the loser's orders to the winner and recomputes both customers' stats."""

    name = "orders"

    async def preview(
        self, uow: OrdersUnitOfWork, loser_id: UUID, winner_id: UUID
    ) -> MergePreviewPart:
        count = await uow.orders.count_for_customer(loser_id)
        return MergePreviewPart(participant=self.name, moves={"orders": count})

    async def apply(self, uow: OrdersUnitOfWork, loser_id: UUID, winner_id: UUID) -> Moved:
        moved = await uow.orders.reassign_all(loser_id, winner_id)
        await uow.orders.recompute_stats(loser_id)
        await uow.orders.recompute_stats(winner_id)
        return {"orders": tuple(moved)}

    async def undo(
        self, uow: OrdersUnitOfWork, loser_id: UUID, winner_id: UUID, moved: Moved
    ) -> None:
        await uow.orders.reassign(list(moved.get("orders", ())), winner_id, loser_id)
        await uow.orders.recompute_stats(loser_id)
        await uow.orders.recompute_stats(winner_id)


class OrdersExporter:
    """Exports the customer's orders with lines and refunds."""

    name = "orders"

    async def export(self, uow: OrdersUnitOfWork, customer_id: UUID) -> JsonValue:
        return [order_json(order) for order in await uow.orders.for_customer(customer_id)]


def order_json(order: Order) -> dict[str, JsonValue]:
    return {
        "id": str(order.id),
        "channel": order.channel,
        "externalId": order.external_id,
        "status": order.status.value,
        "placedAt": order.placed_at.isoformat(),
        "total": _money(order.total),
        "baseTotal": order.base_total,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unitPrice": _money(line.unit_price),
                "category": line.category,
            }
            for line in order.lines
        ],
        "refunds": [
            {
                "id": str(refund.id),
                "amount": _money(refund.amount),
                "baseAmount": refund.base_amount,
                "reason": refund.reason,
                "idempotencyKey": refund.idempotency_key,
                "lines": [{"sku": r.sku, "quantity": r.quantity} for r in refund.lines],
                "createdAt": refund.created_at.isoformat(),
            }
            for refund in order.refunds
        ],
        "createdAt": order.created_at.isoformat(),
    }


def _money(money: Money) -> dict[str, JsonValue]:
    return {"amount": money.amount, "currency": money.currency}


def register_participants(participants: Participants) -> None:
    """Register the orders merge participant and exporter."""
    participants.add_merge_participant(OrdersParticipant())
    participants.add_exporter(OrdersExporter())
