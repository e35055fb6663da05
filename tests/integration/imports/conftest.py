"""Fixtures of the import tests."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from patronage.settings import Settings


@pytest.fixture
def cli(engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose DATABASE_URL is the test database (emptied by `engine`)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    return CliRunner()
