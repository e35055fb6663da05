"""The Customer aggregate: profile, metadata, identities, merge pointer, erasure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.customers.commands import UNSET, ProfileFields, Unset
from domain.customers.errors import (
    CustomerAlreadyMerged,
    CustomerIsErased,
    InvalidIdentity,
    MergeIntoItself,
)
from domain.customers.events import (
    CustomerCreated,
    CustomerErased,
    CustomerIdentityAdded,
    CustomersMerged,
    CustomersUnmerged,
    CustomerUpdated,
)
from domain.customers.json_values import JsonValue, apply_metadata_patch
from domain.customers.paths import under
from domain.customers.profile import (
    Gender,
    check_birthday,
    email_key,
    normalise_country,
    normalise_email,
    normalise_locale,
    normalise_phone,
    normalise_text,
    normalise_timezone,
)
from domain.errors import FieldErrors
from domain.events import DomainEvent
from domain.ids import new_id

_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,49}$")
MAX_EXTERNAL_ID = 255


@dataclass(frozen=True, kw_only=True)
class Identity:
    """The customer's id on a sales channel; its `id` stays the same when a merge moves it."""

    id: UUID
    channel: str
    external_id: str
    created_at: datetime


def normalise_identity(channel: str, external_id: str) -> tuple[str, str]:
    """('Shopify ', ' 1234') -> ('shopify', '1234'); channels are lower-case slugs."""
    slug = channel.strip().lower()
    if not _CHANNEL.match(slug):
        raise InvalidIdentity(
            f"channel {channel!r} must be a lower-case slug such as 'shopify' (1 to 50 of "
            "a-z, 0-9, '_', '.', '-')",
            field=("channel",),
        )
    ext = external_id.strip()
    if not ext or len(ext) > MAX_EXTERNAL_ID or not ext.isprintable():
        raise InvalidIdentity(
            f"externalId must be 1 to {MAX_EXTERNAL_ID} printable characters",
            field=("externalId",),
        )
    return slug, ext


@dataclass(eq=False, kw_only=True)
class Customer:
    """A person the store knows. Fields are stored normalised; change them via methods."""

    id: UUID
    created_at: datetime
    updated_at: datetime
    email: str | None = None
    email_key: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    gender: Gender | None = None
    birthday: date | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    locale: str | None = None
    timezone: str | None = None
    public_metadata: dict[str, JsonValue] = field(default_factory=dict)
    private_metadata: dict[str, JsonValue] = field(default_factory=dict)
    identities: list[Identity] = field(default_factory=list)
    merged_into: UUID | None = None
    erased_at: datetime | None = None
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def register(cls, profile: ProfileFields, *, now: datetime) -> Customer:
        """A new customer from raw profile input (UNSET fields are left empty)."""
        customer = cls(id=new_id(), created_at=now, updated_at=now)
        customer._apply(profile, today=now.date())
        customer._events.append(CustomerCreated(customer_id=customer.id, created_at=now))
        return customer

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into is not None

    def update_profile(self, profile: ProfileFields, *, now: datetime) -> tuple[str, ...]:
        """Apply the given fields (None clears, UNSET keeps); return the changed names."""
        self._ensure_active()
        changed = self._apply(profile, today=now.date())
        if changed:
            self.updated_at = now
            self._events.append(CustomerUpdated(customer_id=self.id, fields=changed))
        return changed

    def has_identity(self, channel: str, external_id: str) -> Identity | None:
        return next(
            (i for i in self.identities if (i.channel, i.external_id) == (channel, external_id)),
            None,
        )

    def add_identity(self, channel: str, external_id: str, *, now: datetime) -> Identity:
        """Link an identity (normalised); adding one the customer has returns it unchanged.

        Global uniqueness of (channel, externalId) is checked by the use case and the store.
        """
        self._ensure_active()
        channel, external_id = normalise_identity(channel, external_id)
        existing = self.has_identity(channel, external_id)
        if existing is not None:
            return existing
        identity = Identity(id=new_id(), channel=channel, external_id=external_id, created_at=now)
        self.identities.append(identity)
        self.updated_at = now
        self._events.append(
            CustomerIdentityAdded(customer_id=self.id, channel=channel, external_id=external_id)
        )
        return identity

    def ensure_can_merge_into(self, winner: Customer) -> None:
        """Refuse a merge of this customer (the loser) into `winner` that cannot be done."""
        if winner.id == self.id:
            raise MergeIntoItself("a customer cannot be merged into itself", field=("winnerId",))
        for role, customer in (("loserId", self), ("winnerId", winner)):
            if customer.is_erased:
                raise CustomerIsErased(
                    f"customer {customer.id} was erased and cannot be merged", field=(role,)
                )
            if customer.is_merged:
                raise CustomerAlreadyMerged(
                    f"customer {customer.id} was already merged into {customer.merged_into}",
                    field=(role,),
                )

    def merge_into(self, winner: Customer, *, merge_id: UUID, now: datetime) -> None:
        """Become a pointer to `winner`; its records are moved by the merge participants."""
        self.ensure_can_merge_into(winner)
        self.merged_into = winner.id
        self.updated_at = now
        self._events.append(
            CustomersMerged(merge_id=merge_id, loser_id=self.id, winner_id=winner.id)
        )

    def unmerge(self, *, merge_id: UUID, now: datetime) -> None:
        """Stand on its own again after the merge `merge_id` is undone."""
        if self.merged_into is None:
            raise CustomerAlreadyMerged(f"customer {self.id} is not merged", field=("mergeId",))
        winner_id, self.merged_into = self.merged_into, None
        self.updated_at = now
        self._events.append(
            CustomersUnmerged(merge_id=merge_id, loser_id=self.id, winner_id=winner_id)
        )

    def release_identities(self, ids: set[UUID] | None = None) -> list[Identity]:
        """Give up identities (all, or those in `ids`) so another customer can adopt them."""
        released = [i for i in self.identities if ids is None or i.id in ids]
        self.identities = [i for i in self.identities if i not in released]
        return released

    def adopt_identities(self, identities: list[Identity]) -> None:
        """Take identities released by another customer (a merge or an unmerge)."""
        self.identities.extend(identities)

    def erase(self, *, now: datetime) -> bool:
        """Scrub personal data and drop identities; False if it was already erased."""
        if self.is_erased:
            return False
        for name in _PERSONAL_FIELDS:
            setattr(self, name, None)
        self.public_metadata = {}
        self.private_metadata = {}
        self.identities = []
        self.erased_at = now
        self.updated_at = now
        self._events.append(CustomerErased(customer_id=self.id))
        return True

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _ensure_active(self) -> None:
        if self.is_erased:
            raise CustomerIsErased(f"customer {self.id} was erased")
        if self.is_merged:
            raise CustomerAlreadyMerged(
                f"customer {self.id} was merged into {self.merged_into}; change that one"
            )

    def _apply(self, profile: ProfileFields, *, today: date) -> tuple[str, ...]:
        values: dict[str, Any] = {}
        # Every field is checked, so that one refusal lists all the invalid ones.
        found = FieldErrors()
        if profile.email is not UNSET:
            with found.check():
                email = normalise_email(profile.email) if profile.email is not None else None
                values["email"] = email
                values["email_key"] = email_key(email) if email is not None else None
        if profile.phone is not UNSET:
            with found.check():
                values["phone"] = (
                    normalise_phone(profile.phone, default_region=profile.phone_region)
                    if profile.phone
                    else None
                )
        for name, public in (
            ("first_name", "firstName"),
            ("last_name", "lastName"),
            ("region", "region"),
            ("city", "city"),
        ):
            raw = getattr(profile, name)
            if raw is not UNSET:
                with found.check():
                    values[name] = normalise_text(raw, field=public) if raw is not None else None
        if profile.gender is not UNSET:
            values["gender"] = profile.gender
        if profile.birthday is not UNSET:
            with found.check():
                values["birthday"] = (
                    check_birthday(profile.birthday, today=today) if profile.birthday else None
                )
        for name, normalise in (
            ("country", normalise_country),
            ("locale", normalise_locale),
            ("timezone", normalise_timezone),
        ):
            raw = getattr(profile, name)
            if raw is not UNSET:
                with found.check():
                    values[name] = normalise(raw) if raw else None
        if not isinstance(profile.metadata, Unset):
            with found.check(), under("metadata"):
                values["public_metadata"] = apply_metadata_patch(
                    self.public_metadata, profile.metadata
                )
        if not isinstance(profile.private_metadata, Unset):
            with found.check(), under("privateMetadata"):
                values["private_metadata"] = apply_metadata_patch(
                    self.private_metadata, profile.private_metadata
                )
        found.raise_any()
        # Validate everything before changing anything: a refused update leaves no trace.
        changed = tuple(
            name
            for name, value in values.items()
            if name != "email_key" and getattr(self, name) != value
        )
        for name, value in values.items():
            setattr(self, name, value)
        return changed


_PERSONAL_FIELDS = (
    "email",
    "email_key",
    "phone",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "country",
    "region",
    "city",
)
