"""The architecture's promises: layer contracts and the committed schema."""

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
