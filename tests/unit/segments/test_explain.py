"""explain: per clause, whether it held and the value the customer had."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from domain.segments.explain import Outcome, explain
from domain.segments.language import parse
from tests.unit.segments.builders import make_snapshot


def test_explain_shows_each_clause_its_outcome_and_the_value_seen() -> None:
    query = parse(
        "tier IN ('GOLD','PLATINUM') AND last_order_days > 90 AND NOT tags CONTAINS 'vip'"
    )
    customer = make_snapshot(
        tier="SILVER", tags={"vip", "b2b"}, last_order_at=datetime(2025, 12, 1, tzinfo=UTC)
    )
    root = explain(query, customer)
    assert root.outcome is Outcome.FALSE
    assert root.value is None and root.attribute is None
    tier, days, not_vip = root.children
    assert (tier.text, tier.outcome, tier.value, tier.value_text) == (
        "tier IN ('GOLD', 'PLATINUM')",
        Outcome.FALSE,
        "SILVER",
        "'SILVER'",
    )
    assert (days.outcome, days.value, days.value_text) == (Outcome.FALSE, 45, "45")
    assert not_vip.text == "NOT tags CONTAINS 'vip'"
    assert not_vip.outcome is Outcome.FALSE
    (contains,) = not_vip.children
    assert (contains.outcome, contains.value_text) == (Outcome.TRUE, "('b2b', 'vip')")


def test_explain_marks_clauses_on_unknown_values_as_unknown() -> None:
    root = explain(
        parse("net_spent > 100 OR meta.size = 'M'"), make_snapshot(net_spent_minor=None, meta={})
    )
    assert root.outcome is Outcome.UNKNOWN
    assert [(c.attribute, c.outcome, c.value_text) for c in root.children] == [
        ("net_spent", Outcome.UNKNOWN, "NULL"),
        ("meta.size", Outcome.UNKNOWN, "NULL"),
    ]


def test_explain_evaluates_every_clause_even_after_the_verdict_is_known() -> None:
    root = explain(
        parse("age > 200 AND net_spent > 1"),
        make_snapshot(birthday=datetime(1990, 1, 1).date(), net_spent_minor=250),
    )
    assert [c.outcome for c in root.children] == [Outcome.FALSE, Outcome.TRUE]
    assert root.children[1].value == Decimal("2.50")
    assert root.children[1].value_text == "2.50"
    assert not root.held and root.children[1].held
