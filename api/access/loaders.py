"""Dataloaders of the access context."""

from __future__ import annotations

from uuid import UUID

from api.loaders import BatchLoader
from domain.access.model import ApiKey
from persistence.queries.access import api_keys_by_id


class ApiKeyByIdLoader(BatchLoader[UUID, ApiKey | None]):
    fetch = staticmethod(api_keys_by_id)  # type: ignore[assignment]
