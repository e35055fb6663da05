"""Use cases on orders: record (idempotent on channel + external id) and refund."""

from __future__ import annotations

from dataclasses import dataclass

from domain.customers.lookup import resolve_or_create_customer
from domain.customers.paths import under
from domain.orders.commands import RecordOrder, RefundOrder
from domain.orders.content import OrderContent, normalise_order_key
from domain.orders.errors import UnknownOrder
from domain.orders.model import Order, check_initial_status
from domain.orders.refunds import Refund
from domain.orders.repository import OrdersUnitOfWork
from domain.ports import Clock


@dataclass(frozen=True, kw_only=True)
class RefundResult:
    order: Order
    refund: Refund


async def record_order(
    uow: OrdersUnitOfWork, clock: Clock, command: RecordOrder, *, base_currency: str
) -> Order:
    """Record an order for the customer named by id, identity or email (created if the
    identity or email is unknown), or replay one.

    A replay of (channel, externalId) with the same content changes nothing and returns
    the order; with a new status it is a status update (OrderStatusChanged); with other
    content it is ConflictingOrderReplay. A new order emits OrderRecorded. The customer's
    stats are recomputed on every change. `base_currency` is the store's (settings).
    """
    async with uow:
        now = clock.now()
        channel, external_id = normalise_order_key(command.channel, command.external_id)
        content = OrderContent.build(
            placed_at=command.placed_at,
            total=command.total,
            base_total=command.base_total,
            lines=command.lines,
            base_currency=base_currency,
            now=now,
        )
        order = await uow.orders.get_by_external_id(channel, external_id)
        if order is None:
            check_initial_status(command.status)  # before a customer may be created
            with under("customer"):
                customer, _ = await resolve_or_create_customer(uow, command.customer, now=now)
            # A twin request may have committed while this one waited for the customer lock.
            order = await uow.orders.get_by_external_id(channel, external_id)
            if order is None:
                order = Order.place(
                    channel=channel,
                    external_id=external_id,
                    customer_id=customer.id,
                    status=command.status,
                    content=content,
                    now=now,
                )
                await uow.orders.add(order)
                stats = await uow.orders.recompute_stats(customer.id)
                first = order.status.counts_as_purchase and stats.orders_count == 1
                uow.emit(order.recorded_event(is_first_purchase=first))
                await uow.commit()
                return order
        order = await _locked(uow, order)
        if order.replay(content, command.status, now=now):
            await uow.customers.get_for_update(order.customer_id)
            await uow.orders.save(order)
            await uow.orders.recompute_stats(order.customer_id)
            for event in order.pull_events():
                uow.emit(event)
        await uow.commit()
    return order


async def refund_order(uow: OrdersUnitOfWork, clock: Clock, command: RefundOrder) -> RefundResult:
    """Refund part or all of an order (see `Order.refund`); replays of the idempotency
    key with the same arguments return the first refund and change nothing."""
    async with uow:
        result = await refund_in(uow, clock, command)
        await uow.commit()
    return result


async def refund_in(uow: OrdersUnitOfWork, clock: Clock, command: RefundOrder) -> RefundResult:
    """`refund_order` inside a unit of work the caller owns (a ticket being resolved)."""
    order = await uow.orders.get_for_update(command.order_id)
    if order is None:
        raise UnknownOrder(f"no order with id {command.order_id}", field=("orderId",))
    refund, created = order.refund(
        amount=command.amount,
        idempotency_key=command.idempotency_key,
        reason=command.reason,
        lines=command.lines,
        base_amount=command.base_amount,
        now=clock.now(),
    )
    if created:
        # Lock order, then customer (as record_order does): stats writes serialise.
        await uow.customers.get_for_update(order.customer_id)
        await uow.orders.save(order)
        await uow.orders.recompute_stats(order.customer_id)
        for event in order.pull_events():
            uow.emit(event)
    return RefundResult(order=order, refund=refund)


async def _locked(uow: OrdersUnitOfWork, order: Order) -> Order:
    locked = await uow.orders.get_for_update(order.id)
    if locked is None:
        raise UnknownOrder(f"order {order.id} vanished", field=("externalId",))
    return locked
