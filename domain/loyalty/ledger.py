"""The points ledger: append-only entries, earn lots consumed FIFO, and the balance row.

`PointsAccount` is the aggregate: the balance row (balance, lifetime earned, version) and
the customer's open lots (remaining > 0). Every change appends a `LedgerEntry`; entries
are never updated. Invariants, kept by every method:

- balance == sum of all entries' points == sum of the open lots' remaining, and >= 0;
- after any change at time `now`, no lot with expires_at <= now has anything remaining
  (each change first expires due lots, exactly as the nightly expiry would).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from domain.ids import new_id
from domain.loyalty.entries import (
    MAX_POINTS,
    AccountChanges,
    Allocation,
    EntryKind,
    LedgerEntry,
    Lot,
    Posting,
    Source,
    SourceKind,
    birthday_key,
    check_amount,
    expiry_key,
)
from domain.loyalty.errors import InsufficientPoints, InvalidPointsAmount, ReasonRequired
from domain.loyalty.events import PointsBalanceChanged

__all__ = [
    "MAX_POINTS",
    "AccountChanges",
    "Allocation",
    "EntryKind",
    "LedgerEntry",
    "Lot",
    "PointsAccount",
    "Posting",
    "Source",
    "SourceKind",
    "birthday_key",
    "expiry_key",
]


class PointsAccount:
    """A customer's balance row and open lots; the only way points change."""

    def __init__(
        self,
        *,
        customer_id: UUID,
        balance: int = 0,
        lifetime_earned: int = 0,
        version: int = 0,
        lots: Sequence[Lot] = (),
    ) -> None:
        self.customer_id = customer_id
        self.balance = balance
        self.lifetime_earned = lifetime_earned
        self.version = version
        self.lots: list[Lot] = sorted((lot for lot in lots if lot.remaining > 0), key=Lot.fifo_key)
        self._entries: list[LedgerEntry] = []
        self._new_lots: dict[UUID, Lot] = {}
        self._changed_lots: dict[UUID, Lot] = {}
        self._events: list[PointsBalanceChanged] = []

    # -- changes -----------------------------------------------------------------

    def earn(
        self,
        points: int,
        posting: Posting,
        *,
        now: datetime,
        expires_at: datetime,
        kind: EntryKind = EntryKind.EARN,
    ) -> LedgerEntry:
        """Add `points` as a new lot expiring at `expires_at` (kind EARN or ADJUST)."""
        check_amount(points)
        if kind is EntryKind.ADJUST and not posting.reason.strip():
            raise ReasonRequired("an adjustment needs a reason", field=("reason",))
        if expires_at <= now:
            raise InvalidPointsAmount(
                "points must expire after they are earned", field=("expiresAt",)
            )
        self.expire_due(now)
        entry_id = new_id()
        lot = Lot(
            customer_id=self.customer_id,
            entry_id=entry_id,
            points=points,
            remaining=points,
            earned_at=now,
            expires_at=expires_at,
        )
        self.lots.append(lot)
        self.lots.sort(key=Lot.fifo_key)
        self._new_lots[lot.id] = lot
        self.lifetime_earned += points
        return self._append(EntryKind(kind), points, posting, now, entry_id=entry_id, lot_id=lot.id)

    def redeem(self, points: int, posting: Posting, *, now: datetime) -> LedgerEntry:
        """Spend `points`, oldest lots first; refuses more than the balance."""
        return self._deduct(EntryKind.REDEEM, points, posting, now)

    def deduct(self, points: int, posting: Posting, *, now: datetime) -> LedgerEntry:
        """A negative manual adjustment of `points` (> 0); refuses more than the balance."""
        if not posting.reason.strip():
            raise ReasonRequired("an adjustment needs a reason", field=("reason",))
        return self._deduct(EntryKind.ADJUST, points, posting, now)

    def reverse(self, points: int, posting: Posting, *, now: datetime) -> LedgerEntry:
        """Take back `points` earned earlier; takes what is there and records the shortfall."""
        check_amount(points)
        self.expire_due(now)
        taken = min(points, self.balance)
        allocations = self._consume(taken)
        # Reversals undo earning, so the lifetime total shrinks by the whole request.
        self.lifetime_earned = max(0, self.lifetime_earned - points)
        return self._append(
            EntryKind.REVERSE,
            -taken,
            posting,
            now,
            allocations=allocations,
            shortfall=points - taken,
        )

    def close(self, posting: Posting, *, now: datetime) -> LedgerEntry | None:
        """Bring the balance to 0 for good (the customer was erased): due lots expire as
        usual, then one ADJUST entry takes what remains of every open lot, oldest first.
        None when nothing was left to take. Lifetime earned is history and stays."""
        if not posting.reason.strip():
            raise ReasonRequired("closing an account needs a reason", field=("reason",))
        self.expire_due(now)
        points = self.balance
        if points == 0:
            return None
        allocations = self._consume(points)
        return self._append(EntryKind.ADJUST, -points, posting, now, allocations=allocations)

    def expire_due(self, as_of: datetime) -> list[LedgerEntry]:
        """Expire what remains of every lot with expires_at <= as_of, one entry per lot.

        Entries are dated at the lot's expiry and ordered by (expires_at, FIFO), which is
        what the set-based expiry in SQL must reproduce.
        """
        due = sorted(
            (lot for lot in self.lots if lot.expires_at <= as_of and lot.remaining > 0),
            key=lambda lot: (lot.expires_at, *lot.fifo_key()),
        )
        entries = []
        for lot in due:
            points = lot.remaining
            self._take(lot, points)
            entries.append(
                self._append(
                    EntryKind.EXPIRE,
                    -points,
                    Posting(
                        reason="points expired",
                        actor="system",
                        source=None,
                        idempotency_key=expiry_key(lot.id),
                    ),
                    lot.expires_at,
                    allocations=(Allocation(lot.id, points),),
                )
            )
        return entries

    def absorb(self, loser: PointsAccount) -> list[Lot]:
        """Take over `loser`'s open lots and balance (customer merge); returns the lots moved.

        The loser's entries move too (set-based, in the repository), so each ledger still
        sums to its balance.
        """
        moved = list(loser.lots)
        for lot in moved:
            lot.customer_id = self.customer_id
            self._changed_lots[lot.id] = lot
        self.lots = sorted([*self.lots, *moved], key=Lot.fifo_key)
        self.balance += loser.balance
        self.lifetime_earned += loser.lifetime_earned
        loser.lots = []
        loser.balance = 0
        loser.lifetime_earned = 0
        return moved

    def release(
        self,
        loser: PointsAccount,
        lot_ids: Collection[UUID],
        *,
        entries_points: int,
        entries_earned: int,
        now: datetime,
        idempotency_key: str,
    ) -> None:
        """Undo of a merge: give back the loser's lots the winner still holds, after the
        loser's entries (summing `entries_points`) were moved back.

        Whatever of those lots the winner spent (or saw expire) meanwhile stays spent; a
        pair of ADJUST entries that move no lots records that the winner used that many
        of the loser's points, so both ledgers again sum to their balances.
        """
        returned = [lot for lot in self.lots if lot.id in lot_ids]
        points = sum(lot.remaining for lot in returned)
        for lot in returned:
            lot.customer_id = loser.customer_id
            loser._changed_lots[lot.id] = lot
        self.lots = [lot for lot in self.lots if lot.id not in lot_ids]
        loser.lots = sorted([*loser.lots, *returned], key=Lot.fifo_key)
        self.balance -= points
        loser.balance += points
        moved_lifetime = min(entries_earned, self.lifetime_earned)
        self.lifetime_earned -= moved_lifetime
        loser.lifetime_earned += moved_lifetime
        used = entries_points - points
        if used:
            reason = "points of a merged customer used while merged"
            loser._record_transfer(-used, reason, f"{idempotency_key}:loser", now)
            self._record_transfer(used, reason, f"{idempotency_key}:winner", now)

    # -- reading -----------------------------------------------------------------

    def available(self, as_of: datetime) -> int:
        """Points not expired at `as_of` (equals the balance once due lots are expired)."""
        return sum(lot.remaining for lot in self.lots if lot.expires_at > as_of)

    def expiring_between(self, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        """(expiry time, points) of the lots that expire in (start, end], soonest first."""
        return sorted(
            (lot.expires_at, lot.remaining)
            for lot in self.lots
            if start < lot.expires_at <= end and lot.remaining > 0
        )

    def take_changes(self) -> AccountChanges:
        """Hand the pending entries and lot changes to the repository, and forget them."""
        changes = AccountChanges(
            entries=tuple(self._entries),
            new_lots=tuple(self._new_lots.values()),
            changed_lots=tuple(
                lot for lot_id, lot in self._changed_lots.items() if lot_id not in self._new_lots
            ),
        )
        self._entries, self._new_lots, self._changed_lots = [], {}, {}
        return changes

    def take_events(self) -> list[PointsBalanceChanged]:
        events, self._events = self._events, []
        return events

    # -- internals ---------------------------------------------------------------

    def _record_transfer(self, points: int, reason: str, key: str, now: datetime) -> None:
        # Attribution only: the balance and the lots are already right.
        entry = LedgerEntry(
            customer_id=self.customer_id,
            kind=EntryKind.ADJUST,
            points=points,
            reason=reason,
            actor="system",
            source=Source(SourceKind.RULE, "merge-undo"),
            idempotency_key=key,
            fingerprint="",
            created_at=now,
            balance_after=self.balance,
        )
        self._entries.append(entry)

    def _deduct(self, kind: EntryKind, points: int, posting: Posting, now: datetime) -> LedgerEntry:
        check_amount(points)
        self.expire_due(now)
        if points > self.balance:
            raise InsufficientPoints(
                f"{points} points requested but the balance is {self.balance}",
                field=("points",),
            )
        allocations = self._consume(points)
        return self._append(kind, -points, posting, now, allocations=allocations)

    def _consume(self, points: int) -> tuple[Allocation, ...]:
        allocations = []
        left = points
        for lot in list(self.lots):  # _take drops emptied lots from self.lots
            if left == 0:
                break
            take = min(lot.remaining, left)
            if take:
                self._take(lot, take)
                allocations.append(Allocation(lot.id, take))
                left -= take
        # The lots always hold the balance, so a request within it is always covered.
        assert left == 0, "lots do not cover the balance"
        return tuple(allocations)

    def _take(self, lot: Lot, points: int) -> None:
        lot.remaining -= points
        self._changed_lots[lot.id] = lot
        self.balance -= points
        if lot.remaining == 0:
            self.lots.remove(lot)

    def _append(
        self,
        kind: EntryKind,
        points: int,
        posting: Posting,
        at: datetime,
        *,
        entry_id: UUID | None = None,
        lot_id: UUID | None = None,
        allocations: tuple[Allocation, ...] = (),
        shortfall: int = 0,
    ) -> LedgerEntry:
        if points > 0:
            self.balance += points
        entry = LedgerEntry(
            id=entry_id or new_id(),
            customer_id=self.customer_id,
            kind=kind,
            points=points,
            reason=posting.reason,
            actor=posting.actor,
            source=posting.source,
            idempotency_key=posting.idempotency_key,
            fingerprint=posting.fingerprint,
            created_at=at,
            balance_after=self.balance,
            allocations=allocations,
            shortfall=shortfall,
            lot_id=lot_id,
        )
        self._entries.append(entry)
        self._events.append(
            PointsBalanceChanged(
                customer_id=self.customer_id,
                balance=self.balance,
                delta=points,
                entry_kind=kind.value,
            )
        )
        return entry
