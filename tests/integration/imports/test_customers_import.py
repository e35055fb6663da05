"""Importing customers: validation per row, folding of duplicates, what is written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind, ImportStatus
from patronage.importing import CsvFile
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.imports import import_rejects, import_runs
from persistence.tables.loyalty import memberships, points_entries, tier_changes
from persistence.unit_of_work import SqlUnitOfWork
from tests.integration.customers.builders import make_customer
from tests.integration.imports.support import (
    CUSTOMER_HEADER,
    fetch,
    read_rejects,
    rejects_path,
    run_import,
    write_csv,
)
from tests.unit.fakes import FixedClock

CUSTOMERS = ImportKind.CUSTOMERS


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


async def _customer(engine: AsyncEngine, email_key: str) -> Row[Any]:
    rows = await fetch(engine, select(customers).where(customers.c.email_key == email_key))
    assert len(rows) == 1, rows
    return rows[0]


async def test_good_rows_become_customers_with_identities_consents_and_memberships(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    # Given a file of three valid customers
    path = write_csv(
        tmp_path / "customers.csv",
        CUSTOMER_HEADER,
        [
            {
                "email": "Ana@Example.COM",
                "phone": "+33612345678",
                "first_name": "Ana",
                "country": "fr",
                "identity_channel": "Shopify",
                "identity_external_id": "c-1",
                "email_consent": "subscribed",
                "created_at": "2021-03-04",
            },
            {"email": "ben@example.com", "phone": "06 12 34 56 79", "country": "FR"},
            {"identity_channel": "pos", "identity_external_id": "card-9", "last_name": "Zed"},
        ],
    )

    # When it is imported
    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    # Then each row is a customer, normalised as the API would store it
    counts = outcome.run.counts
    assert (counts.rows, counts.imported, counts.rejected) == (3, 3, 0)
    ana = await _customer(engine, "ana@example.com")
    assert ana.email == "Ana@example.com"
    assert ana.phone == "+33612345678"
    assert ana.country == "FR"
    assert ana.created_at == datetime(2021, 3, 4, tzinfo=UTC)
    assert ana.email_consent == "SUBSCRIBED"
    ben = await _customer(engine, "ben@example.com")
    assert ben.phone == "+33612345679"  # national number read in the row's country
    assert ben.created_at == clock.now()
    identities = await fetch(
        engine, select(customer_identities.c.channel, customer_identities.c.external_id)
    )
    assert sorted(map(tuple, identities)) == [("pos", "card-9"), ("shopify", "c-1")]
    entries = await fetch(engine, select(consent_entries))
    assert [(e.channel, e.state, e.opt_in_level, e.source) for e in entries] == [
        ("EMAIL", "SUBSCRIBED", "SINGLE", "import")
    ]
    # Every new customer is a member of the lowest tier, with its history; no bonus
    assert {m.tier_code for m in await fetch(engine, select(memberships))} == {"MEMBER"}
    assert len(await fetch(engine, select(memberships))) == 3
    changes = await fetch(engine, select(tier_changes))
    assert [(c.from_code, c.to_code, c.reason) for c in changes] == [
        (None, "MEMBER", "INITIAL")
    ] * 3
    assert await fetch(engine, select(points_entries)) == []
    # And the run is finished, with no rejects file and no rejected rows kept
    assert outcome.run.status is ImportStatus.FINISHED
    assert not rejects_path(path).exists()


async def test_invalid_rows_go_to_the_rejects_file_with_their_line_and_reason(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "people.csv",
        CUSTOMER_HEADER,
        [
            {"email": "ok@example.com"},  # line 2
            {"email": "not-an-email"},  # line 3
            {"email": "phone@example.com", "phone": "+33 1"},  # line 4
            {"email": "date@example.com", "created_at": "2024-02-30"},  # line 5
            {"first_name": "Nobody"},  # line 6: neither email nor identity
            {"email": "half@example.com", "identity_channel": "shopify"},  # line 7
            {"email": "name@example.com", "first_name": "x" * 101},  # line 8
            {"email": "many@example.com", "phone": "12", "country": "XX"},  # line 9
        ],
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert (outcome.run.counts.imported, outcome.run.counts.rejected) == (1, 7)
    rejects = read_rejects(rejects_path(path))
    assert [r["line"] for r in rejects] == ["3", "4", "5", "6", "7", "8", "9"]
    reasons = {r["line"]: r["reason"] for r in rejects}
    assert reasons["3"].startswith("email: 'not-an-email' is not a valid email address")
    assert reasons["4"].startswith("phone: '+33 1' is not")
    assert reasons["5"].startswith("created_at: '2024-02-30' is not a date-time")
    assert reasons["6"].startswith("the row needs an email or an identity")
    assert reasons["7"] == "identity_channel and identity_external_id go together"
    assert reasons["8"] == "first_name: first_name is limited to 100 characters"
    assert "country: 'XX' is not an ISO 3166-1" in reasons["9"]
    assert "phone: '12'" in reasons["9"]  # every problem of the row, not only the first
    # The rejects file keeps the original cells
    assert rejects[0]["email"] == "not-an-email"
    assert list(rejects[0])[-2:] == ["line", "reason"]
    count = await fetch(engine, select(func.count()).select_from(customers))
    assert count[0][0] == 1
    # Rejected rows are not kept in the database once the file is written
    assert await fetch(engine, select(import_rejects)) == []


async def test_the_same_email_in_another_case_is_folded_into_one_customer(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "dupes.csv",
        CUSTOMER_HEADER,
        [
            {
                "email": "ana@example.com",
                "first_name": "Ana",
                "last_name": "Lee",
                "email_consent": "SUBSCRIBED",
            },
            {"email": "other@example.com"},
            {"email": "ANA@example.com", "first_name": "Anna", "email_consent": "UNSUBSCRIBED"},
        ],
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    counts = outcome.run.counts
    assert (counts.imported, counts.folded, counts.rejected) == (2, 1, 0)
    ana = await _customer(engine, "ana@example.com")
    # The later row updates the fields it gives and keeps the others
    assert (ana.email, ana.first_name, ana.last_name) == ("ANA@example.com", "Anna", "Lee")
    assert ana.email_consent == "UNSUBSCRIBED"
    entries = await fetch(engine, select(consent_entries.c.state).order_by(consent_entries.c.id))
    assert [e.state for e in entries] == ["SUBSCRIBED", "UNSUBSCRIBED"]


async def test_the_same_identity_is_folded_and_adopts_the_email_of_a_later_row(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "ids.csv",
        CUSTOMER_HEADER,
        [
            {"identity_channel": "shopify", "identity_external_id": "7", "first_name": "Al"},
            {
                "identity_channel": "SHOPIFY",
                "identity_external_id": " 7 ",
                "email": "al@example.com",
            },
            {
                "email": "al@example.com",
                "identity_channel": "pos",
                "identity_external_id": "card-1",
            },
        ],
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert (outcome.run.counts.imported, outcome.run.counts.folded) == (1, 2)
    al = await _customer(engine, "al@example.com")
    assert al.first_name == "Al"
    identities = await fetch(engine, select(customer_identities))
    assert {(i.channel, i.external_id, i.customer_id) for i in identities} == {
        ("shopify", "7", al.id),
        ("pos", "card-1", al.id),
    }


async def test_rows_matching_stored_customers_update_them_and_count_as_updated(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    # Given customers created through the domain (one by email, one by identity)
    uow = services.uow
    stored = await make_customer(uow(), clock, email="Ana@example.com", first_name="Ana")
    other = await make_customer(uow(), clock, email="bo@example.com", identities=(("pos", "9"),))
    path = write_csv(
        tmp_path / "update.csv",
        CUSTOMER_HEADER,
        [
            {"email": "ana@EXAMPLE.com", "last_name": "Lee", "created_at": "2020-01-01"},
            {"email": "bo@example.com"},  # nothing to change
            {"email": "ana@example.com", "identity_channel": "pos", "identity_external_id": "9"},
        ],
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    counts = outcome.run.counts
    assert (counts.imported, counts.updated, counts.unchanged) == (0, 1, 1)
    # The email names Ana, the identity Bo: the row is refused, nothing is merged
    assert counts.rejected == 1
    reject = read_rejects(rejects_path(path))[0]
    assert reject["line"] == "4"
    assert reject["reason"] == (
        "the email belongs to one customer and the identity to another (merge them first)"
    )
    ana = await _customer(engine, "ana@example.com")
    assert ana.id == stored.id
    assert (ana.first_name, ana.last_name) == ("Ana", "Lee")
    assert ana.created_at == datetime(2020, 1, 1, tzinfo=UTC)  # the earlier date is kept
    assert ana.email == "ana@example.com"  # the row's spelling of the same address
    bo = await _customer(engine, "bo@example.com")
    assert bo.id == other.id
    assert len(await fetch(engine, select(customers))) == 2


async def test_emails_may_move_between_customers_within_a_batch(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    # Given a stored customer known by identity with email a@
    uow = services.uow
    first = await make_customer(uow(), clock, email="a@example.com", identities=(("pos", "1"),))
    path = write_csv(
        tmp_path / "move.csv",
        CUSTOMER_HEADER,
        [
            # it changes to b@, then a new person takes a@ in the same batch
            {"identity_channel": "pos", "identity_external_id": "1", "email": "b@example.com"},
            {"email": "a@example.com", "first_name": "New"},
        ],
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert (outcome.run.counts.updated, outcome.run.counts.imported) == (1, 1)
    assert (await _customer(engine, "b@example.com")).id == first.id
    assert (await _customer(engine, "a@example.com")).first_name == "New"


async def test_a_finished_file_is_not_imported_twice(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "once.csv", CUSTOMER_HEADER, [{"email": "x@example.com"}])
    first = await run_import(engine, path, CUSTOMERS, clock=clock)

    again = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert again.already_finished
    assert again.run.id == first.run.id
    assert again.this_time.rows == 0
    assert len(await fetch(engine, select(customers))) == 1
    assert len(await fetch(engine, select(import_runs))) == 1


async def test_a_header_with_unknown_columns_refuses_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "typo.csv", ("e-mail", "first_name"), [])
    with pytest.raises(InvalidImportFile, match="unknown column"):
        CsvFile.open(path, CUSTOMERS)
    orders_header = write_csv(tmp_path / "orders.csv", ("channel", "external_id"), [])
    with pytest.raises(InvalidImportFile, match="needs the column"):
        CsvFile.open(orders_header, ImportKind.ORDERS)


async def test_a_row_with_more_cells_than_columns_is_rejected(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path
) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("email,first_name\nok@example.com,Ok\n\nx@example.com,X,surplus\n")

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert (outcome.run.counts.imported, outcome.run.counts.rejected) == (1, 1)
    reject = read_rejects(rejects_path(path))[0]
    assert (reject["line"], reject["reason"]) == (
        "4",  # the blank line 3 still counts
        "the row has 3 cells but the header has 2 columns",
    )


async def test_a_merged_away_customer_email_updates_the_winner(
    engine: AsyncEngine, clock: FixedClock, tmp_path: Path, services: Services
) -> None:
    uow_factory = services.uow
    loser = await make_customer(uow_factory(), clock, email="old@example.com")
    winner = await make_customer(uow_factory(), clock, email="new@example.com")
    uow: SqlUnitOfWork = uow_factory()
    async with uow:
        await uow.connection.execute(
            customers.update().where(customers.c.id == loser.id).values(merged_into=winner.id)
        )
        await uow.commit()
    path = write_csv(
        tmp_path / "merged.csv", CUSTOMER_HEADER, [{"email": "old@example.com", "last_name": "W"}]
    )

    outcome = await run_import(engine, path, CUSTOMERS, clock=clock)

    assert outcome.run.counts.updated == 1
    won = await _customer(engine, "new@example.com")
    assert (won.id, won.last_name) == (winner.id, "W")
    lost = await _customer(engine, "old@example.com")
    assert lost.last_name is None
