"""Amounts and quantities are bounded as the API bounds them (GraphQL Int)."""

from __future__ import annotations

import pytest
from graphql import GRAPHQL_MAX_INT

from domain.imports.cells import MAX_AMOUNT, MAX_QUANTITY, read_amount, read_quantity


def test_the_bounds_are_the_apis_graphql_int() -> None:
    assert MAX_AMOUNT == MAX_QUANTITY == GRAPHQL_MAX_INT


@pytest.mark.parametrize(
    ("raw", "currency"),
    [("21474836.47", "EUR"), ("2147483647", "JPY"), ("2147483.647", "KWD")],
)
def test_the_largest_amount_is_read(raw: str, currency: str) -> None:
    assert read_amount(raw, currency) == MAX_AMOUNT


@pytest.mark.parametrize(
    ("raw", "currency", "limit"),
    [
        ("21474836.48", "EUR", "at most 21,474,836.47 EUR"),
        ("99999999999999999999", "EUR", "at most 21,474,836.47 EUR"),
        ("2147483648", "JPY", "at most 2,147,483,647 JPY"),
        ("2147483.648", "KWD", "at most 2,147,483.647 KWD"),
    ],
)
def test_a_larger_amount_is_refused_with_the_limit(raw: str, currency: str, limit: str) -> None:
    with pytest.raises(ValueError, match=f"^{limit}") as refused:
        read_amount(raw, currency)
    assert raw in str(refused.value)


def test_quantities_are_whole_numbers_up_to_the_limit() -> None:
    assert read_quantity("2147483647") == MAX_QUANTITY
    with pytest.raises(ValueError, match=r"^at most 2,147,483,647, not .3000000000.$"):
        read_quantity("3000000000")
    with pytest.raises(ValueError, match="is not a whole number"):
        read_quantity("-1")
