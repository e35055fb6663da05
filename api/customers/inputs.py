"""Inputs of customer mutations and their translation to domain commands."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.enums import Gender
from api.inputs import idempotency_key_field
from api.relay import decode_id
from api.scalars import JSON
from domain.customers.commands import UNSET, CustomerRef, IdentityInput, ProfileFields


@strawberry.input(description="A customer's id on a sales channel.")
class CustomerIdentityInput:
    channel: str = strawberry.field(description="The sales channel, e.g. shopify.")
    external_id: str = strawberry.field(description="The customer's id on that channel.")

    def to_command(self) -> IdentityInput:
        return IdentityInput(channel=self.channel, external_id=self.external_id)


@strawberry.input(description="A new customer.")
class CustomerCreateInput:
    email: str | None = None
    phone: str | None = strawberry.field(
        default=None, description="E.164, or national with phoneRegion."
    )
    phone_region: str | None = strawberry.field(
        default=None, description="ISO country to read a national phone number."
    )
    first_name: str | None = None
    last_name: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code.")
    region: str | None = None
    city: str | None = None
    locale: str | None = None
    timezone: str | None = None
    metadata: JSON | None = strawberry.field(default=None, description="Public key-value pairs.")
    private_metadata: JSON | None = strawberry.field(
        default=None, description="Private key-value pairs."
    )
    identities: list[CustomerIdentityInput] = strawberry.field(default_factory=list)
    idempotency_key: str | None = idempotency_key_field()

    def to_profile(self) -> ProfileFields:
        def given(value: Any) -> Any:
            return UNSET if value is None else value

        return ProfileFields(
            email=given(self.email),
            phone=given(self.phone),
            phone_region=self.phone_region,
            first_name=given(self.first_name),
            last_name=given(self.last_name),
            gender=given(self.gender),
            birthday=given(self.birthday),
            country=given(self.country),
            region=given(self.region),
            city=given(self.city),
            locale=given(self.locale),
            timezone=given(self.timezone),
            metadata=given(self.metadata),
            private_metadata=given(self.private_metadata),
        )


@strawberry.input(
    description="Changes to a customer: an omitted field is kept, an explicit null clears it."
)
class CustomerUpdateInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer (omit with a customer token: yourself)."
    )
    email: strawberry.Maybe[str | None]
    phone: strawberry.Maybe[str | None]
    phone_region: str | None = None
    first_name: strawberry.Maybe[str | None]
    last_name: strawberry.Maybe[str | None]
    gender: strawberry.Maybe[Gender | None]
    birthday: strawberry.Maybe[date | None]
    country: strawberry.Maybe[str | None]
    region: strawberry.Maybe[str | None]
    city: strawberry.Maybe[str | None]
    locale: strawberry.Maybe[str | None]
    timezone: strawberry.Maybe[str | None]
    metadata: strawberry.Maybe[JSON | None] = strawberry.field(
        description="Keys to set; a key set to null is removed; null clears all."
    )
    private_metadata: strawberry.Maybe[JSON | None] = strawberry.field(
        description="As metadata, for private pairs (not for customer tokens)."
    )
    idempotency_key: str | None = idempotency_key_field()

    def to_profile(self) -> ProfileFields:
        def patch(value: Any) -> Any:
            return UNSET if value is None else value.value

        return ProfileFields(
            email=patch(self.email),
            phone=patch(self.phone),
            phone_region=self.phone_region,
            first_name=patch(self.first_name),
            last_name=patch(self.last_name),
            gender=patch(self.gender),
            birthday=patch(self.birthday),
            country=patch(self.country),
            region=patch(self.region),
            city=patch(self.city),
            locale=patch(self.locale),
            timezone=patch(self.timezone),
            metadata=patch(self.metadata),
            private_metadata=patch(self.private_metadata),
        )


@strawberry.input(description="How an order or event names its customer: id, identity or email.")
class CustomerRefInput:
    id: strawberry.ID | None = strawberry.field(default=None, description="Wins when given.")
    identity: CustomerIdentityInput | None = strawberry.field(
        default=None, description="Tried next; an unknown identity creates the customer."
    )
    email: str | None = strawberry.field(default=None, description="Tried last.")

    def to_command(self) -> CustomerRef:
        return CustomerRef(
            id=decode_id(self.id, "Customer", field=("customer", "id"))
            if self.id is not None
            else None,
            identity=self.identity.to_command() if self.identity else None,
            email=self.email,
        )
