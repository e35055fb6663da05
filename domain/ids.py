"""Identifiers of aggregates.

Ids are made in the domain, before anything is stored, so events can name them. UUIDv7
keeps them ordered by creation, which keeps B-tree inserts local and keyset pages stable.
"""

from __future__ import annotations

from uuid import UUID

from uuid6 import uuid7


def new_id() -> UUID:
    """A new time-ordered unique id."""
    return UUID(int=uuid7().int)
