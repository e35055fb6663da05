"""GraphQL types of loyalty: tiers, member status (membership, points) and the ledger.

Status fields are plain attributes of read models; only the ledger page and the lots of
an entry do I/O, through dataloaders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay
from strawberry.permission import BasePermission, PermissionExtension

from api.loyalty.enums import EntryKind, QualificationMetric, SourceKind, TierChangeReason
from api.relay import PAGE_ARGS_DOC, Connection, connection, page_request
from domain.access.model import Role
from domain.loyalty.ledger import LedgerEntry
from domain.loyalty.tiers import Tier as TierModel
from persistence.queries.loyalty import (
    LotUseView,
    MembershipStatusView,
    PointsStatusView,
)

STAFF_ROLES = frozenset({Role.ADMIN, Role.MARKETER, Role.SUPPORT, Role.ANALYST})


class StaffOnlyOrNull(BasePermission):
    """Who made an entry (an API key or a customer) is for staff, not for apps: other
    callers read null (`fail_silently`), so the rest of their query still answers."""

    message = "Only staff see who made a ledger entry"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and principal.role in STAFF_ROLES


@strawberry.type(description="A level of the loyalty programme, reached by qualifying.")
class Tier(relay.Node):
    id: relay.NodeID[str]
    code: str = strawberry.field(description="Stable code, e.g. GOLD.")
    name: str = strawberry.field(description="Display name.")
    rank: int = strawberry.field(
        description="Order of the tiers: higher is better; 0 is the lowest."
    )
    metric: QualificationMetric = strawberry.field(description="What the threshold measures.")
    threshold: int = strawberry.field(
        description=(
            "Qualifying value to reach over the rolling 365 days: minor units of the base "
            "currency for NET_SPEND_365D, points for POINTS_EARNED_365D."
        )
    )
    multiplier: float = strawberry.field(
        description="Points multiplier on purchases at this tier (1.5 earns half as much again)."
    )
    benefits: list[str] = strawberry.field(description="What members of this tier get.")
    hold_months: int = strawberry.field(
        description="Months a reached tier is kept after the last qualification before a downgrade."
    )

    @classmethod
    def from_model(cls, tier: TierModel) -> Tier:
        return cls(
            id=str(tier.id),
            code=tier.code,
            name=tier.name,
            rank=tier.rank,
            metric=tier.metric,
            threshold=tier.threshold,
            multiplier=float(tier.multiplier),
            benefits=list(tier.benefits),
            hold_months=tier.hold_months,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        from api.loyalty.loaders import TierByIdLoader
        from api.nodes import visible_ids

        ids = visible_ids(info, node_ids, roles=set(Role))
        tiers = await info.context.loader(TierByIdLoader).load_many(ids)
        return [cls.from_model(t) if t is not None else None for t in tiers]


@strawberry.type(description="How far the next tier is.")
class TierProgress:
    next_tier: str = strawberry.field(description="Code of the next tier up.")
    metric: QualificationMetric = strawberry.field(description="What `remaining` is counted in.")
    remaining: int = strawberry.field(
        description=(
            "Still needed to reach the next tier, in its metric (minor units of the base "
            "currency, or points); 0 once reached (the upgrade follows the next qualifying order)."
        )
    )
    deadline: date = strawberry.field(
        description=(
            "Last day by which `remaining` must be reached while today's qualifying activity "
            "still counts: the oldest activity counted today leaves the 365-day window after it."
        )
    )


@strawberry.type(description="One change of a member's tier, as the tier history keeps it.")
class TierHistoryEntry:
    from_tier: str | None = strawberry.field(
        description="Code of the tier before (null for the first entry: the membership began)."
    )
    to_tier: str = strawberry.field(description="Code of the tier after the change.")
    reason: TierChangeReason = strawberry.field(description="Why the tier changed.")
    changed_at: datetime = strawberry.field(description="When the tier changed.")

    @classmethod
    def from_row(cls, row: Any) -> TierHistoryEntry:
        return cls(
            from_tier=row.from_code,
            to_tier=row.to_code,
            reason=TierChangeReason(row.reason),
            changed_at=row.at,
        )


@strawberry.type(description="A customer's standing in the loyalty programme.")
class Membership:
    tier: Tier = strawberry.field(description="The tier held now.")
    tier_since: datetime = strawberry.field(description="When the tier was reached.")
    hold_until: date | None = strawberry.field(
        description="The tier is kept at least through this day (null for the lowest tier)."
    )
    progress: TierProgress | None = strawberry.field(
        description="Progress to the next tier; null at the top tier."
    )
    customer_id: strawberry.Private[UUID]

    @strawberry.field(
        description=(
            "Every change of the member's tier (upgrades, downgrades, manual moves and the "
            f"start of the membership), newest first. {PAGE_ARGS_DOC}"
        )
    )
    async def history(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TierHistoryEntry]:
        from api.loyalty.loaders import (
            TierHistoryCountByCustomerLoader,
            TierHistoryPagesByCustomerLoader,
        )

        page = page_request(first, after, last, before)
        fetched = await info.context.loader(TierHistoryPagesByCustomerLoader).load(
            (self.customer_id, page)
        )
        count_loader = info.context.loader(TierHistoryCountByCustomerLoader)

        async def counted() -> int:
            return int(await count_loader.load((self.customer_id,)))

        return connection(fetched, TierHistoryEntry.from_row, counted)

    @classmethod
    def from_view(cls, view: MembershipStatusView) -> Membership:
        p, next_tier = view.progress, view.next_tier
        return cls(
            customer_id=view.customer_id,
            tier=Tier.from_model(view.tier),
            tier_since=view.tier_since,
            hold_until=view.hold_until,
            progress=TierProgress(
                next_tier=p.next_tier,
                metric=next_tier.metric,
                remaining=p.remaining,
                deadline=p.deadline,
            )
            if p is not None and next_tier is not None
            else None,
        )


@strawberry.type(description="Points that will expire on a day unless spent first.")
class ExpiringPoints:
    amount: int = strawberry.field(description="Points expiring.")
    date: date = strawberry.field(description="The day they expire (UTC).")


@strawberry.type(description="What caused a ledger entry.")
class PointsSource:
    kind: SourceKind = strawberry.field(description="The kind of cause.")
    id: str = strawberry.field(description="The id of the cause: order id, rule name, ...")


@strawberry.type(description="Points an entry took from, or put into, one lot (earning).")
class PointsLotUse:
    lot_id: strawberry.ID = strawberry.field(description="The lot (one per earning entry).")
    points: int = strawberry.field(description="Points taken from the lot, or earned into it.")
    earned_at: datetime = strawberry.field(description="When the lot's points were earned.")
    expires_at: datetime = strawberry.field(description="When the lot's points expire.")

    @classmethod
    def from_view(cls, view: LotUseView) -> PointsLotUse:
        return cls(
            lot_id=strawberry.ID(str(view.lot_id)),
            points=view.points,
            earned_at=view.earned_at,
            expires_at=view.expires_at,
        )


@strawberry.type(description="One line of the points ledger (entries are never changed).")
class PointsTransaction(relay.Node):
    id: relay.NodeID[str]
    kind: EntryKind = strawberry.field(description="What the entry did.")
    points: int = strawberry.field(description="Signed change of the balance.")
    balance_after: int = strawberry.field(description="The balance right after this entry.")
    reason: str = strawberry.field(description="Why: 'order', 'birthday bonus', free text...")
    source: PointsSource | None = strawberry.field(description="What caused the entry.")
    shortfall: int = strawberry.field(
        description="For a REVERSE: points that were due back but no longer in the balance."
    )
    created_at: datetime = strawberry.field(description="When the entry took effect.")
    actor_name: strawberry.Private[str]
    customer_id: strawberry.Private[UUID]

    @strawberry.field(
        description=(
            "Who made the entry: system, api_key:<id> or customer:<id>. Staff only "
            "(ADMIN, MARKETER, SUPPORT, ANALYST): null for other callers (customer tokens, "
            "STOREFRONT keys)."
        ),
        extensions=[
            PermissionExtension(
                permissions=[StaffOnlyOrNull()], fail_silently=True, use_directives=False
            )
        ],
    )
    def actor(self) -> str | None:
        return self.actor_name

    @strawberry.field(description="The lots this entry touched, oldest first.")
    async def lots(self, info: strawberry.Info) -> list[PointsLotUse]:
        from api.loyalty.loaders import LotUsesByEntryLoader

        uses = await info.context.loader(LotUsesByEntryLoader).load(UUID(str(self.id)))
        return [PointsLotUse.from_view(u) for u in uses]

    @classmethod
    def from_entry(cls, entry: LedgerEntry) -> PointsTransaction:
        return cls(
            id=str(entry.id),
            kind=entry.kind,
            points=entry.points,
            balance_after=entry.balance_after,
            reason=entry.reason,
            source=PointsSource(kind=entry.source.kind, id=entry.source.id)
            if entry.source
            else None,
            shortfall=entry.shortfall,
            created_at=entry.created_at,
            actor_name=entry.actor,
            customer_id=entry.customer_id,
        )

    @classmethod
    def from_row(cls, row: Any) -> PointsTransaction:
        return cls(
            id=str(row.id),
            kind=EntryKind(row.kind),
            points=row.points,
            balance_after=row.balance_after,
            reason=row.reason,
            source=PointsSource(kind=SourceKind(row.source_kind), id=row.source_id)
            if row.source_kind
            else None,
            shortfall=row.shortfall,
            created_at=row.created_at,
            actor_name=row.actor,
            customer_id=row.customer_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        from api.loyalty.loaders import PointsTransactionByIdLoader
        from api.nodes import visible_ids

        ids = visible_ids(info, node_ids, roles=set(Role))
        rows = await info.context.loader(PointsTransactionByIdLoader).load_many(ids)
        principal = info.context.principal
        # Row rule: a customer token sees only its own ledger (others look absent).
        return [
            cls.from_row(r)
            if r is not None
            and (not principal.is_customer or r.customer_id == principal.customer_id)
            else None
            for r in rows
        ]


@strawberry.type(description="A customer's points: balance, what expires soon, the ledger.")
class Points:
    balance: int = strawberry.field(
        description="Points that can be spent now (lots past their expiry are left out)."
    )
    lifetime_earned: int = strawberry.field(
        description="Points ever earned, less reversals of refunded orders."
    )
    expiring_soon: list[ExpiringPoints] = strawberry.field(
        description="Points expiring in the next 30 days, by day."
    )
    customer_id: strawberry.Private[UUID]

    @classmethod
    def from_view(cls, customer_id: UUID, view: PointsStatusView | None) -> Points:
        if view is None:
            return cls(
                balance=0,
                lifetime_earned=0,
                expiring_soon=[],
                customer_id=customer_id,
            )
        return cls(
            balance=view.balance,
            lifetime_earned=view.lifetime_earned,
            expiring_soon=[
                ExpiringPoints(amount=e.amount, date=e.date) for e in view.expiring_soon
            ],
            customer_id=customer_id,
        )

    @strawberry.field(description=f"The ledger, newest entry first. {PAGE_ARGS_DOC}")
    async def transactions(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PointsTransaction]:
        from api.loyalty.loaders import (
            TransactionCountByCustomerLoader,
            TransactionPagesByCustomerLoader,
        )

        page = page_request(first, after, last, before)
        fetched = await info.context.loader(TransactionPagesByCustomerLoader).load(
            (self.customer_id, page)
        )
        count_loader = info.context.loader(TransactionCountByCustomerLoader)

        async def counted() -> int:
            return int(await count_loader.load((self.customer_id,)))

        return connection(fetched, PointsTransaction.from_row, counted)
