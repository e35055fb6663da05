"""The immutable syntax tree of a segment query.

Trees are produced by `domain.segments.language.parse` (already type-checked: literal
values are converted to the attribute's type: `int`, `Decimal`, `date` or `str`, enum
values canonical, email and tag literals normalised) and printed by
`domain.segments.printer.to_text`. Persistence compiles them to SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.segments.catalog import META_PREFIX, Operator

Value = str | int | Decimal | date


@dataclass(frozen=True)
class Attr:
    """A reference to an attribute: a catalog name, or `meta` with the metadata key."""

    name: str
    meta_key: str | None = None

    @classmethod
    def meta(cls, key: str) -> Attr:
        return cls("meta", key)

    @property
    def text(self) -> str:
        return self.name if self.meta_key is None else META_PREFIX + self.meta_key


@dataclass(frozen=True)
class Compare:
    """`attr op value` with op one of = != < <= > >=."""

    attr: Attr
    op: Operator
    value: Value


@dataclass(frozen=True)
class InList:
    """`attr IN (values)`, or `attr NOT IN (values)` when `negated`; values never empty."""

    attr: Attr
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class Contains:
    """`attr CONTAINS value` on a set attribute."""

    attr: Attr
    value: str


@dataclass(frozen=True)
class IsNull:
    """`attr IS NULL`, or `attr IS NOT NULL` when `negated`."""

    attr: Attr
    negated: bool = False


@dataclass(frozen=True)
class Between:
    """`attr BETWEEN low AND high`, both bounds inclusive (low <= high)."""

    attr: Attr
    low: Value
    high: Value


@dataclass(frozen=True)
class Not:
    """`NOT operand`."""

    operand: Expr


@dataclass(frozen=True)
class And:
    """Two or more operands joined by AND, in order."""

    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    """Two or more operands joined by OR, in order."""

    operands: tuple[Expr, ...]


Predicate = Compare | InList | Contains | IsNull | Between
Expr = Predicate | Not | And | Or
PREDICATES = (Compare, InList, Contains, IsNull, Between)
