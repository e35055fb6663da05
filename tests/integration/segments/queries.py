"""Random well-typed queries whose literals are dense around the customers' values.

The same shapes as `tests.unit.segments.strategies.queries` (every attribute and
operator, NOT/AND/OR nesting), with literals drawn from small ranges that the random
customers of `rows.customer_facts` also use, so that equalities and bounds hit often:
days and counts -2 to 6, amounts -0.090 to 0.090 (with a third decimal, to test the
rounding of money bounds), birthdays in a few days of 1990.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from domain.segments.catalog import Attribute, AttributeType, Operator, TextRule
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
)
from tests.unit.segments.strategies import (
    ATTRIBUTES,
    LOWER_TEXTS,
    SET_ITEMS,
    TAGS,
    TEXTS,
    UPPER_TEXTS,
    ranged,
)

INTEGERS = st.integers(-2, 6)
DECIMALS = st.integers(-90, 90).map(lambda n: Decimal(n).scaleb(-3))
DATES = st.dates(date(1990, 1, 1), date(1990, 1, 6))


def _values(attribute: Attribute) -> st.SearchStrategy[Any]:
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


@st.composite
def predicate_on(draw: st.DrawFn, attr: Attr, attribute: Attribute) -> Expr:
    """A random predicate on one attribute."""
    values = _values(attribute)
    op = draw(st.sampled_from(sorted(attribute.operators)))
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
    return Compare(attr, op, draw(values))


@st.composite
def predicates(draw: st.DrawFn) -> Expr:
    attr, attribute = draw(st.sampled_from(ATTRIBUTES))
    return draw(predicate_on(attr, attribute))


every_attribute: st.SearchStrategy[list[Expr]] = st.tuples(
    *[predicate_on(attr, attribute) for attr, attribute in ATTRIBUTES]
).map(list)
"""One random predicate on each attribute (every attribute is checked every time)."""


def _connect(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    many = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(children.map(Not), many.map(And), many.map(Or))


queries: st.SearchStrategy[Expr] = st.recursive(predicates(), _connect, max_leaves=8)
