"""Scalars shared by the schema, typed for mypy as what they carry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    JSON = Any
else:
    from strawberry.scalars import JSON

__all__ = ["JSON"]
