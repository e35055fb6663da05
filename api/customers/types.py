"""GraphQL types of customers: profile, identities, consents, stats and relations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from api.activity.kinds import EventKindArg
from api.customers.loaders import (
    ConsentEntriesByCustomerLoader,
    CustomerByIdLoader,
    IdentitiesByCustomerLoader,
)
from api.customers.masking import mask_email, mask_phone, mask_text, masked
from api.enums import ConsentChannel, ConsentState, Gender, OptInLevel
from api.money import Money
from api.nodes import visible_ids
from api.permissions import require
from api.relay import PAGE_ARGS_DOC, Connection, connection, page_request
from api.scalars import JSON
from api.tickets.actors import TicketUsers
from domain.access.model import Role
from persistence.queries.customers import ConsentEntryView, CustomerView, IdentityView

if TYPE_CHECKING:
    from api.activity.types import BehaviourEvent
    from api.loyalty.types import Membership, Points
    from api.orders.types import Order
    from api.tags.types import CustomerTag
    from api.tickets.types import Ticket


StaffOrStorefront = require(Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.ANALYST, Role.STOREFRONT)
PrivateReaders = require(Role.ADMIN, Role.SUPPORT, Role.MARKETER)


@strawberry.type(description="A customer's id on one sales channel, e.g. shopify:1234.")
class CustomerIdentity:
    channel: str
    external_id: str
    created_at: datetime

    @classmethod
    def from_view(cls, view: IdentityView) -> CustomerIdentity:
        return cls(channel=view.channel, external_id=view.external_id, created_at=view.created_at)


@strawberry.type(description="One change of consent, as recorded (the log is append-only).")
class ConsentRecord:
    channel: ConsentChannel
    state: ConsentState
    opt_in_level: OptInLevel | None
    source: str = strawberry.field(description="Where the change came from (form, import...).")
    occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def from_view(cls, view: ConsentEntryView) -> ConsentRecord:
        return cls(
            channel=ConsentChannel(view.channel),
            state=ConsentState(view.state),
            opt_in_level=OptInLevel(view.opt_in_level) if view.opt_in_level else None,
            source=view.source,
            occurred_at=view.occurred_at,
            recorded_at=view.recorded_at,
        )


@strawberry.type(description="Current consent per channel, and the log it derives from.")
class CustomerConsents:
    email: ConsentRecord | None = strawberry.field(description="Latest EMAIL consent change.")
    sms: ConsentRecord | None = strawberry.field(description="Latest SMS consent change.")
    push: ConsentRecord | None = strawberry.field(description="Latest PUSH consent change.")
    history: list[ConsentRecord] = strawberry.field(description="Every change, oldest first.")


@strawberry.type(description="Purchase statistics, kept in step with every order write.")
class CustomerStats:
    orders_count: int = strawberry.field(description="Paid or fulfilled orders (refunded too).")
    net_spent: Money = strawberry.field(description="Order totals less refunds, base currency.")
    average_order_value: Money = strawberry.field(description="netSpent / ordersCount, floored.")
    first_order_at: datetime | None
    last_order_at: datetime | None
    refunds_count: int
    refunded_total: Money = strawberry.field(description="Refunded, base currency.")


@strawberry.type(description="A person known to the store, on one or several sales channels.")
class Customer(relay.Node):
    id: relay.NodeID[str]
    created_at: datetime
    updated_at: datetime
    gender: Gender | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    region: str | None
    locale: str | None = strawberry.field(description="BCP 47 tag such as en-GB.")
    timezone: str | None = strawberry.field(description="IANA time zone such as Europe/Paris.")
    metadata: JSON = strawberry.field(
        description="Public key-value pairs (meta.<key> in segments)."
    )
    erased_at: datetime | None = strawberry.field(description="Set once personal data was erased.")
    stats: CustomerStats
    view: strawberry.Private[CustomerView]

    @classmethod
    def from_view(cls, view: CustomerView, currency: str) -> Customer:
        s = view.stats
        return cls(
            id=str(view.id),
            created_at=view.created_at,
            updated_at=view.updated_at,
            gender=Gender(view.gender) if view.gender else None,
            country=view.country,
            region=view.region,
            locale=view.locale,
            timezone=view.timezone,
            metadata=view.public_metadata,
            erased_at=view.erased_at,
            stats=CustomerStats(
                orders_count=s.orders_count,
                net_spent=Money(amount=s.net_spent, currency=currency),
                average_order_value=Money(amount=s.average_order_value, currency=currency),
                first_order_at=s.first_order_at,
                last_order_at=s.last_order_at,
                refunds_count=s.refunds_count,
                refunded_total=Money(amount=s.refunded_total, currency=currency),
            ),
            view=view,
        )

    # Personal data is masked for ANALYST keys (reports need shapes, not people).
    @strawberry.field(description="Email address (masked for ANALYST).")
    def email(self, info: strawberry.Info) -> str | None:
        return mask_email(self.view.email) if masked(info) else self.view.email

    @strawberry.field(description="Phone number in E.164 (masked for ANALYST).")
    def phone(self, info: strawberry.Info) -> str | None:
        return mask_phone(self.view.phone) if masked(info) else self.view.phone

    @strawberry.field(description="First name (masked for ANALYST).")
    def first_name(self, info: strawberry.Info) -> str | None:
        return mask_text(self.view.first_name) if masked(info) else self.view.first_name

    @strawberry.field(description="Last name (masked for ANALYST).")
    def last_name(self, info: strawberry.Info) -> str | None:
        return mask_text(self.view.last_name) if masked(info) else self.view.last_name

    @strawberry.field(description="Date of birth (null for ANALYST; see birthday_month).")
    def birthday(self, info: strawberry.Info) -> date | None:
        return None if masked(info) else self.view.birthday

    @strawberry.field(description="City (masked for ANALYST).")
    def city(self, info: strawberry.Info) -> str | None:
        return mask_text(self.view.city) if masked(info) else self.view.city

    @strawberry.field(
        description="Private key-value pairs (ADMIN, SUPPORT, MARKETER).",
        permission_classes=[PrivateReaders],
    )
    def private_metadata(self) -> JSON:
        return self.view.private_metadata

    @strawberry.field(description="The customer's ids on sales channels.")
    async def identities(self, info: strawberry.Info) -> list[CustomerIdentity]:
        views = await info.context.loader(IdentitiesByCustomerLoader).load(self.view.id)
        return [CustomerIdentity.from_view(v) for v in views]

    @strawberry.field(description="Current consent per channel and the full log.")
    async def consents(self, info: strawberry.Info) -> CustomerConsents:
        entries = await info.context.loader(ConsentEntriesByCustomerLoader).load(self.view.id)
        records = [ConsentRecord.from_view(v) for v in entries]
        latest: dict[ConsentChannel, ConsentRecord] = {}
        for record in records:  # oldest first: the last one per channel wins
            latest[record.channel] = record
        return CustomerConsents(
            email=latest.get(ConsentChannel.EMAIL),
            sms=latest.get(ConsentChannel.SMS),
            push=latest.get(ConsentChannel.PUSH),
            history=records,
        )

    @strawberry.field(description=f"Orders, newest first. {PAGE_ARGS_DOC}")
    async def orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[Order, strawberry.lazy("api.orders.types")]]:
        from api.orders.loaders import OrderCountByCustomerLoader, OrderPagesByCustomerLoader
        from api.orders.types import Order

        page = page_request(first, after, last, before)
        fetched = await info.context.loader(OrderPagesByCustomerLoader).load((self.view.id, page))
        currency = info.context.services.settings.base_currency
        count_loader = info.context.loader(OrderCountByCustomerLoader)

        async def total() -> int:
            return int(await count_loader.load((self.view.id,)))

        return connection(fetched, lambda row: Order.from_row(row, currency), total)

    @strawberry.field(description=f"Behaviour events, newest first. {PAGE_ARGS_DOC}")
    async def events(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        kind: EventKindArg = None,
    ) -> Connection[Annotated[BehaviourEvent, strawberry.lazy("api.activity.types")]]:
        from api.activity.loaders import EventCountByCustomerLoader, EventPagesByCustomerLoader
        from api.activity.types import BehaviourEvent

        page = page_request(first, after, last, before)
        kind_value = kind.value if kind is not None else None
        fetched = await info.context.loader(EventPagesByCustomerLoader).load(
            (self.view.id, page, kind_value)
        )
        count_loader = info.context.loader(EventCountByCustomerLoader)

        async def total() -> int:
            return int(await count_loader.load((self.view.id, kind_value)))

        return connection(fetched, BehaviourEvent.from_row, total)

    @strawberry.field(description="Tags on the customer, manual and rule-kept.")
    async def tags(
        self, info: strawberry.Info
    ) -> list[Annotated[CustomerTag, strawberry.lazy("api.tags.types")]]:
        from api.tags.types import customer_tags

        return await customer_tags(info, self.view.id)

    @strawberry.field(description="Tier, benefits, hold and progress to the next tier.")
    async def membership(
        self, info: strawberry.Info
    ) -> Annotated[Membership, strawberry.lazy("api.loyalty.types")]:
        from api.loyalty.queries import customer_membership

        return await customer_membership(info, self.view.id)

    @strawberry.field(description="Points: balance, lifetime earned, expiring soon, the ledger.")
    async def points(
        self, info: strawberry.Info
    ) -> Annotated[Points, strawberry.lazy("api.loyalty.types")]:
        from api.loyalty.queries import customer_points

        return await customer_points(info, self.view.id)

    @strawberry.field(
        description=f"The customer's tickets, newest first. {PAGE_ARGS_DOC}",
        permission_classes=[TicketUsers],
    )
    async def tickets(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[Ticket, strawberry.lazy("api.tickets.types")]]:
        from api.tickets.queries import customer_tickets

        return await customer_tickets(info, self.view.id, first, after, last, before)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = visible_ids(info, node_ids, roles=set(Role))
        principal = info.context.principal
        views = await info.context.loader(CustomerByIdLoader).load_many(ids)
        currency = info.context.services.settings.base_currency
        return [
            cls.from_view(v, currency)
            if v is not None and (not principal.is_customer or v.id == principal.customer_id)
            else None
            for v in views
        ]
