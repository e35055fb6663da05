"""Every refused query raises SegmentQueryError with line, column and what was expected."""

from __future__ import annotations

import pytest

from domain.errors import ValidationFailed
from domain.segments.catalog import DEFAULT_CATALOG, OPERATORS_BY_TYPE, AttributeType
from domain.segments.errors import SegmentQueryError
from domain.segments.language import MAX_DEPTH, MAX_QUERY_LENGTH, parse


def refused(text: str) -> SegmentQueryError:
    with pytest.raises(SegmentQueryError) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert error.field == ("query",)
    assert f"(line {error.line}, column {error.column})" in error.message
    return error


def test_a_syntax_error_at_the_start_names_what_may_begin_a_query() -> None:
    error = refused("= 5")
    assert (error.line, error.column) == (1, 1)
    assert error.expected == "an attribute name, NOT or '('"
    assert "at the start of the query" in error.reason


def test_a_missing_operator_in_the_middle_lists_the_operators_after_the_attribute() -> None:
    error = refused("age > 3 AND tier 'GOLD'")
    assert (error.line, error.column) == (1, 18)
    assert error.reason.startswith("expected an operator (=, !=, <, <=, >, >=, IN, NOT IN,")
    assert error.reason.endswith("after 'tier', found 'GOLD'")
    assert error.expected is not None and "CONTAINS" in error.expected


def test_a_query_that_ends_too_early_points_past_its_last_character() -> None:
    error = refused("age > 3 AND")
    assert (error.line, error.column) == (1, 12)
    assert "but the query ends here" in error.reason
    assert error.expected == "an attribute name, NOT or '('"


def test_positions_count_lines_and_columns_from_one() -> None:
    error = refused("age > 3\n  AND tier ==")
    assert (error.line, error.column) == (2, 13)
    assert "after '='" in error.reason


def test_an_extra_token_after_a_complete_query_is_refused() -> None:
    error = refused("age > 3 tier")
    assert (error.line, error.column) == (1, 9)
    assert error.expected == "AND, OR or the end of the query"


def test_an_unclosed_parenthesis_and_an_unterminated_string_are_refused() -> None:
    assert refused("(age > 3").expected == "')'"
    error = refused("tier = 'GOLD")
    assert (error.line, error.column) == (1, 8)
    assert "closing '" in error.reason


def test_an_unknown_character_is_refused_where_it_stands() -> None:
    error = refused("age > 3 & tier = 'x'")
    assert (error.line, error.column) == (1, 9)
    assert "'&'" in error.reason


def test_an_empty_query_is_refused() -> None:
    assert refused("   ").expected == "an attribute name, NOT or '('"


def test_an_unknown_attribute_gets_a_close_match_suggestion() -> None:
    error = refused("teir = 'GOLD'")
    assert error.reason == "unknown attribute 'teir'; did you mean 'tier'?"
    assert (error.line, error.column) == (1, 1)
    assert refused("zzz = 1").reason == "unknown attribute 'zzz'"


def test_ordering_a_text_attribute_is_a_type_error() -> None:
    error = refused("tier > 5")
    assert (error.line, error.column) == (1, 6)
    assert ">" in error.reason and "tier" in error.reason
    assert error.expected == "=, !=, IN, NOT IN, IS NULL, IS NOT NULL"


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("tier = 5", 8, "'quoted text'"),
        ("age = '30'", 7, "whole numbers"),
        ("age = 30.5", 7, "whole numbers"),
        ("net_spent > 'lots'", 13, "numbers"),
        ("birthday < 1990", 12, "dates as 'YYYY-MM-DD'"),
        ("meta.size = 42", 13, "'quoted text'"),
        ("gender = 'F'", 10, "FEMALE, MALE, OTHER, UNDISCLOSED"),
        ("tags CONTAINS 'no!'", 15, "a valid tag"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_at_the_value(
    text: str, column: int, expected: str
) -> None:
    error = refused(text)
    assert (error.line, error.column) == (1, column)
    assert error.expected == expected


def test_a_misspelt_enum_value_gets_a_suggestion() -> None:
    assert "did you mean 'CHAMPIONS'?" in refused("rfm_group = 'CHAMPION'").reason


@pytest.mark.parametrize(
    "text",
    [
        "birthday = '2024-02-30'",
        "birthday = '1990-5-1'",
        "birthday = '19900501'",
        "birthday = 'tomorrow'",
    ],
)
def test_a_bad_date_is_refused(text: str) -> None:
    error = refused(text)
    assert error.column == 12
    assert "is not a valid date for birthday" in error.reason


def test_contains_on_a_non_set_is_refused() -> None:
    error = refused("tier CONTAINS 'GOLD'")
    assert error.column == 6
    assert "CONTAINS applies only to the sets" in error.reason


def test_a_set_is_only_tested_with_contains() -> None:
    assert OPERATORS_BY_TYPE[AttributeType.SET] == {"CONTAINS"}
    assert "tags CONTAINS 'value'" in refused("tags = 'vip'").reason
    assert refused("tags IS NULL").column == 6


def test_an_empty_in_list_is_refused_at_its_parenthesis() -> None:
    error = refused("age NOT IN ()")
    assert (error.line, error.column) == (1, 12)
    assert "at least one value" in error.reason


def test_reversed_between_bounds_are_refused() -> None:
    assert "lower bound first" in refused("age BETWEEN 9 AND 3").reason


def test_out_of_range_numbers_and_long_texts_are_refused() -> None:
    assert "out of range" in refused("points_balance > 10000000000000000").reason
    assert "decimals" in refused("churn_risk > 0.1234567").reason
    assert "at most 1000 characters" in refused("city = '" + "x" * 1001 + "'").reason


def test_nesting_beyond_the_limit_is_refused_not_a_crash() -> None:
    deep_nots = "NOT " * (MAX_DEPTH + 1) + "age = 1"
    assert "nests deeper" in refused(deep_nots).reason
    alternating = "age = 1"
    for level in range(MAX_DEPTH + 1):
        joiner = "AND" if level % 2 else "OR"
        alternating = f"age = 1 {joiner} ({alternating})"
    assert "nests deeper" in refused(alternating).reason
    parse("NOT " * (MAX_DEPTH - 1) + "age = 1")  # at the limit: fine


def test_huge_inputs_are_refused_without_recursion_errors() -> None:
    assert "longer than" in refused("(" * (MAX_QUERY_LENGTH + 1)).reason
    many = "(" * 4000 + "age = 1" + ")" * 4000
    parse(many)  # redundant parentheses make no nodes: accepted
    assert "nests deeper" in refused("NOT " * 2000 + "age = 1").reason
    assert refused("(" * 5000).expected == "an attribute name, NOT or '('"


@pytest.mark.parametrize(
    ("text", "column", "allowed"),
    [
        ("orders_count > 2147483648", 16, "0 to 2147483647"),
        ("orders_count IN (5, 999999999999999, -1)", 21, "0 to 2147483647"),
        ("birthday_month = 2147483648", 18, "1 to 12"),
        ("birthday_month = 13", 18, "1 to 12"),
        ("birthday_month BETWEEN 0 AND 3", 24, "1 to 12"),
        ("rfm_recency = 2147483648", 15, "1 to 5"),
        ("open_tickets > 2147483648", 16, "0 to 2147483647"),
        ("refunds_count = 2147483648", 17, "0 to 2147483647"),
        ("last_review_rating > 40000", 22, "1 to 5"),
        ("churn_risk > 2147483648", 14, "0 to 1"),
        ("churn_risk NOT IN (1.5)", 20, "0 to 1"),
        ("net_spent > 99999999999999", 13, "-10000000000000 to 10000000000000"),
    ],
)
def test_a_number_outside_the_attributes_range_is_a_type_error_giving_the_range(
    text: str, column: int, allowed: str
) -> None:
    error = refused(text)
    assert (error.line, error.column) == (1, column)
    assert "out of range" in error.reason and allowed in error.reason
    assert error.expected == f"a value from {allowed}"


def test_every_number_attribute_has_a_range() -> None:
    numeric = (AttributeType.INTEGER, AttributeType.DECIMAL)
    for attribute in DEFAULT_CATALOG.attributes:
        if attribute.type in numeric:
            assert attribute.low is not None and attribute.high is not None, attribute.name


def test_the_ends_of_a_range_are_accepted() -> None:
    assert parse("orders_count <= 2147483647 AND birthday_month IN (1, 12)")
    assert parse("churn_risk BETWEEN 0 AND 1 AND last_review_rating >= 1")


def test_a_keyword_is_not_read_as_an_attribute_name() -> None:
    error = refused("orders_count > 1 AND AND net_spent > 3")
    assert (error.line, error.column) == (1, 22)
    assert error.expected == "an attribute name, NOT or '('"
    assert error.reason == "expected an attribute name, NOT or '(' after 'AND', found 'AND'"


def test_an_attribute_name_with_accents_is_an_unknown_attribute() -> None:
    error = refused("prénom = 'x'")
    assert (error.line, error.column) == (1, 1)
    assert error.reason.startswith("unknown attribute 'prénom'")
    assert refused("last_namé = 'x'").reason == (
        "unknown attribute 'last_namé'; did you mean 'last_name'?"
    )


@pytest.mark.parametrize(
    ("text", "column"), [("tier IN (NULL)", 10), ("tier = null", 8), ("age IN (3, NULL)", 12)]
)
def test_null_as_a_value_says_to_use_is_null(text: str, column: int) -> None:
    error = refused(text)
    assert (error.line, error.column) == (1, column)
    assert error.reason.startswith("NULL is not a value")
    assert "IS NULL" in error.reason
