"""Errors of the tags context."""

from __future__ import annotations

from domain.errors import Conflict, NotFound, ValidationFailed


class InvalidTag(ValidationFailed):
    """Raised when a tag is empty, too long or has characters outside the allowed set."""


class TooManyCustomers(ValidationFailed):
    """Raised when a by-ids tag request names more customers than one request may."""


class NoCustomersGiven(ValidationFailed):
    """Raised when a by-ids tag request names no customer."""


class CustomersNotFound(NotFound):
    """Raised when some customer ids of a tag request do not exist."""


class RuleTagNotEditable(Conflict):
    """Raised when a person tries to add or remove a rule tag by hand."""


class TagAlreadyInUse(Conflict):
    """Raised when a rule tag is defined with a name already used as a manual or rule tag."""


class RuleTagNotFound(NotFound):
    """Raised when a rule tag that does not exist is referenced."""


class SegmentUsedByRuleTag(Conflict):
    """Raised when a segment that a rule tag follows is deleted."""


class MergeRecordNotFound(NotFound):
    """Raised when a merge is undone but the tags context holds no record of it."""
