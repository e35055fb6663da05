"""Settings are read once and fail at start with a message naming the variable."""

from __future__ import annotations

import pytest

from patronage.settings import DEFAULT_DATABASE_URL, Settings, SettingsError

SECRET = "s" * 40


def test_defaults_are_the_embedded_mode() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.embedded
    assert settings.base_currency == "EUR"


def test_postgres_urls_get_the_async_driver() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgres://u@h/db", "SECRET_KEY": SECRET})
    assert settings.database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u@h/db"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"BASE_CURRENCY": "euro"}, "BASE_CURRENCY"),
        ({"BASE_CURRENCY": "ZZZ"}, "BASE_CURRENCY"),
        ({"STORE_TIMEZONE": "Mars/Olympus"}, "STORE_TIMEZONE"),
        ({"CUSTOMER_TOKEN_TTL_SECONDS": "soon"}, "CUSTOMER_TOKEN_TTL_SECONDS"),
        ({"MAX_QUERY_DEPTH": "0"}, "MAX_QUERY_DEPTH"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_malformed_setting_names_itself(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_the_cli_fails_at_start_naming_the_setting() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "patronage", "migrate"],
        env={"DATABASE_URL": "mysql://nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "DATABASE_URL" in done.stderr
