"""`patronage import`: files and options refused before anything is imported (exit 2),
and what the summary and messages say."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from patronage.settings import Settings
from persistence.imports import SqlImportBatch
from persistence.tables.customers import customers
from persistence.tables.imports import import_runs
from tests.integration.imports.support import invoke_import, read_rejects, select_rows


def test_an_unclosed_quote_refuses_the_file_naming_its_line(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    # Given a 5,000-row file whose line 3 opens a quoted field it never closes
    path = tmp_path / "quote.csv"
    rows = "".join(f"a{n}@example.com,\n" for n in range(4, 5002))
    path.write_text('email,first_name\nok@example.com,Ok\na1@example.com,"Bob\n' + rows)

    result = invoke_import(cli, "customers", str(path), "--workers", "0")

    # Then the file is refused as unusable, naming line 3, and nothing is imported
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert 'line 3: a quoted field (opened by ") is never closed' in message
    assert select_rows(settings, select(import_runs.c.id)) == []
    assert select_rows(settings, select(customers.c.id)) == []
    assert not (tmp_path / "quote.rejects.csv").exists()


def test_a_clean_rerun_empties_the_old_rejects_file_and_says_nothing_was_rejected(
    cli: CliRunner, tmp_path: Path
) -> None:
    # Given an import that rejected a row, and the file fixed afterwards
    path = tmp_path / "people.csv"
    rejects = tmp_path / "people.rejects.csv"
    path.write_text("email,first_name\na@example.com,A\nbad,B\n")
    assert invoke_import(cli, "customers", str(path), "--workers", "0").exit_code == 0
    assert [r["line"] for r in read_rejects(rejects)] == ["3"]
    path.write_text("email,first_name\na@example.com,A\nb@example.com,B\n")

    # When the fixed file is imported
    result = invoke_import(cli, "customers", str(path), "--workers", "0")

    # Then the old rejects file holds only its header, and the summary says so
    assert result.exit_code == 0, result.output
    assert rejects.read_text().splitlines() == ["email,first_name,line,reason"]
    summary = " ".join(result.stdout.split())
    assert "rejected 0" in summary
    assert "no rows were rejected" in summary


def test_a_clean_run_creates_no_rejects_file(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("email\na@example.com\n")

    result = invoke_import(cli, "customers", str(path), "--workers", "0")

    assert result.exit_code == 0, result.output
    assert "no rows were rejected" in " ".join(result.stdout.split())
    assert not (tmp_path / "clean.rejects.csv").exists()


def test_a_rejects_path_that_is_the_input_file_is_refused(
    cli: CliRunner, settings: Settings, tmp_path: Path
) -> None:
    # Given a file, and paths that all lead to it
    path = tmp_path / "self.csv"
    content = "email\na@example.com\nbad\n"
    path.write_text(content)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(path)
    (tmp_path / "hard.csv").hardlink_to(path)
    for rejects in (path, tmp_path / "sub" / ".." / "self.csv", tmp_path / "link.csv"):
        # When it is given as the rejects file (also from another spelling of the path)
        result = invoke_import(cli, "customers", str(path), "--rejects", str(rejects))

        # Then the import is refused and the file left as it was
        assert result.exit_code == 2, result.output
        assert "is the file being imported" in " ".join(result.stderr.split())
    hard = invoke_import(cli, "customers", str(tmp_path / "hard.csv"), "--rejects", str(path))
    assert hard.exit_code == 2, hard.output
    assert path.read_text() == content
    assert select_rows(settings, select(import_runs.c.id)) == []


def test_after_an_interrupt_the_message_gives_the_line_committed(
    cli: CliRunner, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an import interrupted (Ctrl-C) just as its second batch committed
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "".join(f"p{n}@example.com\n" for n in range(5)))
    commits = []
    real_commit = SqlImportBatch.commit

    async def commit_then_interrupt(self: SqlImportBatch) -> None:
        await real_commit(self)
        commits.append(1)
        if len(commits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(SqlImportBatch, "commit", commit_then_interrupt)

    result = invoke_import(cli, "customers", str(path), "--batch-size", "2", "--workers", "0")

    # Then the message gives the line the database holds as committed
    assert result.exit_code == 1, result.output
    run = select_rows(settings, select(import_runs))[0]
    assert (run.status, run.last_committed_line, run.rows) == ("FAILED", 5, 4)
    message = " ".join(result.stderr.split())
    assert "import failed: interrupted" in message
    assert "committed up to line 5 (4 rows)" in message
