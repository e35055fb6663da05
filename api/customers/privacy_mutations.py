"""Mutations of merging, unmerging, erasing and exporting customers."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from api.background.launch import launch_job
from api.background.types import Job
from api.customers.loaders import CustomerByIdLoader
from api.customers.types import Customer
from api.errors import UserError
from api.inputs import idempotency_key_field, user_errors_field
from api.mutation import mutation
from api.permissions import Admin, require
from api.relay import decode_id, encode_id
from api.scalars import JSON
from domain.access.model import Role
from domain.customers.commands import EraseCustomer, MergeCustomers, UnmergeCustomers
from domain.customers.merge import MergePreview
from domain.customers.merging import merge_customers, unmerge_customers
from domain.customers.privacy import erase_customer, export_customer
from persistence.queries.customers import history_size

Mergers = require(Role.ADMIN, Role.SUPPORT)
# Above this many orders, events, points entries and ticket messages, an export runs as
# a background job.
EXPORT_INLINE_LIMIT = 2000


@strawberry.type(description="How many records of one kind a merge moves.")
class MergeMove:
    participant: str = strawberry.field(description="The part of the system (orders, loyalty...).")
    kind: str = strawberry.field(description="What moves (orders, identities, points...).")
    count: int


@strawberry.type(description="What a merge would move, and what stops it.")
class CustomerMergePreview:
    moves: list[MergeMove]
    blockers: list[str] = strawberry.field(description="Reasons the merge cannot happen.")

    @classmethod
    def from_preview(cls, preview: MergePreview) -> CustomerMergePreview:
        return cls(
            moves=[
                MergeMove(participant=part.participant, kind=kind, count=count)
                for part in preview.parts
                for kind, count in part.moves.items()
            ],
            blockers=list(preview.blockers),
        )


@strawberry.type(description="A merge of two records of one person; it can be undone.")
class CustomerMerge:
    id: relay.GlobalID
    loser_id: relay.GlobalID = strawberry.field(description="The record merged away.")
    winner_id: relay.GlobalID = strawberry.field(description="The record that remains.")
    created_at: datetime
    undone_at: datetime | None


@strawberry.input(description="Merge `loserId` into `winnerId`.")
class CustomerMergeInput:
    loser_id: strawberry.ID
    winner_id: strawberry.ID
    dry_run: bool = strawberry.field(default=False, description="Only preview; change nothing.")
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CustomerMergePayload:
    preview: CustomerMergePreview | None = None
    merge: CustomerMerge | None = strawberry.field(default=None, description="Null on a dry run.")
    customer: Customer | None = strawberry.field(default=None, description="The winner.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="Undo a merge (newest first, while nothing newer depends on it).")
class CustomerUnmergeInput:
    merge_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CustomerUnmergePayload:
    merge: CustomerMerge | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.input(description="The customer whose personal data to erase or export.")
class CustomerPrivacyInput:
    customer_id: strawberry.ID
    idempotency_key: str | None = idempotency_key_field()


@strawberry.type
class CustomerErasePayload:
    customer: Customer | None = None
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class CustomerExportPayload:
    data: JSON | None = strawberry.field(
        default=None,
        description="Everything held about the customer, as JSON: `customer`, `identities`, "
        "`consents`, `mergedCustomers`, `orders`, `events`, `tickets` (with every message; "
        "internal notes are included, as what staff wrote about the customer is personal "
        "data about them, and marked `internal: true`: review them before handing the "
        "export over), `loyalty` (membership, tier history, balance, ledger entries and "
        "lots), `tags` (with how and when each was given), `scores` and `engagement` (null "
        f"until computed). Given when the customer holds at most {EXPORT_INLINE_LIMIT} "
        "orders, events, points entries and ticket messages; otherwise see `job`.",
    )
    job: Job | None = strawberry.field(
        default=None,
        description="For a customer with a long history: the export runs in the "
        "background and the JSON is the job's `result`.",
    )
    user_errors: list[UserError] = user_errors_field()


def _merge(merge: object) -> CustomerMerge:
    return CustomerMerge(
        id=encode_id("CustomerMerge", merge.id),  # type: ignore[attr-defined]
        loser_id=encode_id("Customer", merge.loser_id),  # type: ignore[attr-defined]
        winner_id=encode_id("Customer", merge.winner_id),  # type: ignore[attr-defined]
        created_at=merge.created_at,  # type: ignore[attr-defined]
        undone_at=merge.undone_at,  # type: ignore[attr-defined]
    )


@strawberry.type
class CustomerPrivacyMutation:
    @mutation(
        description=(
            "Merge two records of one person: identities, orders, events, consents, points, "
            "tags and tickets move to the winner; the loser's id answers the winner from "
            "then on. `dryRun` shows what would move and what blocks it."
        ),
        permission_classes=[Mergers],
    )
    async def customer_merge(
        self, info: strawberry.Info, input: CustomerMergeInput
    ) -> CustomerMergePayload:
        services = info.context.services
        outcome = await merge_customers(
            services.uow(),
            services.clock,
            services.participants,
            MergeCustomers(
                loser_id=decode_id(input.loser_id, "Customer", field=("loserId",)),
                winner_id=decode_id(input.winner_id, "Customer", field=("winnerId",)),
                actor=info.context.principal.actor,
                dry_run=input.dry_run,
            ),
        )
        winner = await info.context.loader(CustomerByIdLoader).load(outcome.preview.winner_id)
        return CustomerMergePayload(
            preview=CustomerMergePreview.from_preview(outcome.preview),
            merge=_merge(outcome.merge) if outcome.merge is not None else None,
            customer=Customer.from_view(winner, services.settings.base_currency)
            if winner
            else None,
        )

    @mutation(description="Undo a merge.", permission_classes=[Mergers])
    async def customer_unmerge(
        self, info: strawberry.Info, input: CustomerUnmergeInput
    ) -> CustomerUnmergePayload:
        services = info.context.services
        merge = await unmerge_customers(
            services.uow(),
            services.clock,
            services.participants,
            UnmergeCustomers(
                merge_id=decode_id(input.merge_id, "CustomerMerge", field=("mergeId",)),
                actor=info.context.principal.actor,
            ),
        )
        return CustomerUnmergePayload(merge=_merge(merge))

    @mutation(
        description=(
            "Erase a customer's personal data (ADMIN), with every customer merged into "
            "them (a merged-away id erases its winner): profile PII and metadata scrubbed, "
            "identities dropped, consents withdrawn; orders kept (they hold no personal "
            "data); behaviour events anonymised (URLs and properties dropped); points "
            "closed (one ADJUST entry brings the balance to 0; the ledger and tier history "
            "stay for reporting); the subject and every message of their tickets (internal "
            'notes included) replaced by "[erased]" with a new ticket version (kinds, '
            "statuses, priorities, SLA times and breaches, ratings, authors and times of "
            "messages stay). Idempotent; audited."
        ),
        permission_classes=[Admin],
    )
    async def customer_erase(
        self, info: strawberry.Info, input: CustomerPrivacyInput
    ) -> CustomerErasePayload:
        services = info.context.services
        customer_id = decode_id(input.customer_id, "Customer", field=("customerId",))
        await erase_customer(
            services.uow(),
            services.clock,
            EraseCustomer(customer_id=customer_id, actor=info.context.principal.actor),
        )
        view = await info.context.loader(CustomerByIdLoader).load(customer_id)
        return CustomerErasePayload(
            customer=Customer.from_view(view, services.settings.base_currency) if view else None
        )

    @mutation(
        description="Everything held about a customer, as JSON (ADMIN; a privacy request).",
        permission_classes=[Admin],
    )
    async def customer_export(
        self, info: strawberry.Info, input: CustomerPrivacyInput
    ) -> CustomerExportPayload:
        services = info.context.services
        customer_id = decode_id(input.customer_id, "Customer", field=("customerId",))
        async with services.read() as conn:
            size = await history_size(conn, customer_id)
        if size > EXPORT_INLINE_LIMIT:
            job = await launch_job(
                info, "customers.export", total=None, customer_id=str(customer_id)
            )
            return CustomerExportPayload(job=job)
        data = await export_customer(services.uow(), services.participants, customer_id)
        return CustomerExportPayload(data=data)
