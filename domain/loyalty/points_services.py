"""Use cases that change points: redeem, adjust, and the postings behind the handlers.

Every change goes through `post_in`: lock the account row, replay or refuse a reused
idempotency key, let the aggregate decide, then save and emit. Functions named `*_in`
run inside a unit of work the caller entered and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.ids import new_id
from domain.loyalty.errors import (
    IdempotencyKeyRequired,
    InvalidPointsAmount,
    TicketNotFound,
    TicketOfAnotherCustomer,
)
from domain.loyalty.idempotency import check_key, fingerprint, replay
from domain.loyalty.ledger import (
    Allocation,
    EntryKind,
    LedgerEntry,
    PointsAccount,
    Posting,
    Source,
    SourceKind,
)
from domain.loyalty.program import LoyaltyProgram
from domain.loyalty.repository import LoyaltyUnitOfWork
from domain.ports import Clock


@dataclass(frozen=True, kw_only=True)
class PointsResult:
    """The outcome of a points change (or of its dry run, or of a replay)."""

    customer_id: UUID
    entry: LedgerEntry
    balance: int
    """The balance right after the entry."""
    delta: int
    allocations: tuple[Allocation, ...]
    """The lots a deduction took from, oldest first."""
    shortfall: int
    dry_run: bool = False
    replayed: bool = False


@dataclass(frozen=True, kw_only=True)
class RedeemPoints:
    """Spend `points` of a customer's balance."""

    customer_id: UUID
    points: int
    idempotency_key: str | None
    """Required unless `dry_run` (see `key_of`)."""
    actor: str
    reason: str = "redemption"
    source: Source | None = None
    dry_run: bool = False


@dataclass(frozen=True, kw_only=True)
class AdjustPoints:
    """Add (points > 0) or take away (points < 0) points by hand; a reason is required."""

    customer_id: UUID
    points: int
    reason: str
    idempotency_key: str | None
    """Required unless `dry_run` (see `key_of`)."""
    actor: str
    source: Source | None = None
    """MANUAL by default; TICKET for a goodwill credit on a ticket (which must be one of
    the customer's tickets)."""
    expires_at: datetime | None = None
    """For added points; default: the programme's expiry after now."""
    dry_run: bool = False


async def redeem_points(
    uow: LoyaltyUnitOfWork, clock: Clock, command: RedeemPoints
) -> PointsResult:
    """Spend points oldest lots first; InsufficientPoints beyond the balance."""
    posting = Posting(
        reason=command.reason,
        actor=command.actor,
        source=command.source,
        idempotency_key=key_of(command.idempotency_key, dry_run=command.dry_run),
        fingerprint=fingerprint(
            "redeem",
            customer_id=command.customer_id,
            points=command.points,
            reason=command.reason,
            source=_source_text(command.source),
        ),
    )
    async with uow:
        result = await post_in(
            uow,
            command.customer_id,
            posting,
            lambda account: account.redeem(command.points, posting, now=clock.now()),
            dry_run=command.dry_run,
        )
        await uow.commit()
        return result


async def adjust_points(
    uow: LoyaltyUnitOfWork, clock: Clock, program: LoyaltyProgram, command: AdjustPoints
) -> PointsResult:
    """Credit or debit points by hand; a debit beyond the balance is InsufficientPoints.
    A TICKET source must be a ticket of the customer (TicketNotFound,
    TicketOfAnotherCustomer): the ledger would otherwise name another customer's ticket."""
    if command.points == 0:
        raise InvalidPointsAmount("points must not be 0", field=("points",))
    source = command.source or Source(SourceKind.MANUAL, command.actor)
    posting = Posting(
        reason=command.reason.strip(),
        actor=command.actor,
        source=source,
        idempotency_key=key_of(command.idempotency_key, dry_run=command.dry_run),
        fingerprint=fingerprint(
            "adjust",
            customer_id=command.customer_id,
            points=command.points,
            reason=command.reason.strip(),
            source=_source_text(source),
            expires_at=command.expires_at,
        ),
    )

    def change(account: PointsAccount) -> LedgerEntry:
        now = clock.now()
        if command.points < 0:
            return account.deduct(-command.points, posting, now=now)
        expires_at = command.expires_at or program.expiry_for(now)
        return account.earn(
            command.points, posting, now=now, expires_at=expires_at, kind=EntryKind.ADJUST
        )

    async with uow:
        if source.kind is SourceKind.TICKET:
            await _check_ticket_of(uow, command.customer_id, source.id)
        result = await post_in(uow, command.customer_id, posting, change, dry_run=command.dry_run)
        await uow.commit()
        return result


async def _check_ticket_of(uow: LoyaltyUnitOfWork, customer_id: UUID, ticket_id: str) -> None:
    try:
        ticket = UUID(ticket_id)
    except ValueError:
        raise TicketNotFound(f"no ticket {ticket_id}", field=("ticketId",)) from None
    owner = await uow.ticket_owners.customer_of(ticket)
    if owner is None:
        raise TicketNotFound(f"no ticket {ticket_id}", field=("ticketId",))
    if owner != customer_id:
        raise TicketOfAnotherCustomer(
            "the ticket belongs to another customer: goodwill goes to the ticket's customer",
            field=("ticketId",),
        )


def key_of(idempotency_key: str | None, *, dry_run: bool) -> str:
    """The key of a points change: every change needs one; a dry run may go without,
    taking a key of its own that no other request uses (a dry run stores nothing, so a
    later change under the client's key is never answered with the dry run)."""
    if idempotency_key is not None:
        return idempotency_key
    if not dry_run:
        raise IdempotencyKeyRequired(
            "points changes need an idempotency key", field=("idempotencyKey",)
        )
    return f"dry-run:{new_id()}"


async def post_in(
    uow: LoyaltyUnitOfWork,
    customer_id: UUID,
    posting: Posting,
    change: Callable[[PointsAccount], LedgerEntry],
    *,
    dry_run: bool = False,
) -> PointsResult:
    """Apply `change` to the locked account unless the key was used before."""
    check_key(posting.idempotency_key)
    # Lock first: a concurrent request under the same key then waits here and, once
    # the first commits, finds its entry below instead of appending a second one.
    account = await uow.points.get_for_update(customer_id)
    is_new = account is None
    if account is None:
        account = PointsAccount(customer_id=customer_id)
    existing = await uow.points.entry_by_key(posting.idempotency_key)
    if existing is not None:
        return _result(replay(existing, posting.fingerprint), replayed=True, dry_run=dry_run)
    entry = change(account)
    if dry_run:
        return _result(entry, dry_run=True)
    await store_in(uow, account, is_new=is_new)
    return _result(entry)


async def replayed_in(uow: LoyaltyUnitOfWork, posting: Posting) -> PointsResult | None:
    """The first result under `posting`'s key, IdempotencyConflict if it differs, or None."""
    existing = await uow.points.entry_by_key(posting.idempotency_key)
    if existing is None:
        return None
    return _result(replay(existing, posting.fingerprint), replayed=True)


async def store_in(uow: LoyaltyUnitOfWork, account: PointsAccount, *, is_new: bool) -> None:
    """Write the account's pending changes and emit its events."""
    events = account.take_events()
    if is_new:
        await uow.points.add(account)
    else:
        await uow.points.save(account)
    for event in events:
        uow.emit(event)


async def earn_in(
    uow: LoyaltyUnitOfWork,
    clock: Clock,
    program: LoyaltyProgram,
    customer_id: UUID,
    points: int,
    posting: Posting,
) -> PointsResult | None:
    """Credit `points` (nothing when 0) as a lot with the programme's expiry."""
    if points <= 0:
        return None
    now = clock.now()
    return await post_in(
        uow,
        customer_id,
        posting,
        lambda account: account.earn(points, posting, now=now, expires_at=program.expiry_for(now)),
    )


async def reverse_in(
    uow: LoyaltyUnitOfWork, clock: Clock, customer_id: UUID, points: int, posting: Posting
) -> PointsResult | None:
    """Take back `points` (nothing when 0), recording any shortfall."""
    if points <= 0:
        return None
    return await post_in(
        uow,
        customer_id,
        posting,
        lambda account: account.reverse(points, posting, now=clock.now()),
    )


def _result(entry: LedgerEntry, *, replayed: bool = False, dry_run: bool = False) -> PointsResult:
    return PointsResult(
        customer_id=entry.customer_id,
        entry=entry,
        balance=entry.balance_after,
        delta=entry.points,
        allocations=entry.allocations,
        shortfall=entry.shortfall,
        dry_run=dry_run,
        replayed=replayed,
    )


def _source_text(source: Source | None) -> str | None:
    return None if source is None else f"{source.kind.value}:{source.id}"
