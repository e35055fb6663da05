"""Ledger keys: a namespace prefix and the client's key, digested when too long."""

from __future__ import annotations

from domain.loyalty.idempotency import MAX_KEY_LENGTH, check_key, prefixed_key


def test_a_key_that_fits_is_kept_as_given() -> None:
    raw = "k" * (MAX_KEY_LENGTH - len("goodwill:"))

    assert prefixed_key("goodwill:", raw) == "goodwill:" + raw


def test_a_longer_key_is_digested_the_same_way_every_time() -> None:
    raw = "k" * 255

    key = prefixed_key("goodwill:", raw)

    assert key.startswith("goodwill:sha256:")
    assert len(key) <= MAX_KEY_LENGTH
    assert key == prefixed_key("goodwill:", raw)
    assert key != prefixed_key("goodwill:", raw[:-1] + "j")
    check_key(key)
