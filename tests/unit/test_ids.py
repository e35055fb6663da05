"""Ids: UUIDv7, ordered by creation, dated by the clock even when made by the million."""

from __future__ import annotations

import time
from itertools import pairwise

from domain.ids import new_id


def _millis(value: object) -> int:
    return int(str(value).replace("-", "")[:12], 16)


def test_ids_are_version_7_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(50_000)]
    assert {i.version for i in ids} == {7}
    assert all(a < b for a, b in pairwise(ids))


def test_a_burst_of_ids_does_not_date_them_ahead_of_the_clock() -> None:
    # An import makes ids much faster than one per millisecond; their time part must
    # stay the clock's (a generator that adds a millisecond per id drifts minutes ahead).
    for _ in range(200_000):
        new_id()
    assert _millis(new_id()) <= time.time_ns() // 1_000_000 + 1
