"""The ledger invariants under random operation sequences, on SQLite and PostgreSQL.

The same hypothesis state machine as tests/unit/loyalty/test_ledger_machine.py, with
every operation in its own SQL unit of work: balance = sum of the ledger = sum of the
lots, never below zero, and refusals exactly where the model predicts them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from persistence.db import make_engine
from tests.integration.loyalty.support import SqlLedgerProbe, insert_customer, plain_uow
from tests.unit.loyalty.ledger_machine import Store, make_ledger_machine

MACHINE_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_ledger_sums_to_the_balance_under_random_operations(database_url: str) -> None:
    # Given one event loop and one engine for the whole run (the machine is synchronous)
    loop = asyncio.new_event_loop()
    engine = make_engine(database_url)

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return loop.run_until_complete(coroutine)

    def open_store() -> Store:
        return (lambda: plain_uow(engine)), SqlLedgerProbe(engine)

    base = make_ledger_machine(open_store, run)

    class SqlPointsLedgerMachine(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            # Entries and lots reference their customer: each run gets a stored one.
            run(insert_customer(engine, self.customer_id))

    try:
        # When random earn / redeem / adjust / refund / expire / replay sequences run
        # Then every step's invariants hold against what the tables hold
        run_state_machine_as_test(SqlPointsLedgerMachine, settings=MACHINE_SETTINGS)
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
