"""Queries of customers: one by id, email or identity; the list; `me`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry
from strawberry import relay

from api.customers.loaders import CustomerByIdLoader
from api.customers.types import Customer
from api.errors import ApiError, TopLevelCode
from api.permissions import Staff, require
from api.relay import PAGE_ARGS_DOC, Connection, connection, decode_id_or_bad_request, page_request
from domain.access.model import Role
from persistence.queries import customers as q
from persistence.queries.customers import CustomerSortKey
from persistence.queries.paging import count, fetch_page

CustomerSortKeyEnum = strawberry.enum(
    CustomerSortKey, name="CustomerSortKey", description="How the customers list is sorted."
)


@strawberry.input(description="A customer's id on a sales channel.")
class IdentityInput:
    channel: str = strawberry.field(description="The sales channel, e.g. shopify.")
    external_id: str = strawberry.field(description="The customer's id on that channel.")


CustomerToken = require(Role.CUSTOMER)


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        description=(
            "One customer by id, email or sales-channel identity (give exactly one). "
            "The id of a customer merged into another answers the surviving customer. "
            "A customer token only finds its own customer. A malformed id (or the id of "
            "another type) is a BAD_REQUEST error; the id of no customer gives null."
        ),
        permission_classes=[require(*Role)],
    )
    async def customer(
        self,
        info: strawberry.Info,
        id: relay.GlobalID | None = None,
        email: str | None = None,
        identity: IdentityInput | None = None,
    ) -> Customer | None:
        given = [x for x in (id, email, identity) if x is not None]
        if len(given) != 1:
            raise ApiError("give exactly one of id, email or identity", TopLevelCode.BAD_REQUEST)
        services = info.context.services
        customer_id: UUID | None
        if id is not None:
            customer_id = decode_id_or_bad_request(id, "Customer")
        else:
            async with services.read() as conn:
                if email is not None:
                    customer_id = await q.customer_id_by_email(conn, email)
                else:
                    assert identity is not None
                    customer_id = await q.customer_id_by_identity(
                        conn, identity.channel, identity.external_id
                    )
            if customer_id is None:
                return None
        view = await info.context.loader(CustomerByIdLoader).load(customer_id)
        principal = info.context.principal
        # Row rule: a customer token finds only its own customer (others look absent).
        if view is None or (principal.is_customer and view.id != principal.customer_id):
            return None
        return Customer.from_view(view, services.settings.base_currency)

    @strawberry.field(
        description=(
            "Customers (merged-away records excluded). `query` filters with the segment "
            f"language, e.g. `tier IN ('GOLD') AND last_order_days > 90`. {PAGE_ARGS_DOC}"
        ),
        permission_classes=[Staff],
    )
    async def customers(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        query: Annotated[
            str | None, strawberry.argument(description="A segment-language filter.")
        ] = None,
        sort_key: CustomerSortKey = CustomerSortKey.CREATED_AT,
        reverse: Annotated[
            bool, strawberry.argument(description="Newest/largest first when true.")
        ] = False,
    ) -> Connection[Customer]:
        page = page_request(first, after, last, before)
        services = info.context.services
        where = await _segment_filter(info, query)
        stmt, keys = q.customers_list(sort_key, where=where)
        async with services.read() as conn:
            fetched = await fetch_page(conn, stmt, keys, page, descending=reverse)

        async def total() -> int:
            async with services.read() as conn:
                return await count(conn, stmt)

        currency = services.settings.base_currency
        return connection(
            fetched, lambda row: Customer.from_view(q.customer_from_row(row), currency), total
        )

    @strawberry.field(
        description="The customer a customer token belongs to.",
        permission_classes=[CustomerToken],
    )
    async def me(self, info: strawberry.Info) -> Customer | None:
        principal = info.context.principal
        view = await info.context.loader(CustomerByIdLoader).load(principal.customer_id)
        if view is None:
            return None
        return Customer.from_view(view, info.context.services.settings.base_currency)


async def _segment_filter(info: strawberry.Info, query: str | None):  # type: ignore[no-untyped-def]
    """The SQL filter for a segment-language query (None without a query)."""
    if query is None or not query.strip():
        return None
    from api.customers.segment_filter import customer_filter

    return await customer_filter(info, query)
