"""Dataloaders of tags."""

from __future__ import annotations

from uuid import UUID

from api.loaders import BatchLoader
from persistence.queries.tags import CustomerTagView, tags_by_customer


class TagsByCustomerLoader(BatchLoader[UUID, list[CustomerTagView]]):
    fetch = staticmethod(tags_by_customer)  # type: ignore[assignment]
    many = True
