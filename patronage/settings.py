"""Configuration, read once from the environment at an entry point.

A missing or malformed setting fails at start with `SettingsError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import ValidationFailed
from domain.money import check_currency

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./patronage.db"
# Only for the embedded demo: a production database refuses to start without SECRET_KEY.
_EMBEDDED_SECRET = "patronage-embedded-demo-secret-not-for-production"


class SettingsError(ValueError):
    """Raised when a setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the processes read; see the configuration table in README.md."""

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str | None = None
    secret_key: str = _EMBEDDED_SECRET
    base_currency: str = "EUR"
    store_timezone: str = "UTC"
    customer_token_ttl: timedelta = timedelta(minutes=15)
    log_level: str = "INFO"
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    idempotency_ttl: timedelta = timedelta(hours=24)

    @property
    def embedded(self) -> bool:
        """True when running without servers (SQLite, in-process broker and pub/sub)."""
        return self.redis_url is None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.store_timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings from `env` (default: `os.environ`)."""
        env = os.environ if env is None else env
        database_url = _database_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
        redis_url = _redis_url(env.get("REDIS_URL") or None)
        secret = env.get("SECRET_KEY")
        if secret is None:
            if not database_url.startswith("sqlite"):
                raise SettingsError(
                    "SECRET_KEY: required when DATABASE_URL is not SQLite "
                    "(customer tokens and signed links depend on it)"
                )
            secret = _EMBEDDED_SECRET
        elif len(secret) < 32:
            raise SettingsError("SECRET_KEY: must be at least 32 characters long")
        currency = env.get("BASE_CURRENCY", "EUR")
        try:
            check_currency(currency)
        except ValidationFailed:
            raise SettingsError(
                f"BASE_CURRENCY: must be an ISO 4217 code such as EUR, got {currency!r}"
            ) from None
        timezone = env.get("STORE_TIMEZONE", "UTC")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"STORE_TIMEZONE: unknown IANA time zone {timezone!r} (e.g. Europe/Paris)"
            ) from None
        log_level = env.get("LOG_LEVEL", "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"LOG_LEVEL: one of DEBUG, INFO, WARNING, ERROR; got {log_level!r}")
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            secret_key=secret,
            base_currency=currency,
            store_timezone=timezone,
            customer_token_ttl=timedelta(
                seconds=_positive_int(env, "CUSTOMER_TOKEN_TTL_SECONDS", 900)
            ),
            log_level=log_level,
            max_query_depth=_positive_int(env, "MAX_QUERY_DEPTH", 12),
            max_aliases=_positive_int(env, "MAX_QUERY_ALIASES", 30),
            max_tokens=_positive_int(env, "MAX_QUERY_TOKENS", 5000),
            idempotency_ttl=timedelta(hours=_positive_int(env, "IDEMPOTENCY_TTL_HOURS", 24)),
        )


def _database_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    # Accept the URLs people paste (postgres://, postgresql://) and pick the async driver.
    if scheme in {"postgres", "postgresql", "postgresql+asyncpg"}:
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if scheme in {"sqlite", "sqlite+aiosqlite"}:
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    raise SettingsError(
        f"DATABASE_URL: unsupported scheme {scheme!r}; use postgresql://user@host/db "
        "or sqlite:///path.db"
    )


def _redis_url(url: str | None) -> str | None:
    if url is None:
        return None
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(f"REDIS_URL: expected redis://host:port/db, got {url!r}")
    return url


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name}: must be positive, got {value}")
    return value
