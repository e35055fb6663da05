"""The set-based expiry in SQL writes exactly what `PointsAccount.expire_due` would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.loyalty.ledger import EntryKind, LedgerEntry, PointsAccount, Posting, expiry_key
from persistence.tables.loyalty import points_accounts, points_entries
from tests.integration.loyalty.support import insert_customer, plain_uow

T0 = datetime(2025, 1, 10, 9, 30, tzinfo=UTC)


def _posting(key: str) -> Posting:
    return Posting(reason="test", actor="test", source=None, idempotency_key=key)


async def _seed(
    engine: AsyncEngine, customer_id: UUID, build: list[tuple[str, int, int, int]]
) -> None:
    """Earn and redeem on one account: (op, points, earned day offset, lifetime days)."""
    async with plain_uow(engine) as uow:
        account = PointsAccount(customer_id=customer_id)
        for n, (op, points, day, days) in enumerate(build):
            now = T0 + timedelta(days=day)
            if op == "earn":
                account.earn(
                    points,
                    _posting(f"{customer_id}:{n}"),
                    now=now,
                    expires_at=now + timedelta(days=days),
                )
            else:
                account.redeem(points, _posting(f"{customer_id}:{n}"), now=now)
        await uow.points.add(account)
        await uow.commit()


def _comparable(entry: LedgerEntry) -> tuple[object, ...]:
    return (
        entry.customer_id,
        entry.kind,
        entry.points,
        entry.reason,
        entry.actor,
        entry.source,
        entry.idempotency_key,
        entry.fingerprint,
        entry.created_at,
        entry.balance_after,
        entry.allocations,
        entry.shortfall,
        entry.lot_id,
    )


async def test_sql_expiry_matches_the_domain_method(engine: AsyncEngine) -> None:
    # Given accounts with lots expiring before, at and after the cut-off, some partly
    # spent, some expiring at the same moment (ordered by earning time, then lot id)
    same_expiry = 40
    plans = {
        "mixed": [
            ("earn", 100, 0, 30),
            ("earn", 50, 1, 60),
            ("redeem", 30, 2, 0),
            ("earn", 70, 3, 400),
        ],
        "ties": [
            ("earn", 10, 0, same_expiry),
            ("earn", 20, 0, same_expiry),
            ("earn", 30, 5, same_expiry - 5),
            ("earn", 5, 6, 500),
        ],
        "spent": [("earn", 40, 0, 10), ("redeem", 40, 1, 0), ("earn", 15, 2, 20)],
        "fresh": [("earn", 25, 0, 900)],
    }
    ids = {name: await insert_customer(engine) for name in plans}
    for name, plan in plans.items():
        await _seed(engine, ids[name], plan)
    as_of = T0 + timedelta(days=same_expiry)

    expected: dict[UUID, tuple[list[LedgerEntry], PointsAccount]] = {}
    async with plain_uow(engine) as uow:
        for customer_id in ids.values():
            account = await uow.points.get(customer_id)
            assert account is not None
            expected[customer_id] = (account.expire_due(as_of), account)

    # When the set-based expiry runs
    async with plain_uow(engine) as uow:
        touched = await uow.points.expire_lots(as_of)
        await uow.commit()

    # Then it touched exactly the accounts the domain would, with the same totals
    want = {
        cid: (-sum(e.points for e in entries), acc.balance)
        for cid, (entries, acc) in expected.items()
        if entries
    }
    assert {t.customer_id: (t.expired, t.balance) for t in touched} == want
    assert ids["fresh"] not in want and len(want) == 3
    # And the entries are the domain's, field for field (ids aside)
    async with plain_uow(engine) as uow:
        for customer_id, (entries, account) in expected.items():
            for entry in entries:
                stored = await uow.points.entry_by_key(entry.idempotency_key)
                assert stored is not None, entry
                assert _comparable(stored) == _comparable(entry)
            reloaded = await uow.points.get(customer_id)
            assert reloaded is not None
            assert reloaded.balance == account.balance
            assert sorted((x.id, x.remaining) for x in reloaded.lots) == sorted(
                (x.id, x.remaining) for x in account.lots
            )
    async with engine.connect() as conn:
        versions = dict(
            (
                await conn.execute(select(points_accounts.c.customer_id, points_accounts.c.version))
            ).all()
        )
        expire_rows = (
            await conn.execute(
                select(points_entries.c.customer_id).where(
                    points_entries.c.kind == EntryKind.EXPIRE.value
                )
            )
        ).all()
    # The balance row moved on for the touched accounts only (version 1 after seeding).
    assert {cid for cid, v in versions.items() if v == 2} == set(want)
    assert len(expire_rows) == sum(len(e) for e, _ in expected.values())


async def test_expiry_keys_match_the_domain_and_a_second_run_changes_nothing(
    engine: AsyncEngine,
) -> None:
    customer_id = await insert_customer(engine)
    await _seed(engine, customer_id, [("earn", 10, 0, 5), ("earn", 20, 1, 5)])
    async with plain_uow(engine) as uow:
        account = await uow.points.get(customer_id)
    assert account is not None
    lot_ids = [lot.id for lot in account.lots]
    as_of = T0 + timedelta(days=30)

    async with plain_uow(engine) as uow:
        first = await uow.points.expire_lots(as_of)
        await uow.commit()
    async with plain_uow(engine) as uow:
        again = await uow.points.expire_lots(as_of)
        await uow.commit()
        entries = [await uow.points.entry_by_key(expiry_key(lot_id)) for lot_id in lot_ids]

    assert [(r.expired, r.balance) for r in first] == [(30, 0)]
    assert again == []
    assert [e.points if e else None for e in entries] == [-10, -20]
    # The later-earned lot expired last, so its entry ends at the balance of zero.
    assert [e.balance_after if e else None for e in entries] == [20, 0]
