"""Hypothesis strategies: well-typed queries built from the catalog, and random snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from domain.segments.catalog import (
    COMPARISONS,
    DEFAULT_CATALOG,
    Attribute,
    AttributeType,
    Operator,
    TextRule,
)
from domain.segments.snapshot import CustomerSnapshot
from domain.segments.syntax import (
    And,
    Attr,
    Between,
    Compare,
    Contains,
    Expr,
    InList,
    IsNull,
    Not,
    Or,
    Value,
)
from tests.unit.segments.builders import AS_OF

TEXTS = ["a", "B", "o'neil", "x y", "", "é"]
LOWER_TEXTS = ["ana@example.com", "bo@example.com"]
TAGS = ["vip", "gold member", "b2b"]
SET_ITEMS = ["shopify", "pos", "TEE-1", "shoes"]
META_KEYS = ["size", "Color"]
INTEGERS = st.integers(min_value=-5, max_value=40)
DECIMALS = st.integers(min_value=-300, max_value=300).map(lambda n: Decimal(n).scaleb(-2))
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(1990, 3, 31))


UPPER_TEXTS = ["GOLD", "FR", "B", "X Y"]


def _values(attribute: Attribute) -> st.SearchStrategy[Any]:
    """Literals the parser accepts for `attribute` (within its range, in its case)."""
    kind = attribute.type
    if kind is AttributeType.INTEGER:
        return ranged(attribute, INTEGERS)
    if kind is AttributeType.DECIMAL:
        return ranged(attribute, DECIMALS)
    if kind is AttributeType.DATE:
        return DATES
    if kind is AttributeType.ENUM:
        return st.sampled_from(attribute.values)
    if attribute.text_rule is TextRule.LOWERCASE:
        return st.sampled_from(LOWER_TEXTS)
    if attribute.text_rule is TextRule.UPPERCASE:
        return st.sampled_from(UPPER_TEXTS)
    if attribute.text_rule is TextRule.TAG:
        return st.sampled_from(TAGS)
    if kind is AttributeType.SET:
        return st.sampled_from(SET_ITEMS)
    return st.sampled_from(TEXTS)


def ranged(attribute: Attribute, numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`numbers` clamped into the attribute's range (its ends drawn often: edge cases)."""
    low, high = attribute.low, attribute.high

    def clamp(number: Any) -> Any:
        if low is not None and number < low:
            return type(number)(low)
        if high is not None and number > high:
            return type(number)(high)
        return number

    return numbers.map(clamp)


ATTRIBUTES: list[tuple[Attr, Attribute]] = [
    (Attr(a.name), a) for a in DEFAULT_CATALOG.attributes
] + [(Attr.meta(key), DEFAULT_CATALOG.meta(key)) for key in META_KEYS]


@st.composite
def predicates(draw: st.DrawFn) -> Expr:
    attr, attribute = draw(st.sampled_from(ATTRIBUTES))
    values = _values(attribute)
    ops = sorted(attribute.operators)
    op = draw(st.sampled_from(ops))
    if op is Operator.CONTAINS:
        return Contains(attr, draw(values))
    if op in (Operator.IS_NULL, Operator.IS_NOT_NULL):
        return IsNull(attr, negated=op is Operator.IS_NOT_NULL)
    if op in (Operator.IN, Operator.NOT_IN):
        listed = draw(st.lists(values, min_size=1, max_size=4))
        return InList(attr, tuple(listed), negated=op is Operator.NOT_IN)
    if op is Operator.BETWEEN:
        low, high = sorted([draw(values), draw(values)])
        return Between(attr, low, high)
    assert op in COMPARISONS
    return Compare(attr, op, draw(values))


def _connect(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        children.map(Not),
        many.map(And),
        many.map(Or),
    )


queries: st.SearchStrategy[Expr] = st.recursive(predicates(), _connect, max_leaves=10)


def _moments(days: st.SearchStrategy[int]) -> st.SearchStrategy[datetime]:
    return days.map(lambda n: datetime.combine(AS_OF - timedelta(days=n), time(12), UTC))


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    return draw(st.one_of(st.none(), strategy))


@st.composite
def snapshots(draw: st.DrawFn) -> CustomerSnapshot:
    fields: dict[str, Any] = {}
    timestamps = {
        "created_days": "created_at",
        "first_order_days": "first_order_at",
        "last_order_days": "last_order_at",
        "cart_abandoned_days": "cart_abandoned_at",
        "last_seen_days": "last_seen_at",
        "last_message_opened_days": "last_message_opened_at",
        "last_message_clicked_days": "last_message_clicked_at",
    }
    money = {
        "net_spent": "net_spent_minor",
        "average_order_value": "average_order_value_minor",
        "clv": "clv_minor",
    }
    for attribute in DEFAULT_CATALOG.attributes:
        name = attribute.name
        if name in ("age", "birthday_month"):
            continue  # derived from the birthday
        if name in timestamps:
            fields[timestamps[name]] = _maybe(draw, _moments(INTEGERS))
        elif name in money:
            fields[money[name]] = _maybe(draw, st.integers(min_value=-300, max_value=300))
        elif attribute.type is AttributeType.SET:
            fields[name] = frozenset(draw(st.lists(_values(attribute), max_size=3)))
        else:
            fields[name] = _maybe(draw, _values(attribute))
    fields["birthday"] = _maybe(
        draw, st.dates(min_value=date(1985, 1, 1), max_value=date(2025, 12, 31))
    )
    meta = draw(st.dictionaries(st.sampled_from(META_KEYS), st.sampled_from(TEXTS)))
    return CustomerSnapshot(customer_id=draw(st.uuids()), as_of=AS_OF, meta=meta, **fields)


def literal_values(attribute: Attribute) -> st.SearchStrategy[Value]:
    return _values(attribute)
