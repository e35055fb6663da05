"""Errors of the customers context; each subclasses a category of domain.errors."""

from __future__ import annotations

from collections.abc import Sequence

from domain.errors import AlreadyExists, Conflict, InvalidTransition, NotFound, ValidationFailed


class InvalidEmail(ValidationFailed):
    """Raised when an email address is malformed."""


class InvalidPhoneNumber(ValidationFailed):
    """Raised when a phone number cannot be parsed or is not a valid number."""


class InvalidCountry(ValidationFailed):
    """Raised when a country is not an ISO 3166-1 alpha-2 code."""


class InvalidLocale(ValidationFailed):
    """Raised when a locale is not shaped like 'en' or 'en-GB' (or names no language)."""


class InvalidTimezone(ValidationFailed):
    """Raised when a timezone is not an IANA name such as 'Europe/Paris'."""


class InvalidBirthday(ValidationFailed):
    """Raised when a birthday is in the future or implausibly old."""


class InvalidText(ValidationFailed):
    """Raised when a text field is too long or holds control characters."""


class InvalidIdentity(ValidationFailed):
    """Raised when an identity's channel or external id is malformed."""


class InvalidConsent(ValidationFailed):
    """Raised when a consent change is inconsistent (e.g. an opt-in level on UNSUBSCRIBED)."""


class MissingCustomerReference(ValidationFailed):
    """Raised when an input names its customer by none of id, identity or email."""


class DuplicateEmail(AlreadyExists):
    """Raised when another customer already has this email (compared case-insensitively)."""


class DuplicateIdentity(AlreadyExists):
    """Raised when another customer already has this (channel, externalId) identity."""


class UnknownCustomer(NotFound):
    """Raised when no customer has the given id."""


class UnknownMerge(NotFound):
    """Raised when no merge has the given id."""


class CustomerIsErased(Conflict):
    """Raised when a change is asked of a customer whose personal data was erased."""


class CustomerAlreadyMerged(Conflict):
    """Raised when a merged (loser) customer is asked to take part in another merge."""


class MergeIntoItself(ValidationFailed):
    """Raised when a customer is to be merged into itself."""


class MergeBlocked(Conflict):
    """Raised when a merge participant reports blockers; `blockers` lists the reasons."""

    def __init__(self, blockers: Sequence[str]) -> None:
        super().__init__("the merge is blocked: " + "; ".join(blockers))
        self.blockers = tuple(blockers)


class MergeAlreadyUndone(InvalidTransition):
    """Raised when a merge that was already undone is to be undone again."""


class MergeSuperseded(Conflict):
    """Raised when a merge cannot be undone because a later merge involves its customers."""
