"""Parsing: precedence, literals, keywords and the typed tree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.segments.catalog import DEFAULT_CATALOG, Operator
from domain.segments.language import parse
from domain.segments.printer import to_text
from domain.segments.syntax import (
    And,
    Attr,
    Between,
    Compare,
    Contains,
    InList,
    IsNull,
    Not,
    Or,
)


def test_the_design_example_parses_into_a_typed_tree() -> None:
    tree = parse("tier IN ('GOLD','PLATINUM') AND last_order_days > 90 AND NOT tags CONTAINS 'vip'")
    assert tree == And(
        (
            InList(Attr("tier"), ("GOLD", "PLATINUM")),
            Compare(Attr("last_order_days"), Operator.GT, 90),
            Not(Contains(Attr("tags"), "vip")),
        )
    )


def test_not_binds_tighter_than_and_and_and_tighter_than_or() -> None:
    tree = parse("NOT age = 1 AND age = 2 OR age = 3")
    one, two, three = (Compare(Attr("age"), Operator.EQ, n) for n in (1, 2, 3))
    assert tree == Or((And((Not(one), two)), three))


def test_parentheses_group_and_keep_nested_nodes() -> None:
    one, two, three = (Compare(Attr("age"), Operator.EQ, n) for n in (1, 2, 3))
    assert parse("age = 1 AND (age = 2 OR age = 3)") == And((one, Or((two, three))))
    assert parse("(age = 1 AND age = 2) AND age = 3") == And((And((one, two)), three))
    assert parse("((age = 1))") == one


def test_keywords_are_case_insensitive_and_attribute_names_too() -> None:
    assert parse("Tier in ('GOLD') and not Email is null") == And(
        (
            InList(Attr("tier"), ("GOLD",)),
            Not(IsNull(Attr("email"))),
        )
    )
    assert parse("age between 1 and 3") == Between(Attr("age"), 1, 3)
    assert parse("age not in (1, 2)") == InList(Attr("age"), (1, 2), negated=True)
    assert parse("age is not null") == IsNull(Attr("age"), negated=True)


def test_a_keyword_inside_a_word_is_part_of_the_word() -> None:
    with pytest.raises(Exception, match="unknown attribute 'android'"):
        parse("android = 1")


def test_quotes_are_doubled_inside_text_values() -> None:
    assert parse("last_name = 'O''Neil'") == Compare(Attr("last_name"), Operator.EQ, "O'Neil")
    assert parse("city = ''") == Compare(Attr("city"), Operator.EQ, "")
    assert to_text(parse("last_name = 'O''Neil'")) == "last_name = 'O''Neil'"


def test_numbers_may_be_negative_and_decimal_and_money_is_decimal() -> None:
    assert parse("created_days > -10") == Compare(Attr("created_days"), Operator.GT, -10)
    tree = parse("net_spent >= 500")
    assert tree == Compare(Attr("net_spent"), Operator.GE, Decimal("500"))
    assert isinstance(tree.value, Decimal)
    assert parse("net_spent < -0.25") == Compare(Attr("net_spent"), Operator.LT, Decimal("-0.25"))


def test_dates_enums_emails_and_tags_are_converted_and_normalised() -> None:
    assert parse("birthday = '1990-05-01'") == Compare(
        Attr("birthday"), Operator.EQ, date(1990, 5, 1)
    )
    assert parse("gender = 'female'") == Compare(Attr("gender"), Operator.EQ, "FEMALE")
    assert parse("email = 'Ana@Example.COM'") == Compare(
        Attr("email"), Operator.EQ, "ana@example.com"
    )
    assert parse("tags CONTAINS '  VIP '") == Contains(Attr("tags"), "vip")
    # tier and country codes are stored in upper case: compared case-insensitively
    assert parse("tier = 'gold'") == Compare(Attr("tier"), Operator.EQ, "GOLD")
    assert parse("country IN ('fr')") == InList(Attr("country"), ("FR",))
    assert parse("city = 'paris'") == Compare(Attr("city"), Operator.EQ, "paris")  # exact


def test_meta_keys_keep_their_case_and_take_text() -> None:
    assert parse("META.Shoe-Size = '42'") == Compare(Attr.meta("Shoe-Size"), Operator.EQ, "42")
    assert to_text(parse("meta.Shoe-Size = '42'")) == "meta.Shoe-Size = '42'"


def test_diamond_is_another_way_to_write_not_equal() -> None:
    assert parse("age <> 3") == Compare(Attr("age"), Operator.NE, 3)


def test_every_catalog_attribute_accepts_its_null_test_or_contains() -> None:
    for attribute in DEFAULT_CATALOG.attributes:
        if Operator.CONTAINS in attribute.operators:
            assert parse(f"{attribute.name} CONTAINS 'x'") == Contains(Attr(attribute.name), "x")
        else:
            assert parse(f"{attribute.name} IS NULL") == IsNull(Attr(attribute.name))


def test_the_catalog_holds_every_attribute_of_the_api() -> None:
    api_names = [
        "email",
        "phone",
        "first_name",
        "last_name",
        "gender",
        "birthday",
        "birthday_month",
        "age",
        "country",
        "region",
        "city",
        "locale",
        "created_days",
        "email_consent",
        "sms_consent",
        "push_consent",
        "tier",
        "points_balance",
        "points_lifetime",
        "orders_count",
        "net_spent",
        "average_order_value",
        "first_order_days",
        "last_order_days",
        "refunds_count",
        "rfm_recency",
        "rfm_frequency",
        "rfm_monetary",
        "rfm_group",
        "clv",
        "churn_risk",
        "lifecycle",
        "open_tickets",
        "cart_abandoned_days",
        "last_seen_days",
        "last_review_rating",
        "last_message_opened_days",
        "last_message_clicked_days",
        "tags",
        "channels",
        "categories",
        "skus",
    ]
    assert [a.name for a in DEFAULT_CATALOG.attributes] == api_names
    assert len(DEFAULT_CATALOG.get("rfm_group").values) == 11  # type: ignore[union-attr]
