"""Priority defaults from the customer's value."""

from __future__ import annotations

import pytest

from domain.tickets.priority import Priority, PriorityPolicy


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("PLATINUM", Priority.HIGH),
        ("GOLD", Priority.HIGH),
        ("SILVER", Priority.NORMAL),
        ("MEMBER", Priority.NORMAL),
        ("BRONZE_LEGACY", Priority.NORMAL),
        (None, Priority.NORMAL),
    ],
)
def test_the_default_priority_follows_the_tier(tier: str | None, expected: Priority) -> None:
    assert PriorityPolicy().priority_for(tier_code=tier) is expected


def test_a_high_clv_lifts_a_low_tier_customer() -> None:
    policy = PriorityPolicy(high_value_clv=100_000)

    assert policy.priority_for(tier_code="MEMBER", clv=150_000) is Priority.HIGH
    assert policy.priority_for(tier_code="MEMBER", clv=99_999) is Priority.NORMAL
    assert policy.priority_for(tier_code="MEMBER", clv=None) is Priority.NORMAL


def test_clv_never_lowers_a_tier_priority() -> None:
    policy = PriorityPolicy(
        by_tier={"VIP": Priority.URGENT}, high_value_clv=10, high_value_priority=Priority.HIGH
    )

    assert policy.priority_for(tier_code="VIP", clv=1_000_000) is Priority.URGENT


def test_clv_is_ignored_until_the_store_sets_a_threshold() -> None:
    assert PriorityPolicy().priority_for(tier_code="MEMBER", clv=10**9) is Priority.NORMAL


def test_urgent_ranks_first_and_low_last() -> None:
    ranked = sorted(Priority, key=lambda p: p.rank)

    assert ranked == [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
