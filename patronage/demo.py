"""`patronage demo`: a realistic store to explore, seeded once through the real use cases.

Running it again seeds nothing more; it always prints fresh ADMIN and STOREFRONT keys.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from domain.access.model import Role
from domain.access.services import create_api_key
from domain.activity.commands import EventInput, RecordEvents
from domain.activity.model import ActivityKind
from domain.activity.services import record_events
from domain.customers.commands import (
    CreateCustomer,
    CustomerRef,
    IdentityInput,
    ProfileFields,
    SetConsent,
)
from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.profile import Gender
from domain.customers.services import create_customer, set_consent
from domain.money import Money
from domain.orders.commands import OrderLineInput, RecordOrder, RefundOrder
from domain.orders.services import refund_order
from domain.orders.status import OrderStatus
from patronage.demo_data import DemoCustomer, generate
from patronage.demo_tickets import seed_tickets
from patronage.runtime import Runtime, build_runtime
from patronage.settings import Settings
from persistence.orders import record_order_retrying
from persistence.tables.customers import customers


async def seed(settings: Settings, console: Console, *, count: int = 250) -> dict[str, str]:
    """Seed the store (once) and return fresh ADMIN and STOREFRONT keys."""
    runtime = build_runtime(settings)
    try:
        services = runtime.services
        async with services.engine.connect() as conn:
            existing = (
                await conn.execute(select(func.count()).select_from(customers))
            ).scalar_one()
        if existing:
            console.print(f"demo store already seeded ({existing} customers)")
        else:
            await _seed_store(runtime, console, count)
        keys: dict[str, str] = {}
        for role in (Role.ADMIN, Role.STOREFRONT):
            issued = await create_api_key(
                services.uow(),
                services.clock,
                name=f"demo {role.value.lower()}",
                role=role,
                actor="demo",
            )
            keys[role.value] = issued.secret
        return keys
    finally:
        await runtime.close()


async def _seed_store(runtime: Runtime, console: Console, count: int) -> None:
    people = generate(count)
    customer_ids = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding the demo store", total=len(people))
        for person in people:
            customer_ids.append(await _seed_customer(runtime, person))
            progress.advance(task)
    tickets = await seed_tickets(runtime.services, customer_ids)
    orders = sum(len(p.orders) for p in people)
    console.print(
        f"seeded {len(people)} customers with {orders} orders over two years, and {tickets} tickets"
    )


async def _seed_customer(runtime: Runtime, person: DemoCustomer) -> UUID:
    services = runtime.services
    clock, uow = services.clock, services.uow
    # Signed up when the story says (before the first order), not when the demo ran.
    signed_up = _AtTime(person.signed_up or clock.now())
    customer = await create_customer(
        uow(),
        signed_up,
        CreateCustomer(
            profile=ProfileFields(
                email=person.email,
                phone=person.phone,
                first_name=person.first_name,
                last_name=person.last_name,
                gender=Gender(person.gender),
                birthday=person.birthday,
                country=person.country,
                city=person.city,
                locale=person.locale,
                timezone=person.timezone,
            ),
            identities=[IdentityInput(channel=c, external_id=x) for c, x in person.identities],
        ),
    )
    for channel, state in (
        (ConsentChannel.EMAIL, person.email_consent),
        (ConsentChannel.SMS, person.sms_consent),
    ):
        if state is not None:
            await set_consent(
                uow(),
                signed_up,
                SetConsent(
                    customer_id=customer.id,
                    channel=channel,
                    state=ConsentState(state),
                    source="demo signup",
                ),
            )
    ref = CustomerRef(id=customer.id)
    currency = services.settings.base_currency
    order_ids: dict[str, object] = {}
    for order in sorted(person.orders, key=lambda o: o.placed_at):
        recorded = await record_order_retrying(
            uow,
            clock,
            RecordOrder(
                channel=order.channel,
                external_id=order.external_id,
                customer=ref,
                placed_at=order.placed_at,
                total=Money(order.total, currency),
                lines=[
                    OrderLineInput(
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        unit_price=Money(line.unit_price, currency),
                        category=line.category,
                    )
                    for line in order.lines
                ],
                status=OrderStatus(order.status),
            ),
            base_currency=currency,
        )
        order_ids[order.external_id] = recorded.id
        if order.refund:
            await refund_order(
                uow(),
                clock,
                RefundOrder(
                    order_id=recorded.id,
                    amount=Money(order.refund, currency),
                    idempotency_key=f"demo-refund-{order.external_id}",
                    reason="demo return",
                ),
            )
    now = datetime.now(UTC)
    events = [
        EventInput(
            kind=ActivityKind.PRODUCT_VIEW,
            customer=ref,
            sku=sku,
            occurred_at=now - timedelta(days=i + 1),
        )
        for i, sku in enumerate(person.views)
    ]
    if person.cart:
        events.append(
            EventInput(
                kind=ActivityKind.ADD_TO_CART,
                customer=ref,
                sku=person.cart,
                quantity=1,
                occurred_at=now - timedelta(hours=30),
            )
        )
    events += [
        EventInput(
            kind=ActivityKind.PAGE_VIEW,
            customer=ref,
            url=f"https://shop.example.com{page}",
            occurred_at=now - timedelta(days=i + 1, hours=2),
        )
        for i, page in enumerate(person.pages)
    ]
    if person.checkout_started:
        events.append(
            EventInput(
                kind=ActivityKind.CHECKOUT_STARTED,
                customer=ref,
                occurred_at=now - timedelta(hours=29),
            )
        )
    events += [
        EventInput(
            kind=ActivityKind.CUSTOM,
            customer=ref,
            name=name,
            properties=properties,
            occurred_at=now - timedelta(days=5 + i),
        )
        for i, (name, properties) in enumerate(person.custom)
    ]
    for sku, rating in person.reviews:
        events.append(
            EventInput(
                kind=ActivityKind.REVIEW_POSTED,
                customer=ref,
                sku=sku,
                rating=rating,
                occurred_at=now - timedelta(days=3),
            )
        )
    if events:
        await record_events(uow(), clock, RecordEvents(events=events))
    return customer.id


class _AtTime:
    """A clock stopped at one moment."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment
