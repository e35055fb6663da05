"""Parsing a customers file's row into normalised values with the profile validators.

A row with any invalid cell is rejected whole, with every problem in its reason.
Pure functions of their arguments: batches may be parsed in worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache, partial
from typing import Any

from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.model import normalise_identity
from domain.customers.profile import (
    Gender,
    check_birthday,
    email_key,
    normalise_country,
    normalise_email,
    normalise_locale,
    normalise_phone,
    normalise_text,
    normalise_timezone,
)
from domain.errors import DomainError
from domain.imports.cells import read_date, read_datetime
from domain.imports.model import Rejection, SourceRow

# The customers table's text columns hold 100 characters.
MAX_NAME = 100
CLOCK_SKEW = timedelta(minutes=5)
CONSENT_COLUMNS = (("email_consent", ConsentChannel.EMAIL), ("sms_consent", ConsentChannel.SMS))
TEXT_COLUMNS = ("first_name", "last_name", "region", "city")


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A valid row: the profile fields it gives (stored form) and how it names the person."""

    line: int
    email: str | None
    email_key: str | None
    identity: tuple[str, str] | None
    profile: tuple[tuple[str, Any], ...]
    consents: tuple[tuple[ConsentChannel, ConsentState], ...]
    created_at: datetime | None

    def __reduce__(self) -> tuple[Callable[..., CustomerRow], tuple[Any, ...]]:
        # Parsed in worker processes: travel as plain values (see SourceRow.__reduce__).
        return (
            _customer_row,
            (
                self.line,
                self.email,
                self.email_key,
                self.identity,
                tuple((n, v.value if isinstance(v, Gender) else v) for n, v in self.profile),
                tuple((c.value, s.value) for c, s in self.consents),
                self.created_at,
            ),
        )


def _customer_row(
    line: int,
    email: str | None,
    key: str | None,
    identity: tuple[str, str] | None,
    profile: tuple[tuple[str, Any], ...],
    consents: tuple[tuple[str, str], ...],
    created_at: datetime | None,
) -> CustomerRow:
    return CustomerRow(
        line=line,
        email=email,
        email_key=key,
        identity=identity,
        profile=tuple((n, Gender(v) if n == "gender" else v) for n, v in profile),
        consents=tuple((ConsentChannel(c), ConsentState(s)) for c, s in consents),
        created_at=created_at,
    )


def parse_customer_rows(
    rows: Sequence[SourceRow], *, now: datetime, zone: tzinfo
) -> list[CustomerRow | Rejection]:
    """Each row parsed, in order: a CustomerRow or the Rejection saying why not."""
    return [parse_customer_row(row, now=now, zone=zone) for row in rows]


def parse_customer_row(row: SourceRow, *, now: datetime, zone: tzinfo) -> CustomerRow | Rejection:
    if row.problem is not None:
        return Rejection(line=row.line, reason=row.problem, cells=row.cells)
    cells = {name: value.strip() for name, value in row.cells.items() if value.strip()}
    problems: list[str] = []

    def read(column: str, reader: Callable[[str], Any]) -> Any:
        raw = cells.get(column)
        if raw is None:
            return None
        try:
            return reader(raw)
        except (DomainError, ValueError) as error:
            problems.append(f"{column}: {_message(error)}")
            return None

    email = read("email", normalise_email)
    country = read("country", _country)
    profile: list[tuple[str, Any]] = []
    if country is not None:
        profile.append(("country", country))
    phone = read("phone", lambda raw: normalise_phone(raw, default_region=country))
    if phone is not None:
        profile.append(("phone", phone))
    for column in TEXT_COLUMNS:
        value = read(column, partial(normalise_text, field=column, max_length=MAX_NAME))
        if value is not None:
            profile.append((column, value))
    for column, reader in (
        ("gender", _gender),
        ("birthday", lambda raw: check_birthday(read_date(raw), today=now.date())),
        ("locale", _locale),
        ("timezone", _timezone),
    ):
        value = read(column, reader)
        if value is not None:
            profile.append((column, value))
    identity = _identity(cells, problems)
    consents = []
    for column, channel in CONSENT_COLUMNS:
        state = read(column, _consent_state)
        if state is not None:
            consents.append((channel, state))
    created_at = read("created_at", lambda raw: _past(read_datetime(raw, zone), now))
    if email is None and identity is None and not problems:
        problems.append(
            "the row needs an email or an identity (identity_channel and identity_external_id)"
        )
    if problems:
        return Rejection(line=row.line, reason="; ".join(problems), cells=row.cells)
    return CustomerRow(
        line=row.line,
        email=email,
        email_key=email_key(email) if email is not None else None,
        identity=identity,
        profile=tuple(profile),
        consents=tuple(consents),
        created_at=created_at,
    )


def _identity(cells: dict[str, str], problems: list[str]) -> tuple[str, str] | None:
    channel = cells.get("identity_channel")
    external_id = cells.get("identity_external_id")
    if channel is None and external_id is None:
        return None
    if channel is None or external_id is None:
        problems.append("identity_channel and identity_external_id go together")
        return None
    try:
        return normalise_identity(channel, external_id)
    except DomainError as error:
        column = "identity_channel" if error.field == ("channel",) else "identity_external_id"
        problems.append(f"{column}: {error.message}")
        return None


def _message(error: Exception) -> str:
    return error.message if isinstance(error, DomainError) else str(error)


def _past(moment: datetime, now: datetime) -> datetime:
    if moment > now + CLOCK_SKEW:
        raise ValueError("cannot be in the future")
    return moment


def _gender(raw: str) -> Gender:
    try:
        return Gender(raw.upper())
    except ValueError:
        raise ValueError(f"{raw!r} is not one of {', '.join(g.value for g in Gender)}") from None


def _consent_state(raw: str) -> ConsentState:
    try:
        return ConsentState(raw.upper())
    except ValueError:
        raise ValueError(
            f"{raw!r} is not one of {', '.join(s.value for s in ConsentState)}"
        ) from None


# Countries, locales and timezones repeat from row to row: validate each value once.
_country = lru_cache(maxsize=4096)(normalise_country)
_locale = lru_cache(maxsize=4096)(normalise_locale)
_timezone = lru_cache(maxsize=4096)(normalise_timezone)
