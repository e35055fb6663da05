"""Builders of snapshots for segment tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.ids import new_id
from domain.segments.snapshot import CustomerSnapshot

AS_OF = date(2026, 1, 15)


def make_snapshot(**fields: Any) -> CustomerSnapshot:
    """A snapshot as of AS_OF with only the given facts known."""
    fields.setdefault("customer_id", new_id())
    fields.setdefault("as_of", AS_OF)
    for name in ("tags", "channels", "categories", "skus"):
        if name in fields:
            fields[name] = frozenset(fields[name])
    return CustomerSnapshot(**fields)
