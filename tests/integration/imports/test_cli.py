"""`patronage import customers|orders`: summary, rejects file, exit codes, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import persistence.imports
from patronage.settings import Settings
from persistence.import_writes import write_plan as real_write
from persistence.tables.customers import customers
from persistence.tables.imports import import_runs
from persistence.tables.orders import orders
from tests.integration.imports.support import (
    CUSTOMER_HEADER,
    ORDER_HEADER,
    invoke_import,
    read_rejects,
    select_rows,
    write_csv,
)


def _people(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "people.csv",
        CUSTOMER_HEADER,
        [
            {"email": "a@example.com"},
            {"email": "bad"},
            {"email": "A@EXAMPLE.com", "first_name": "A"},
            {"email": "b@example.com"},
        ],
    )


def test_customers_are_imported_with_a_summary_and_a_rejects_file(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    # Parsing in a worker process, as by default on a machine with several cores
    result = invoke_import(cli, "customers", str(_people(tmp_path)), "--workers", "1")

    assert result.exit_code == 0, result.output
    summary = " ".join(result.stdout.split())
    assert "people.csv: 4 rows" in summary
    assert "imported 2" in summary
    assert "folded duplicates 1" in summary
    assert "rejected 1" in summary
    rejects = read_rejects(tmp_path / "people.rejects.csv")
    assert [(r["email"], r["line"]) for r in rejects] == [("bad", "3")]
    assert rejects[0]["reason"].startswith("email: 'bad' is not a valid email address")
    emails = sorted(row.email for row in select_rows(settings, select(customers.c.email)))
    assert emails == ["A@example.com", "b@example.com"]


def test_a_finished_file_is_a_no_op_with_a_clear_message(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    path = _people(tmp_path)
    assert invoke_import(cli, "customers", str(path), "--workers", "0").exit_code == 0

    again = invoke_import(cli, "customers", str(path), "--workers", "0")

    assert again.exit_code == 0, again.output
    assert "already imported" in again.stdout
    assert "nothing to do" in " ".join(again.stdout.split())
    assert len(select_rows(settings, select(customers.c.id))) == 2


def test_bad_usage_exits_with_2(cli: CliRunner, tmp_path: Path) -> None:
    missing = invoke_import(cli, "customers", str(tmp_path / "missing.csv"))
    assert missing.exit_code == 2
    wrong = write_csv(tmp_path / "wrong.csv", ("e-mail",), [{"e-mail": "x@example.com"}])
    header = invoke_import(cli, "customers", str(wrong))
    assert header.exit_code == 2
    assert "unknown column(s) 'e-mail'" in " ".join(header.stderr.split())
    orders_as_customers = write_csv(tmp_path / "orders.csv", ORDER_HEADER, [])
    assert invoke_import(cli, "customers", str(orders_as_customers)).exit_code == 2
    assert (
        invoke_import(cli, "customers", str(_people(tmp_path)), "--batch-size", "0").exit_code == 2
    )


def test_a_fatal_error_exits_with_1_and_the_same_command_resumes(
    cli: CliRunner, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _people(tmp_path)
    calls = []

    async def failing_second_batch(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        await real_write(*args, **kwargs)
        if len(calls) == 2:
            raise ConnectionError("the database went away")

    monkeypatch.setattr(persistence.imports, "write_plan", failing_second_batch)
    failed = invoke_import(cli, "customers", str(path), "--batch-size", "2", "--workers", "0")

    assert failed.exit_code == 1
    message = " ".join(failed.stderr.split())
    assert "ConnectionError: the database went away" in message
    assert "committed up to line 3" in message
    run = select_rows(settings, select(import_runs))[0]
    assert (run.status, run.last_committed_line) == ("FAILED", 3)
    assert [r.email for r in select_rows(settings, select(customers.c.email))] == ["a@example.com"]

    monkeypatch.setattr(persistence.imports, "write_plan", real_write)
    resumed = invoke_import(cli, "customers", str(path), "--batch-size", "2", "--workers", "0")

    assert resumed.exit_code == 0, resumed.output
    summary = " ".join(resumed.stdout.split())
    assert "resumed after line 3" in summary
    assert "imported 2" in summary  # the whole file's counts
    assert len(select_rows(settings, select(customers.c.id))) == 2


def test_orders_are_imported_with_rejects_where_asked(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "orders.csv",
        ORDER_HEADER,
        [
            {
                "channel": "web",
                "external_id": "1",
                "customer_email": "a@example.com",
                "placed_at": "2025-01-01",
                "currency": "EUR",
                "total": "10",
            },
            {
                "channel": "web",
                "external_id": "2",
                "customer_email": "a@example.com",
                "placed_at": "soon",
                "currency": "EUR",
                "total": "10",
            },
        ],
    )
    rejects = tmp_path / "out" / "bad-orders.csv"
    rejects.parent.mkdir()

    result = invoke_import(cli, "orders", str(path), "--rejects", str(rejects), "--workers", "0")

    assert result.exit_code == 0, result.output
    summary = " ".join(result.stdout.split())
    assert "imported 1" in summary
    assert "customers created 1" in summary
    assert [r["line"] for r in read_rejects(rejects)] == ["3"]
    assert not (tmp_path / "orders.rejects.csv").exists()
    assert [o.external_id for o in select_rows(settings, select(orders.c.external_id))] == ["1"]
