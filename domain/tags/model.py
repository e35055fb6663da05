"""Tag values and rule tags.

Tag normalisation (decided here, relied on by the segment language and persistence):
leading/trailing whitespace is removed, inner runs of whitespace become one space, and
the text is lowercased with `str.lower()`, so `' VIP  Gold '` is the tag `'vip gold'`.
Tags are therefore compared case-insensitively everywhere, and stored already
normalised, so SQL never needs LOWER() (whose behaviour differs on non-ASCII text between
SQLite and PostgreSQL). Allowed: 1 to 64 characters, Unicode letters and digits plus
space, `_ - : . /`, starting with a letter or digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.tags.errors import InvalidTag

MAX_TAG_LENGTH = 64
_WHITESPACE = re.compile(r"\s+")
_ALLOWED = re.compile(r"[^\W_][\w \-:./]*")


def normalise_tag(text: str, *, field: tuple[str, ...] = ("tags",)) -> str:
    """The canonical form of tag `text`; raises InvalidTag when it cannot be a tag."""
    value = _WHITESPACE.sub(" ", text.strip()).lower()
    if not value:
        raise InvalidTag("a tag cannot be empty", field=field)
    if len(value) > MAX_TAG_LENGTH:
        raise InvalidTag(f"a tag has at most {MAX_TAG_LENGTH} characters", field=field)
    if not _ALLOWED.fullmatch(value):
        raise InvalidTag(
            f"tag {text!r} may only hold letters, digits, spaces and _ - : . / "
            "and must start with a letter or digit",
            field=field,
        )
    return value


@dataclass(frozen=True, order=True)
class Tag:
    """A normalised tag; build it with `Tag.of(text)`."""

    value: str

    @classmethod
    def of(cls, text: str, *, field: tuple[str, ...] = ("tags",)) -> Tag:
        return cls(normalise_tag(text, field=field))

    def __str__(self) -> str:
        return self.value


def tags_of(texts: list[str] | tuple[str, ...], *, field: str = "tags") -> tuple[Tag, ...]:
    """Normalised, de-duplicated tags in input order; errors name the offending index."""
    if not texts:
        raise InvalidTag("give at least one tag", field=(field,))
    seen: dict[Tag, None] = {}
    for index, text in enumerate(texts):
        seen.setdefault(Tag.of(text, field=(field, str(index))), None)
    return tuple(seen)


@dataclass(frozen=True)
class RuleTag:
    """A tag kept equal to the members of a saved segment by its re-evaluation.

    Nobody adds or removes a rule tag by hand; it is defined once and then follows the
    segment (`domain.tags.rules`).
    """

    tag: Tag
    segment_id: UUID
    created_at: datetime


class TagKind(StrEnum):
    """How a customer came to carry a tag."""

    MANUAL = "MANUAL"
    """Added by a person or an integration."""
    RULE = "RULE"
    """Kept by a rule tag from its segment's members."""


@dataclass(frozen=True)
class TagAssignment:
    """One tag on one customer: how and since when; `segment_id` is the segment a rule
    tag follows (None for manual tags)."""

    tag: Tag
    kind: TagKind
    assigned_at: datetime
    segment_id: UUID | None = None
