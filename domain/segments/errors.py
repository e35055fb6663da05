"""Errors of the segments context."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import AlreadyExists, NotFound, ValidationFailed


class SegmentQueryError(ValidationFailed):
    """Raised when segment query text does not parse or does not type-check.

    `line` and `column` are 1-based; `reason` says what is wrong and `expected` (when
    known) what would have been accepted there. `message` joins them with the position.
    """

    def __init__(
        self,
        reason: str,
        *,
        line: int,
        column: int,
        expected: str | None = None,
        field: Sequence[str] | None = ("query",),
    ) -> None:
        message = f"{reason} (line {line}, column {column})"
        super().__init__(message, field=field)
        self.reason = reason
        self.line = line
        self.column = column
        self.expected = expected

    def for_field(self, field: Sequence[str]) -> SegmentQueryError:
        """The same error reported against another input path."""
        return SegmentQueryError(
            self.reason, line=self.line, column=self.column, expected=self.expected, field=field
        )


class InvalidSegment(ValidationFailed):
    """Raised when a segment's name or description is empty or too long."""


class SegmentNameTaken(AlreadyExists):
    """Raised when another segment already has the requested name."""


class SegmentNotFound(NotFound):
    """Raised when no segment has the given id."""


class SegmentQueryBroken(ValidationFailed):
    """Raised when a saved segment is used but its query no longer parses."""
