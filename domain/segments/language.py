"""Parse and type-check segment query text into a syntax tree.

`parse(text)` returns an `Expr` or raises `SegmentQueryError` (a ValidationFailed) with
line, column, reason and what was expected, for syntax and type errors alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer_NonRecursive, UnexpectedInput
from lark.exceptions import VisitError

from domain.segments.catalog import (
    COMPARISONS,
    DEFAULT_CATALOG,
    META_PREFIX,
    Attribute,
    AttributeCatalog,
    AttributeType,
    Operator,
)
from domain.segments.errors import SegmentQueryError
from domain.segments.grammar import PARSER, describe_expected, position, syntax_error
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
from domain.segments.values import Literal, convert, error_at

MAX_QUERY_LENGTH = 10_000
MAX_DEPTH = 32


def parse(text: str, catalog: AttributeCatalog = DEFAULT_CATALOG) -> Expr:
    """The type-checked syntax tree of `text`; raises SegmentQueryError on any error."""
    if not text.strip():
        expected = describe_expected({"NAME", "NOT", "_LPAR"})
        raise SegmentQueryError(
            f"the query is empty; expected {expected}", line=1, column=1, expected=expected
        )
    if len(text) > MAX_QUERY_LENGTH:
        line, column = position(text, MAX_QUERY_LENGTH)
        raise SegmentQueryError(
            f"the query is longer than {MAX_QUERY_LENGTH} characters", line=line, column=column
        )
    try:
        tree = PARSER.parse(text)
    except UnexpectedInput as error:
        raise syntax_error(text, error) from None
    try:
        node: _Node = _Checker(catalog).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, SegmentQueryError):
            raise error.orig_exc from None
        raise
    return node.expr


@dataclass(frozen=True)
class _Ref:
    attr: Attr
    attribute: Attribute
    token: Token


@dataclass(frozen=True)
class _Node:
    """An expression with its nesting depth and start token, while checking."""

    expr: Expr
    depth: int
    token: Token


class _Checker(Transformer_NonRecursive[Token, _Node]):
    """Builds syntax nodes bottom-up from lark's tree, checking types as it goes."""

    def __init__(self, catalog: AttributeCatalog) -> None:
        super().__init__()
        self.catalog = catalog

    # -- leaves ---------------------------------------------------------------------------
    def attr(self, children: list[Token]) -> _Ref:
        token = children[0]
        if token.type == "META_NAME":
            key = token[len(META_PREFIX) :]
            if not self.catalog.allow_meta:
                raise error_at(token, "metadata attributes (meta.<key>) are not available")
            if self.catalog.refuse_personal is not None:
                raise error_at(
                    token,
                    f"{token} cannot be used: metadata may hold personal data, and "
                    f"{self.catalog.refuse_personal}",
                )
            return _Ref(Attr.meta(key), self.catalog.meta(key), token)
        name = token.lower()
        attribute = self.catalog.get(name)
        if attribute is None:
            suggestion = self.catalog.suggest(name)
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            raise error_at(token, f"unknown attribute '{token}'{hint}", "an attribute name")
        if attribute.personal and self.catalog.refuse_personal is not None:
            raise error_at(
                token,
                f"{name} cannot be used: it is personal data, and {self.catalog.refuse_personal}",
            )
        return _Ref(Attr(name), attribute, token)

    def cmp_op(self, children: list[Token]) -> Token:
        return children[0]

    def value(self, children: list[Token]) -> Literal:
        return Literal.from_token(children[0])

    def value_list(self, children: list[Any]) -> tuple[Token, list[Literal]]:
        parenthesis, *values = children
        literals = [value for value in values if value is not None]
        if not literals:
            raise error_at(parenthesis, "an IN list needs at least one value", "a value")
        return parenthesis, literals

    # -- predicates -----------------------------------------------------------------------
    def comparison(self, children: list[Any]) -> _Node:
        ref, token, literal = children
        op = Operator.NE if token.type == "NE" else Operator(str(token))
        self._allow(ref, op, token)
        return _Node(Compare(ref.attr, op, convert(ref.attribute, literal)), 1, ref.token)

    def in_list(self, children: list[Any]) -> _Node:
        ref, token, (_, literals) = children
        return self._in(ref, token, literals, negated=False)

    def not_in_list(self, children: list[Any]) -> _Node:
        ref, token, _, (_, literals) = children
        return self._in(ref, token, literals, negated=True)

    def contains(self, children: list[Any]) -> _Node:
        ref, token, literal = children
        self._allow(ref, Operator.CONTAINS, token)
        value = convert(ref.attribute, literal)
        assert isinstance(value, str)  # sets hold text; convert() refuses anything else
        return _Node(Contains(ref.attr, value), 1, ref.token)

    def is_null(self, children: list[Any]) -> _Node:
        ref, token, _ = children
        self._allow(ref, Operator.IS_NULL, token)
        return _Node(IsNull(ref.attr), 1, ref.token)

    def is_not_null(self, children: list[Any]) -> _Node:
        ref, token, _, _ = children
        self._allow(ref, Operator.IS_NOT_NULL, token)
        return _Node(IsNull(ref.attr, negated=True), 1, ref.token)

    def between(self, children: list[Any]) -> _Node:
        ref, token, low_literal, high_literal = children
        self._allow(ref, Operator.BETWEEN, token)
        low = convert(ref.attribute, low_literal)
        high = convert(ref.attribute, high_literal)
        if low > high:  # type: ignore[operator]  # both of the attribute's ordered type
            raise error_at(
                low_literal.token,
                f"BETWEEN takes the lower bound first: {low_literal.token} is above "
                f"{high_literal.token}",
                "a lower bound, then AND and an upper bound",
            )
        return _Node(Between(ref.attr, low, high), 1, ref.token)

    # -- connectives ----------------------------------------------------------------------
    def negation(self, children: list[Any]) -> _Node:
        token, node = children
        return self._nest(Not(node.expr), [node], token)

    def and_expr(self, children: list[_Node]) -> _Node:
        return self._nest(And(tuple(c.expr for c in children)), children, children[0].token)

    def or_expr(self, children: list[_Node]) -> _Node:
        return self._nest(Or(tuple(c.expr for c in children)), children, children[0].token)

    def start(self, children: list[_Node]) -> _Node:
        return children[0]

    # -- checks ---------------------------------------------------------------------------
    def _in(self, ref: _Ref, token: Token, literals: list[Literal], *, negated: bool) -> _Node:
        self._allow(ref, Operator.NOT_IN if negated else Operator.IN, token)
        values = tuple(convert(ref.attribute, literal) for literal in literals)
        return _Node(InList(ref.attr, values, negated), 1, ref.token)

    def _allow(self, ref: _Ref, op: Operator, token: Token) -> None:
        attribute = ref.attribute
        if op in attribute.operators:
            return
        allowed = ", ".join(o.value for o in Operator if o in attribute.operators)
        if attribute.type is AttributeType.SET:
            reason = f"{ref.attr.text} is a set: test it with {ref.attr.text} CONTAINS 'value'"
        elif op is Operator.CONTAINS:
            reason = (
                f"CONTAINS applies only to the sets tags, channels, categories and skus;"
                f" {ref.attr.text} is {_kind(attribute)}"
            )
        elif op in COMPARISONS or op is Operator.BETWEEN:
            reason = (
                f"{op.value} does not apply to {ref.attr.text} ({_kind(attribute)}); use {allowed}"
            )
        else:
            reason = f"{op.value} does not apply to {ref.attr.text}; use {allowed}"
        raise error_at(token, reason, allowed)

    def _nest(self, expr: Expr, children: list[_Node], token: Token) -> _Node:
        depth = 1 + max(child.depth for child in children)
        if depth > MAX_DEPTH:
            raise error_at(token, f"the query nests deeper than {MAX_DEPTH} levels; simplify it")
        return _Node(expr, depth, token)


def _kind(attribute: Attribute) -> str:
    return {
        AttributeType.STRING: "text",
        AttributeType.META: "text",
        AttributeType.ENUM: "a list of named values",
        AttributeType.INTEGER: "a whole number",
        AttributeType.DECIMAL: "a number",
        AttributeType.DATE: "a date",
        AttributeType.SET: "a set",
    }[attribute.type]
