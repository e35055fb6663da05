from __future__ import annotations

import math
from datetime import date

import pytest

from domain.customers.errors import (
    InvalidBirthday,
    InvalidCountry,
    InvalidEmail,
    InvalidLocale,
    InvalidPhoneNumber,
    InvalidText,
    InvalidTimezone,
)
from domain.customers.json_values import InvalidMetadata, apply_metadata_patch
from domain.customers.profile import (
    check_birthday,
    email_key,
    normalise_country,
    normalise_email,
    normalise_locale,
    normalise_phone,
    normalise_text,
    normalise_timezone,
)


def test_email_is_normalised_and_keyed_in_lower_case() -> None:
    email = normalise_email("  Ana.Silva@EXAMPLE.com ")

    assert email == "Ana.Silva@example.com"
    assert email_key(email) == "ana.silva@example.com"


@pytest.mark.parametrize("raw", ["ana", "ana@", "@example.com", "ana@@example.com", "a b@x.io"])
def test_malformed_email_is_refused_with_its_field(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalise_email(raw)

    assert caught.value.field == ("email",)


def test_phone_is_stored_in_e164() -> None:
    assert normalise_phone("+33 6 12 34 56 78") == "+33612345678"


def test_national_phone_is_read_with_the_default_region() -> None:
    assert normalise_phone("06 12 34 56 78", default_region="fr") == "+33612345678"


@pytest.mark.parametrize("raw", ["12", "not a phone", "+33 1", "06 12 34 56 78"])
def test_invalid_phone_is_refused_with_its_field(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalise_phone(raw)

    assert caught.value.field == ("phone",)


def test_unknown_phone_region_is_refused_with_its_field() -> None:
    with pytest.raises(InvalidCountry) as caught:
        normalise_phone("06 12 34 56 78", default_region="XX")

    assert caught.value.field == ("phoneRegion",)


def test_country_is_an_upper_case_iso_code() -> None:
    assert normalise_country(" fr ") == "FR"


@pytest.mark.parametrize("raw", ["XX", "FRA", "France", ""])
def test_unknown_country_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCountry) as caught:
        normalise_country(raw)

    assert caught.value.field == ("country",)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("en", "en"), ("en_gb", "en-GB"), ("pt-BR", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"),
     ("es-419", "es-419"), ("fil", "fil")],
)  # fmt: skip
def test_locale_is_normalised(raw: str, stored: str) -> None:
    assert normalise_locale(raw) == stored


@pytest.mark.parametrize("raw", ["english", "e", "en-GBR", "qq", "en-XX", "en GB"])
def test_malformed_or_unknown_locale_is_refused(raw: str) -> None:
    with pytest.raises((InvalidLocale, InvalidCountry)) as caught:
        normalise_locale(raw)

    assert caught.value.field == ("locale",)


def test_timezone_must_be_an_iana_name() -> None:
    assert normalise_timezone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(InvalidTimezone) as caught:
        normalise_timezone("Mars/Olympus")
    assert caught.value.field == ("timezone",)


def test_birthday_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidBirthday) as caught:
        check_birthday(date(2030, 1, 1), today=date(2026, 1, 15))

    assert caught.value.field == ("birthday",)


def test_birthday_today_is_accepted() -> None:
    assert check_birthday(date(2026, 1, 15), today=date(2026, 1, 15)) == date(2026, 1, 15)


def test_text_is_trimmed_blank_is_none_and_control_characters_are_refused() -> None:
    assert normalise_text("  Ana ", field="firstName") == "Ana"
    assert normalise_text("   ", field="firstName") is None
    with pytest.raises(InvalidText) as caught:
        normalise_text("An\x00a", field="firstName")
    assert caught.value.field == ("firstName",)


def test_metadata_patch_sets_and_deletes_keys() -> None:
    current = {"shoe_size": 38, "vip": True}

    after = apply_metadata_patch(current, {"vip": None, "tags": ["a", {"b": 1.5}]})

    assert after == {"shoe_size": 38, "tags": ["a", {"b": 1.5}]}
    assert current == {"shoe_size": 38, "vip": True}


def test_metadata_none_clears_everything() -> None:
    assert apply_metadata_patch({"a": 1}, None) == {}


@pytest.mark.parametrize("key", ["with-dash", "1starts_with_digit", "", "a.b", "x" * 65])
def test_metadata_key_must_be_an_identifier(key: str) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        apply_metadata_patch({}, {key: 1})

    assert caught.value.field == (key,)


@pytest.mark.parametrize(
    ("value", "path"),
    [({1, 2}, ("k",)), (math.nan, ("k",)), ({"inner": [1, object()]}, ("k", "inner", "1"))],
)
def test_metadata_value_must_be_json_friendly(value: object, path: tuple[str, ...]) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        apply_metadata_patch({}, {"k": value})

    assert caught.value.field == path
