"""Explain a query for one customer: per clause, whether it held and the value seen."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.segments.evaluator import Truth, and3, not3, or3, predicate_truth
from domain.segments.printer import literal, to_text
from domain.segments.snapshot import CustomerSnapshot, SnapshotValue
from domain.segments.syntax import And, Expr, Not, Or


class Outcome(Enum):
    """The three truth values of SQL."""

    TRUE = "TRUE"
    FALSE = "FALSE"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def of(cls, value: Truth) -> Outcome:
        return cls.UNKNOWN if value is None else cls.TRUE if value else cls.FALSE


@dataclass(frozen=True)
class Explanation:
    """One clause: its text (printer form), outcome, and for a predicate the value seen.

    `value` is the customer's value in the language's units (None when unknown);
    `value_text` writes it as a literal (`NULL`, `'GOLD'`, `12.50`, `('a', 'b')`).
    Connectives (AND, OR, NOT) have `children` and no value.
    """

    text: str
    outcome: Outcome
    attribute: str | None = None
    value: SnapshotValue = None
    value_text: str | None = None
    children: tuple[Explanation, ...] = ()

    @property
    def held(self) -> bool:
        return self.outcome is Outcome.TRUE


def explain(query: Expr, snapshot: CustomerSnapshot) -> Explanation:
    """The evaluation tree of `query` for `snapshot`; its root outcome is the verdict.

    Unlike `evaluate`, every clause is evaluated (no short-circuit), so each is shown.
    """
    match query:
        case And(operands) | Or(operands):
            children = tuple(explain(operand, snapshot) for operand in operands)
            truths = [_truth(child.outcome) for child in children]
            combined = and3(truths) if isinstance(query, And) else or3(truths)
            return Explanation(to_text(query), Outcome.of(combined), children=children)
        case Not(operand):
            child = explain(operand, snapshot)
            outcome = Outcome.of(not3(_truth(child.outcome)))
            return Explanation(to_text(query), outcome, children=(child,))
    value = snapshot.value_of(query.attr)
    return Explanation(
        to_text(query),
        Outcome.of(predicate_truth(query, value)),
        attribute=query.attr.text,
        value=value,
        value_text=_written(value),
    )


def _truth(outcome: Outcome) -> Truth:
    return None if outcome is Outcome.UNKNOWN else outcome is Outcome.TRUE


def _written(value: SnapshotValue) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, frozenset):
        return "(" + ", ".join(literal(item) for item in sorted(value)) + ")"
    return literal(value)
