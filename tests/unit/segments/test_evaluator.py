"""The evaluator's NULL rules, units and case rules (the SQL compiler must match them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.segments.evaluator import evaluate, truth
from domain.segments.language import parse
from domain.segments.syntax import Attr
from tests.unit.segments.builders import AS_OF, make_snapshot

UNKNOWN = make_snapshot()


def held(text: str, **facts: object) -> bool | None:
    return truth(parse(text), make_snapshot(**facts))


@pytest.mark.parametrize(
    "text",
    [
        "tier = 'GOLD'",
        "tier != 'GOLD'",
        "age > 3",
        "age <= 3",
        "tier IN ('GOLD')",
        "tier NOT IN ('GOLD')",
        "age BETWEEN 1 AND 3",
        "NOT tier = 'GOLD'",
        "meta.size = 'M'",
    ],
)
def test_a_test_on_an_unknown_value_is_unknown_and_does_not_match(text: str) -> None:
    assert truth(parse(text), UNKNOWN) is None
    assert evaluate(parse(text), UNKNOWN) is False


def test_is_null_is_the_only_test_true_for_an_unknown_value() -> None:
    assert truth(parse("tier IS NULL"), UNKNOWN) is True
    assert truth(parse("tier IS NOT NULL"), UNKNOWN) is False
    assert held("tier IS NULL", tier="GOLD") is False
    assert held("meta.size IS NULL", meta={"size": "M"}) is False
    assert held("meta.size IS NULL", meta={"color": "red"}) is True


def test_contains_on_an_empty_set_is_false_never_unknown() -> None:
    assert truth(parse("tags CONTAINS 'vip'"), UNKNOWN) is False
    assert truth(parse("NOT tags CONTAINS 'vip'"), UNKNOWN) is True
    assert held("tags CONTAINS 'vip'", tags={"vip"}) is True


def test_and_or_follow_kleene_logic() -> None:
    assert truth(parse("tier = 'GOLD' AND age > 3"), UNKNOWN) is None
    assert truth(parse("tier = 'GOLD' AND tags CONTAINS 'x'"), UNKNOWN) is False
    assert truth(parse("tier = 'GOLD' OR NOT tags CONTAINS 'x'"), UNKNOWN) is True
    assert truth(parse("tier = 'GOLD' OR tags CONTAINS 'x'"), UNKNOWN) is None


def test_the_design_example_matches_a_lapsed_gold_customer_without_vip() -> None:
    query = parse(
        "tier IN ('GOLD','PLATINUM') AND last_order_days > 90 AND NOT tags CONTAINS 'vip'"
    )
    lapsed = make_snapshot(tier="GOLD", last_order_at=datetime(2025, 9, 1, tzinfo=UTC))
    assert evaluate(query, lapsed)
    assert not evaluate(
        query,
        make_snapshot(tier="GOLD", tags={"vip"}, last_order_at=datetime(2025, 9, 1, tzinfo=UTC)),
    )
    assert not evaluate(query, make_snapshot(tier="GOLD"))  # never ordered: unknown


def test_money_is_compared_in_major_units_exactly() -> None:
    assert held("net_spent > 500", net_spent_minor=50001) is True
    assert held("net_spent > 500", net_spent_minor=50000) is False
    assert held("net_spent = 12.34", net_spent_minor=1234) is True
    assert held("clv >= 0.005", clv_minor=1) is True
    assert (
        held("average_order_value < 10", average_order_value_minor=1234, currency_exponent=0)
        is False
    )


def test_days_are_whole_calendar_days_in_the_store_timezone() -> None:
    late_evening = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
    assert held("last_seen_days = 1", last_seen_at=late_evening) is True
    tokyo = ZoneInfo("Asia/Tokyo")  # 23:30 UTC is already the 15th in Tokyo
    assert held("last_seen_days = 0", last_seen_at=late_evening, timezone=tokyo) is True
    assert held("created_days = -2", created_at=datetime(2026, 1, 17, tzinfo=UTC)) is True


def test_age_and_birthday_month_come_from_the_birthday_on_the_as_of_date() -> None:
    assert held("age = 36", birthday=date(1990, 1, 15)) is True
    assert held("age = 36", birthday=date(1990, 1, 16)) is False  # birthday tomorrow
    leap = make_snapshot(birthday=date(2000, 2, 29), as_of=date(2025, 2, 28))
    assert truth(parse("age = 24"), leap) is True
    assert held("birthday_month = 1", birthday=date(1990, 1, 31)) is True
    assert date(2026, 1, 15) == AS_OF


def test_text_compares_exactly_but_email_ignores_case() -> None:
    assert held("tier = 'GOLD'", tier="gold") is False
    assert held("city = 'Paris'", city="paris") is False
    assert held("email = 'ANA@example.com'", email="Ana@Example.com") is True


def test_dates_and_enums_compare_as_their_types() -> None:
    assert held("birthday < '1990-05-01'", birthday=date(1990, 4, 30)) is True
    assert (
        held("birthday BETWEEN '1990-01-01' AND '1990-12-31'", birthday=date(1991, 1, 1)) is False
    )
    assert held("email_consent = 'subscribed'", email_consent="SUBSCRIBED") is True


def test_decimal_attributes_compare_with_integer_literals() -> None:
    assert held("churn_risk >= 1", churn_risk=Decimal("1.0")) is True
    assert held("churn_risk IN (0.5, 1)", churn_risk=Decimal("0.50")) is True


def test_snapshot_values_are_in_the_languages_units() -> None:
    snapshot = make_snapshot(net_spent_minor=1999, email="A@B.C", meta={"k": "v"})
    assert snapshot.value_of(Attr("net_spent")) == Decimal("19.99")
    assert snapshot.value_of(Attr("email")) == "a@b.c"
    assert snapshot.value_of(Attr.meta("k")) == "v"
    assert snapshot.value_of(Attr.meta("K")) is None
    with pytest.raises(TypeError):
        snapshot.meta["k"] = "changed"  # type: ignore[index]
