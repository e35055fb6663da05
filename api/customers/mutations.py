"""Mutations of customers: create, update, identities, consent, customer tokens."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from api.access.mutations import CustomerToken
from api.customers.inputs import CustomerCreateInput, CustomerIdentityInput, CustomerUpdateInput
from api.customers.loaders import CustomerByIdLoader
from api.customers.ownership import NotYourCustomer, acting_customer
from api.customers.types import Customer
from api.enums import ConsentChannel, ConsentState, OptInLevel
from api.errors import ErrorCode, UserError, register_error_code
from api.inputs import idempotency_key_field, user_errors_field
from api.mutation import mutation
from api.permissions import Storefront, require
from api.relay import decode_id
from domain.access.model import Role
from domain.customers.commands import AddIdentity, CreateCustomer, SetConsent, UpdateCustomer
from domain.customers.errors import UnknownCustomer
from domain.customers.services import add_identity, create_customer, set_consent, update_customer
from persistence.queries.customers import customers_by_id

ProfileWriters = require(Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.STOREFRONT, Role.CUSTOMER)
register_error_code(NotYourCustomer, ErrorCode.FORBIDDEN)


@strawberry.type
class CustomerPayload:
    customer: Customer | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="A new identity for a customer.")
class CustomerIdentityAddInput:
    customer_id: strawberry.ID
    identity: CustomerIdentityInput
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="A consent change for one channel (appended to the log).")
class CustomerConsentSetInput:
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The customer (omit with a customer token: yourself)."
    )
    channel: ConsentChannel
    state: ConsentState
    opt_in_level: OptInLevel | None = strawberry.field(
        default=None, description="Defaults: SINGLE for SUBSCRIBED, CONFIRMED for PENDING."
    )
    source: str = strawberry.field(description="Where the change comes from (form, import...).")
    occurred_at: datetime | None = strawberry.field(
        default=None, description="When the customer made the change (default: now)."
    )
    idempotency_key: str | None = idempotency_key_field()


@strawberry.input(description="The customer a token is for.")
class CustomerTokenCreateInput:
    customer_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CustomerTokenCreatePayload:
    token: CustomerToken | None = None
    user_errors: list[UserError] = user_errors_field()


async def _reload(info: strawberry.Info, customer_id: UUID) -> Customer | None:
    view = await info.context.loader(CustomerByIdLoader).load(customer_id)
    return Customer.from_view(view, info.context.services.settings.base_currency) if view else None


@strawberry.type
class CustomerMutation:
    @mutation(
        description=(
            "Create a customer (email unique, case-insensitive; identities unique). Every "
            "invalid profile field is reported at once, one userError each; nothing is kept."
        ),
        permission_classes=[require(Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.STOREFRONT)],
    )
    async def customer_create(
        self, info: strawberry.Info, input: CustomerCreateInput
    ) -> CustomerPayload:
        services = info.context.services
        customer = await create_customer(
            services.uow(),
            services.clock,
            CreateCustomer(
                profile=input.to_profile(),
                identities=[i.to_command() for i in input.identities],
            ),
        )
        return CustomerPayload(customer=await _reload(info, customer.id))

    @mutation(
        description=(
            "Change a customer's profile: omitted fields are kept, explicit nulls clear. "
            "A customer token changes only its own profile (not private metadata). Every "
            "invalid field is reported at once, one userError each; then nothing is changed."
        ),
        permission_classes=[ProfileWriters],
    )
    async def customer_update(
        self, info: strawberry.Info, input: CustomerUpdateInput
    ) -> CustomerPayload:
        services = info.context.services
        customer_id = acting_customer(info, input.id, field="id")
        if info.context.principal.is_customer and input.private_metadata is not None:
            raise NotYourCustomer(
                "private metadata is not for customer tokens", field=("privateMetadata",)
            )
        customer = await update_customer(
            services.uow(),
            services.clock,
            UpdateCustomer(customer_id=customer_id, profile=input.to_profile()),
        )
        return CustomerPayload(customer=await _reload(info, customer.id))

    @mutation(
        description="Link a sales-channel identity to a customer; (channel, externalId) is unique.",
        permission_classes=[require(Role.ADMIN, Role.SUPPORT, Role.STOREFRONT)],
    )
    async def customer_identity_add(
        self, info: strawberry.Info, input: CustomerIdentityAddInput
    ) -> CustomerPayload:
        services = info.context.services
        customer = await add_identity(
            services.uow(),
            services.clock,
            AddIdentity(
                customer_id=decode_id(input.customer_id, "Customer", field=("customerId",)),
                channel=input.identity.channel,
                external_id=input.identity.external_id,
            ),
        )
        return CustomerPayload(customer=await _reload(info, customer.id))

    @mutation(
        description="Record a consent change; the log is append-only and the latest change wins.",
        permission_classes=[ProfileWriters],
    )
    async def customer_consent_set(
        self, info: strawberry.Info, input: CustomerConsentSetInput
    ) -> CustomerPayload:
        services = info.context.services
        customer_id = acting_customer(info, input.customer_id)
        log = await set_consent(
            services.uow(),
            services.clock,
            SetConsent(
                customer_id=customer_id,
                channel=input.channel,
                state=input.state,
                source=input.source,
                opt_in_level=input.opt_in_level,
                occurred_at=input.occurred_at,
            ),
        )
        return CustomerPayload(customer=await _reload(info, log.customer_id))

    @mutation(
        description=(
            "Issue a short-lived customer token (STOREFRONT, ADMIN): the app sends it as "
            "`Authorization: Bearer <token>` and sees only that customer's data."
        ),
        permission_classes=[Storefront],
    )
    async def customer_token_create(
        self, info: strawberry.Info, input: CustomerTokenCreateInput
    ) -> CustomerTokenCreatePayload:
        services = info.context.services
        customer_id = decode_id(input.customer_id, "Customer", field=("customerId",))
        async with services.read() as conn:
            found = (await customers_by_id(conn, [customer_id])).get(customer_id)
        if found is None or found.erased_at is not None:
            raise UnknownCustomer(f"no customer with id {input.customer_id}", field=("customerId",))
        token, expires_at = services.tokens.issue(
            found.id, issued_by=info.context.principal.api_key_id, now=services.clock.now()
        )
        return CustomerTokenCreatePayload(token=CustomerToken(token=token, expires_at=expires_at))
