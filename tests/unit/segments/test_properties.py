"""Invariants of the language over random well-typed queries and random customers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.segments.catalog import Operator
from domain.segments.evaluator import and3, evaluate, not3, or3, truth
from domain.segments.explain import Outcome, explain
from domain.segments.language import parse
from domain.segments.printer import to_text
from domain.segments.snapshot import CustomerSnapshot
from domain.segments.syntax import And, Between, Compare, Expr, InList, Not, Or
from tests.unit.segments.strategies import predicates, queries, snapshots

# Snapshots are wide (every attribute), so fewer examples than the default per test.
checked = settings(max_examples=150, deadline=None)


@checked
@given(queries, snapshots())
def test_the_evaluator_gives_a_verdict_for_every_well_typed_query(
    query: Expr, snapshot: CustomerSnapshot
) -> None:
    verdict = truth(query, snapshot)
    assert verdict in (True, False, None)
    assert evaluate(query, snapshot) is (verdict is True)


@checked
@given(queries)
def test_every_query_prints_to_text_that_parses_back_to_the_same_tree(query: Expr) -> None:
    text = to_text(query)
    assert parse(text) == query
    assert to_text(parse(text)) == text


@checked
@given(queries, snapshots())
def test_not_inverts_true_and_false_and_keeps_unknown(
    query: Expr, snapshot: CustomerSnapshot
) -> None:
    assert truth(Not(query), snapshot) == not3(truth(query, snapshot))
    assert truth(Not(Not(query)), snapshot) == truth(query, snapshot)


@checked
@given(queries, queries, snapshots())
def test_de_morgan_holds_under_three_valued_logic(
    left: Expr, right: Expr, snapshot: CustomerSnapshot
) -> None:
    both = truth(Not(And((left, right))), snapshot)
    assert both == truth(Or((Not(left), Not(right))), snapshot)
    either = truth(Not(Or((left, right))), snapshot)
    assert either == truth(And((Not(left), Not(right))), snapshot)


@checked
@given(st.data(), snapshots())
def test_in_is_a_chain_of_equalities_and_between_a_pair_of_bounds(
    data: st.DataObject, snapshot: CustomerSnapshot
) -> None:
    predicate = data.draw(predicates())
    if isinstance(predicate, InList):
        op = Operator.NE if predicate.negated else Operator.EQ
        parts = [truth(Compare(predicate.attr, op, v), snapshot) for v in predicate.values]
        expected = and3(parts) if predicate.negated else or3(parts)
        assert truth(predicate, snapshot) == expected
    if isinstance(predicate, Between):
        low = truth(Compare(predicate.attr, Operator.GE, predicate.low), snapshot)
        high = truth(Compare(predicate.attr, Operator.LE, predicate.high), snapshot)
        assert truth(predicate, snapshot) == and3([low, high])


@checked
@given(queries, snapshots())
def test_explain_reaches_the_same_verdict_as_the_evaluator(
    query: Expr, snapshot: CustomerSnapshot
) -> None:
    explanation = explain(query, snapshot)
    assert explanation.outcome is Outcome.of(truth(query, snapshot))
    assert explanation.text == to_text(query)
