"""Input paths of errors: nested inputs report where in the input a bad value sits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from domain.errors import DomainError


@contextmanager
def under(*prefix: str) -> Iterator[None]:
    """Prefix the `field` of any DomainError raised inside with `prefix`.

    Validators report paths relative to the value they check (("email",)); the use case
    that nests them knows the rest (("customer", "email"), ("events", "7", "rating")).
    """
    try:
        yield
    except DomainError as error:
        error.field = (*prefix, *(error.field or ()))
        raise
