"""Commands of the customers context, and UNSET: how an update tells omitted from null.

In an update, a field left at UNSET is kept as it is; a field given as None is cleared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Final, Literal, TypeAlias, TypeVar
from uuid import UUID

from domain.customers.consent import ConsentChannel, ConsentState, OptInLevel
from domain.customers.profile import Gender


class Unset(Enum):
    """The type of UNSET, the value of an update field the caller did not send."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = Unset.UNSET

T = TypeVar("T")
Patch: TypeAlias = T | Unset | None
"""An update field: a new value, None to clear, UNSET to keep."""

MetadataPatch: TypeAlias = Mapping[str, object]
"""Metadata changes: each key is set to its value; a None value deletes the key."""


@dataclass(frozen=True, kw_only=True)
class ProfileFields:
    """Raw profile input; `phone_region` reads national phone numbers ('FR')."""

    email: Patch[str] = UNSET
    phone: Patch[str] = UNSET
    phone_region: str | None = None
    first_name: Patch[str] = UNSET
    last_name: Patch[str] = UNSET
    gender: Patch[Gender] = UNSET
    birthday: Patch[date] = UNSET
    country: Patch[str] = UNSET
    region: Patch[str] = UNSET
    city: Patch[str] = UNSET
    locale: Patch[str] = UNSET
    timezone: Patch[str] = UNSET
    metadata: Patch[MetadataPatch] = UNSET
    private_metadata: Patch[MetadataPatch] = UNSET


@dataclass(frozen=True, kw_only=True)
class IdentityInput:
    """A customer's id on a sales channel: ('shopify', '1234')."""

    channel: str
    external_id: str


@dataclass(frozen=True, kw_only=True)
class CustomerRef:
    """How an order or event names its customer: by id, else identity, else email."""

    id: UUID | None = None
    identity: IdentityInput | None = None
    email: str | None = None


@dataclass(frozen=True, kw_only=True)
class CreateCustomer:
    profile: ProfileFields = field(default_factory=ProfileFields)
    identities: Sequence[IdentityInput] = ()


@dataclass(frozen=True, kw_only=True)
class UpdateCustomer:
    customer_id: UUID
    profile: ProfileFields


@dataclass(frozen=True, kw_only=True)
class AddIdentity:
    customer_id: UUID
    channel: str
    external_id: str


@dataclass(frozen=True, kw_only=True)
class SetConsent:
    """Record a consent change; `occurred_at` defaults to now, `opt_in_level` to SINGLE
    for SUBSCRIBED and CONFIRMED for PENDING (a double opt-in awaiting confirmation)."""

    customer_id: UUID
    channel: ConsentChannel
    state: ConsentState
    source: str
    opt_in_level: OptInLevel | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class MergeCustomers:
    loser_id: UUID
    winner_id: UUID
    actor: str
    dry_run: bool = False


@dataclass(frozen=True, kw_only=True)
class UnmergeCustomers:
    merge_id: UUID
    actor: str


@dataclass(frozen=True, kw_only=True)
class EraseCustomer:
    customer_id: UUID
    actor: str
