"""Validation and normalisation of profile fields, each with its library of record.

Each function takes the raw input value and returns the stored form, or raises an error
whose `field` is the public (camelCase) input name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum
from functools import cache
from zoneinfo import available_timezones

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email

from domain.customers.errors import (
    InvalidBirthday,
    InvalidCountry,
    InvalidEmail,
    InvalidLocale,
    InvalidPhoneNumber,
    InvalidText,
    InvalidTimezone,
)

EARLIEST_BIRTHDAY = date(1900, 1, 1)
# The width of the name, region and city columns.
MAX_TEXT = 100
_LOCALE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|[0-9]{3}))?$")


class Gender(StrEnum):
    """A customer's gender as they chose to tell it."""

    FEMALE = "FEMALE"
    MALE = "MALE"
    OTHER = "OTHER"
    UNDISCLOSED = "UNDISCLOSED"


def normalise_email(raw: str, *, field: str = "email") -> str:
    """The normalised address (domain lower-cased, Unicode NFC); no DNS look-up."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidEmail(
            f"{raw!r} is not a valid email address: {error}", field=(field,)
        ) from error


def email_key(email: str) -> str:
    """The key under which emails are unique: the whole address lower-cased."""
    return email.lower()


def normalise_phone(raw: str, *, default_region: str | None = None) -> str:
    """The number in E.164 ('+33612345678'); `default_region` reads national numbers."""
    region = normalise_country(default_region, field="phoneRegion") if default_region else None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(
            f"{raw!r} is not a phone number: {error}", field=("phone",)
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"{raw!r} is not a valid phone number", field=("phone",))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_country(raw: str, *, field: str = "country") -> str:
    """The upper-case ISO 3166-1 alpha-2 code ('FR')."""
    code = raw.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise InvalidCountry(
            f"{raw!r} is not an ISO 3166-1 alpha-2 country code such as 'FR'", field=(field,)
        )
    return code


def normalise_locale(raw: str) -> str:
    """A BCP 47-shaped tag 'll', 'll-RR' or 'll-Ssss-RR' with a known language and region."""
    match = _LOCALE.match(raw.strip())
    if match is None:
        raise InvalidLocale(f"{raw!r} is not a locale such as 'en' or 'en-GB'", field=("locale",))
    language, script, region = match.groups()
    language = language.lower()
    known = (
        pycountry.languages.get(alpha_2=language)
        if len(language) == 2
        else pycountry.languages.get(alpha_3=language)
    )
    if known is None:
        raise InvalidLocale(f"{raw!r} names no known language", field=("locale",))
    parts = [language]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region if region.isdigit() else normalise_country(region, field="locale"))
    return "-".join(parts)


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def normalise_timezone(raw: str) -> str:
    """An IANA timezone name known to zoneinfo ('Europe/Paris')."""
    name = raw.strip()
    if name not in _timezones():
        raise InvalidTimezone(
            f"{raw!r} is not an IANA timezone such as 'Europe/Paris'", field=("timezone",)
        )
    return name


def check_birthday(birthday: date, *, today: date) -> date:
    """The birthday, if it is neither in the future nor before 1900."""
    if birthday > today:
        raise InvalidBirthday("birthday cannot be in the future", field=("birthday",))
    if birthday < EARLIEST_BIRTHDAY:
        raise InvalidBirthday("birthday cannot be before 1900", field=("birthday",))
    return birthday


def normalise_text(raw: str, *, field: str, max_length: int = MAX_TEXT) -> str | None:
    """Trimmed free text (a name, a city); blank becomes None."""
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        return None
    if len(text) > max_length:
        raise InvalidText(f"{field} is limited to {max_length} characters", field=(field,))
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidText(f"{field} cannot hold control characters", field=(field,))
    return text
