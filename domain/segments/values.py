"""Type checking of literals: each literal is converted to its attribute's type or refused."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lark import Token

from domain.errors import DomainError
from domain.segments.catalog import Attribute, AttributeType, TextRule
from domain.segments.errors import SegmentQueryError
from domain.segments.syntax import Value
from domain.tags.model import normalise_tag

MAX_TEXT_LENGTH = 1_000
MAX_MAGNITUDE = 10**15
MAX_FRACTION_DIGITS = 6
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KIND_WORDS = {
    AttributeType.INTEGER: "whole numbers",
    AttributeType.DECIMAL: "numbers",
    AttributeType.DATE: "dates as 'YYYY-MM-DD'",
    AttributeType.STRING: "'quoted text'",
    AttributeType.META: "'quoted text'",
    AttributeType.ENUM: "'quoted' values",
    AttributeType.SET: "'quoted text'",
}


@dataclass(frozen=True)
class Literal:
    """A literal as written: its token (for positions) and raw value (str, int, Decimal)."""

    token: Token
    raw: str | int | Decimal

    @classmethod
    def from_token(cls, token: Token) -> Literal:
        if token.type == "STRING":
            if len(token) - 2 > MAX_TEXT_LENGTH:
                raise error_at(token, f"text values have at most {MAX_TEXT_LENGTH} characters")
            return cls(token, token[1:-1].replace("''", "'"))
        number: int | Decimal = Decimal(token) if "." in token else int(token)
        if not -MAX_MAGNITUDE < number < MAX_MAGNITUDE:
            raise error_at(token, f"number {token} is out of range (at most 15 digits)")
        exponent = number.as_tuple().exponent if isinstance(number, Decimal) else 0
        if isinstance(exponent, int) and -exponent > MAX_FRACTION_DIGITS:
            raise error_at(token, f"number {token} has more than {MAX_FRACTION_DIGITS} decimals")
        return cls(token, number)


def error_at(token: Token, reason: str, expected: str | None = None) -> SegmentQueryError:
    return SegmentQueryError(
        reason, line=token.line or 1, column=token.column or 1, expected=expected
    )


def convert(attribute: Attribute, literal: Literal) -> Value:
    """`literal` as a value of `attribute`'s type, or a SegmentQueryError at the literal."""
    raw = literal.raw
    kind = attribute.type
    if kind is AttributeType.INTEGER and isinstance(raw, int):
        return _in_range(attribute, literal.token, raw)
    if kind is AttributeType.DECIMAL and isinstance(raw, int | Decimal):
        return _in_range(attribute, literal.token, Decimal(raw))
    if isinstance(raw, str):
        if kind in (AttributeType.STRING, AttributeType.META, AttributeType.SET):
            return _text(attribute, literal.token, raw)
        if kind is AttributeType.ENUM:
            return _enum(attribute, literal.token, raw)
        if kind is AttributeType.DATE:
            return _date(attribute, literal.token, raw)
    words = _KIND_WORDS[kind]
    raise error_at(
        literal.token,
        f"{attribute.name} takes {words}, not {literal.token}",
        expected=words,
    )


def _in_range(attribute: Attribute, token: Token, number: int | Decimal) -> int | Decimal:
    """`number` when `attribute` can hold it, else a type error giving the range."""
    low, high = attribute.low, attribute.high
    if (low is None or number >= low) and (high is None or number <= high):
        return number
    allowed = f"{_bound(low, '-')} to {_bound(high, '')}"
    raise error_at(
        token,
        f"{token} is out of range for {attribute.name}: it takes {allowed}",
        expected=f"a value from {allowed}",
    )


def _bound(value: int | Decimal | None, sign: str) -> str:
    return f"{sign}{MAX_MAGNITUDE - 1}" if value is None else f"{value}"


def _text(attribute: Attribute, token: Token, raw: str) -> str:
    if attribute.text_rule is TextRule.LOWERCASE:
        return raw.lower()
    if attribute.text_rule is TextRule.UPPERCASE:
        return raw.upper()
    if attribute.text_rule is TextRule.TAG:
        try:
            return normalise_tag(raw)
        except DomainError as refused:
            raise error_at(token, refused.message, expected="a valid tag") from None
    return raw


def _enum(attribute: Attribute, token: Token, raw: str) -> str:
    value = raw.upper()
    if value in attribute.values:
        return value
    allowed = ", ".join(attribute.values)
    close = difflib.get_close_matches(value, attribute.values, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {allowed}"
    raise error_at(token, f"{token} is not a value of {attribute.name}{hint}", expected=allowed)


def _date(attribute: Attribute, token: Token, raw: str) -> date:
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise error_at(
        token,
        f"{token} is not a valid date for {attribute.name} (expected 'YYYY-MM-DD')",
        expected="a date as 'YYYY-MM-DD'",
    )
