"""Tag values: normalised, bounded, with a small alphabet."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.tags.errors import InvalidTag
from domain.tags.model import MAX_TAG_LENGTH, Tag, tags_of


def test_tags_are_trimmed_lowercased_and_inner_spaces_collapsed() -> None:
    assert Tag.of("  VIP   Gold ") == Tag("vip gold")
    assert Tag.of("Été-2026/b2b:x.y_z").value == "été-2026/b2b:x.y_z"


@pytest.mark.parametrize(
    "text", ["", "   ", "-vip", "_x", "vip!", "a" * (MAX_TAG_LENGTH + 1), "semi;colon", "quote'"]
)
def test_bad_tags_are_refused(text: str) -> None:
    with pytest.raises(InvalidTag) as caught:
        Tag.of(text)
    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.field == ("tags",)


def test_a_list_of_tags_is_deduplicated_after_normalising_and_errors_name_the_index() -> None:
    assert tags_of(["VIP", "vip ", "b2b"]) == (Tag("vip"), Tag("b2b"))
    with pytest.raises(InvalidTag) as caught:
        tags_of(["ok", "not ok!"])
    assert caught.value.field == ("tags", "1")
    with pytest.raises(InvalidTag):
        tags_of([])


@given(st.text(max_size=80))
def test_normalising_is_idempotent(text: str) -> None:
    try:
        tag = Tag.of(text)
    except InvalidTag:
        return
    assert Tag.of(tag.value) == tag
    assert len(tag.value) <= MAX_TAG_LENGTH
