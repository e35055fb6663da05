"""JSON-friendly values, as stored in metadata and event properties."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TypeAlias

from domain.errors import ValidationFailed

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

MAX_DEPTH = 8
MAX_ITEMS = 200
MAX_STRING = 10_000
# I-JSON (RFC 7493): integers beyond 2**53 lose digits in JavaScript clients, and the
# response encoder stops at 64 bits, so a wider one would make its record unreadable.
MAX_SAFE_INTEGER = 2**53 - 1
# Metadata keys are reached by the segment language as `meta.<key>`, so they must be
# identifiers there too.
METADATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class InvalidJsonValue(ValidationFailed):
    """Raised when a value is not JSON-friendly (or is too large, too deep)."""


def check_json(value: object, *, depth: int = 0) -> JsonValue:
    """Return `value` as a JsonValue (lists and dicts copied), or raise InvalidJsonValue."""
    if depth > MAX_DEPTH:
        raise InvalidJsonValue(f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise InvalidJsonValue(
                f"integers are limited to ±{MAX_SAFE_INTEGER} (send larger ones as strings)"
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidJsonValue("numbers must be finite")
        return value
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise InvalidJsonValue(f"strings are limited to {MAX_STRING} characters")
        return value
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            raise InvalidJsonValue(f"lists are limited to {MAX_ITEMS} items")
        return [_item(item, str(index), depth) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return check_json_object(value, depth=depth)
    raise InvalidJsonValue(f"{type(value).__name__} is not a JSON value")


def check_json_object(value: Mapping[str, object], *, depth: int = 0) -> dict[str, JsonValue]:
    """Return `value` as a JSON object with str keys, or raise InvalidJsonValue."""
    if len(value) > MAX_ITEMS:
        raise InvalidJsonValue(f"objects are limited to {MAX_ITEMS} keys")
    checked: dict[str, JsonValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise InvalidJsonValue("object keys must be strings")
        checked[key] = _item(item, key, depth)
    return checked


def _item(value: object, path: str, depth: int) -> JsonValue:
    try:
        return check_json(value, depth=depth + 1)
    except InvalidJsonValue as error:
        error.field = (path, *(error.field or ()))
        raise


class InvalidMetadata(ValidationFailed):
    """Raised when a metadata key is malformed or its value is not JSON-friendly."""


def apply_metadata_patch(
    current: Mapping[str, JsonValue], patch: Mapping[str, object] | None
) -> dict[str, JsonValue]:
    """The metadata after `patch`: keys are set, a None value deletes the key.

    `patch` None clears everything. Validation errors name the key (("somekey",)).
    """
    if patch is None:
        return {}
    result = dict(current)
    for key, value in patch.items():
        if not isinstance(key, str) or not METADATA_KEY.match(key):
            raise InvalidMetadata(
                f"metadata key {key!r} must be an identifier (letters, digits, '_'; "
                "at most 64 characters, not starting with a digit)",
                field=(str(key),),
            )
        if value is None:
            result.pop(key, None)
            continue
        try:
            result[key] = check_json(value)
        except InvalidJsonValue as error:
            raise InvalidMetadata(
                f"metadata {key!r}: {error.message}", field=(key, *(error.field or ()))
            ) from error
    if len(result) > MAX_ITEMS:
        raise InvalidMetadata(f"at most {MAX_ITEMS} metadata keys per customer")
    return result
