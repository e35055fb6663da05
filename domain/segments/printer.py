"""Prints a syntax tree back to query text: `parse(to_text(tree)) == tree`.

Parentheses are added only where the grammar needs them to rebuild the same tree
(NOT binds tighter than AND, AND tighter than OR; a nested AND inside an AND, or OR
inside an OR, keeps its parentheses because it is a node of its own).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.segments.syntax import (
    And,
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


def literal(value: Value) -> str:
    """A value as the language writes it: 'text' (quotes doubled), 12, 12.50, '2024-05-01'."""
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_text(expr: Expr) -> str:
    """The query text of `expr`, in canonical form (upper-case keywords)."""
    match expr:
        case Compare(attr, op, value):
            return f"{attr.text} {op.value} {literal(value)}"
        case InList(attr, values, negated):
            listed = ", ".join(literal(value) for value in values)
            return f"{attr.text} {'NOT IN' if negated else 'IN'} ({listed})"
        case Contains(attr, value):
            return f"{attr.text} CONTAINS {literal(value)}"
        case IsNull(attr, negated):
            return f"{attr.text} IS {'NOT NULL' if negated else 'NULL'}"
        case Between(attr, low, high):
            return f"{attr.text} BETWEEN {literal(low)} AND {literal(high)}"
        case Not(operand):
            inner = to_text(operand)
            return f"NOT ({inner})" if isinstance(operand, And | Or) else f"NOT {inner}"
        case And(operands):
            return " AND ".join(_wrapped(operand, (And, Or)) for operand in operands)
        case Or(operands):
            return " OR ".join(_wrapped(operand, (Or,)) for operand in operands)
    raise TypeError(f"not a segment expression: {expr!r}")


def _wrapped(expr: Expr, needs_parentheses: tuple[type, ...]) -> str:
    text = to_text(expr)
    return f"({text})" if isinstance(expr, needs_parentheses) else text
