"""Facts about customers that other contexts react to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CustomerCreated(DomainEvent):
    """A customer record was created (by the API, an order, an import)."""

    name: ClassVar[str] = "customers.created"
    customer_id: UUID
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class CustomerUpdated(DomainEvent):
    """Profile fields of a customer changed; `fields` names them."""

    name: ClassVar[str] = "customers.updated"
    customer_id: UUID
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CustomersMerged(DomainEvent):
    """`loser_id` was merged into `winner_id`; the loser now points at the winner."""

    name: ClassVar[str] = "customers.merged"
    merge_id: UUID
    loser_id: UUID
    winner_id: UUID


@dataclass(frozen=True, kw_only=True)
class CustomerErased(DomainEvent):
    """A customer's personal data was erased on request."""

    name: ClassVar[str] = "customers.erased"
    customer_id: UUID


@dataclass(frozen=True, kw_only=True)
class CustomersUnmerged(DomainEvent):
    """A merge was undone: the loser is a customer of its own again."""

    name: ClassVar[str] = "customers.unmerged"
    merge_id: UUID
    loser_id: UUID
    winner_id: UUID


@dataclass(frozen=True, kw_only=True)
class CustomerIdentityAdded(DomainEvent):
    """A customer became known on a sales channel under `external_id`."""

    name: ClassVar[str] = "customers.identity_added"
    customer_id: UUID
    channel: str
    external_id: str


@dataclass(frozen=True, kw_only=True)
class ConsentChanged(DomainEvent):
    """The current consent of a customer on a channel changed (campaigns check it)."""

    name: ClassVar[str] = "customers.consent_changed"
    customer_id: UUID
    channel: str
    state: str
    opt_in_level: str | None
    previous_state: str | None
    source: str
    occurred_at: datetime
