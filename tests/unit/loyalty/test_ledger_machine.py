"""The ledger invariants under random operation sequences, on the in-memory fake."""

from __future__ import annotations

from uuid import UUID

from hypothesis import HealthCheck, settings

from tests.unit.loyalty.fakes import FakeLoyaltyUnitOfWork
from tests.unit.loyalty.ledger_machine import LedgerSnapshot, Store, make_ledger_machine


class FakeProbe:
    def __init__(self, store: FakeLoyaltyUnitOfWork) -> None:
        self.store = store

    async def snapshot(self, customer_id: UUID) -> LedgerSnapshot:
        points = self.store.points
        ledger = points.ledger_of(customer_id)
        return LedgerSnapshot(
            balance=points.balance_of(customer_id),
            ledger_sum=sum(e.points for e in ledger),
            lots=[(lot.expires_at, lot.remaining) for lot in points.lots_of(customer_id)],
            lowest_balance_after=min((e.balance_after for e in ledger), default=0),
        )


def open_fake_store() -> Store:
    store = FakeLoyaltyUnitOfWork()
    return (lambda: store), FakeProbe(store)


PointsLedgerMachine = make_ledger_machine(open_fake_store)
PointsLedgerMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPointsLedger = PointsLedgerMachine.TestCase
