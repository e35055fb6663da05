"""The architecture's promises: layer contracts, the committed schema, lint and types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    # domain imports no framework; api and jobs never import each other (pyproject.toml).
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_graphql_matches_the_code() -> None:
    from api.schema import build_schema
    from patronage.settings import Settings

    committed = (ROOT / "schema.graphql").read_text()
    assert committed == build_schema(Settings()).as_str() + "\n", (
        "schema.graphql is stale: run `make schema` (patronage export-schema > schema.graphql)"
    )


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / name), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing_and_the_code_is_formatted() -> None:
    checked = _tool("ruff", "check", ".")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = _tool("ruff", "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_is_clean_and_strict_on_the_domain() -> None:
    strict = _tool("mypy", "--strict", "domain")
    assert strict.returncode == 0, strict.stdout + strict.stderr
    layers = _tool("mypy", "api", "persistence", "jobs", "patronage", "tests")
    assert layers.returncode == 0, layers.stdout + layers.stderr
