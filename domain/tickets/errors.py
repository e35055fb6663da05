"""Errors of the tickets context."""

from __future__ import annotations

from domain.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed


class InvalidTicketTransition(InvalidTransition):
    """Raised when a ticket cannot move from its status to the requested one."""


class ReopenWindowExpired(InvalidTicketTransition):
    """Raised when a resolved ticket is reopened more than 14 days after its resolution."""


class TicketNotFound(NotFound):
    """Raised when a ticket does not exist or is not the calling customer's."""


class ConcurrentModification(Conflict):
    """Raised when a ticket was changed by someone else since it was read."""


class TicketClosed(Conflict):
    """Raised when a closed ticket is replied to, assigned or otherwise changed."""


class InvalidSubject(ValidationFailed):
    """Raised when a ticket's subject is blank or too long."""


class InvalidMessageBody(ValidationFailed):
    """Raised when a message body is blank or too long."""


class InvalidOrderLine(ValidationFailed):
    """Raised when a line reference is malformed or does not match the order's lines."""


class OrderLinesNotAllowed(ValidationFailed):
    """Raised when order lines are given for a kind other than RETURN, EXCHANGE or REFUND."""


class OrderRequired(ValidationFailed):
    """Raised when a RETURN, EXCHANGE or REFUND ticket names no order."""


class UnknownCustomer(NotFound):
    """Raised when a ticket is opened for a customer that does not exist."""


class UnknownAgent(NotFound):
    """Raised when a ticket is assigned to an id that is not an active SUPPORT or ADMIN key."""


class UnknownOrder(NotFound):
    """Raised when a ticket names an order that does not exist (or is not the customer's)."""


class OrderOfAnotherCustomer(ValidationFailed):
    """Raised when an agent links a ticket to an order of a different customer."""


class CustomerMismatch(Forbidden):
    """Raised when a customer tries to open a ticket for someone else."""


class AgentOnlyAction(Forbidden):
    """Raised when a customer attempts a staff action (transition, assign, priority, goodwill)."""


class NotesAreStaffOnly(Forbidden):
    """Raised when a customer tries to write an internal note."""


class NotTicketCustomer(Forbidden):
    """Raised when anyone but the ticket's customer rates it."""


class InvalidRating(ValidationFailed):
    """Raised when a satisfaction rating is outside 1..5."""


class TicketNotResolved(Conflict):
    """Raised when a ticket is rated before it is resolved."""


class TicketAlreadyRated(Conflict):
    """Raised when a ticket that already has a rating is rated again."""


class InvalidGoodwillPoints(ValidationFailed):
    """Raised when a goodwill grant is not a positive number of points within the limit."""


class GoodwillReasonRequired(ValidationFailed):
    """Raised when a goodwill grant gives no reason."""


class RefundAmountNotAllowed(ValidationFailed):
    """Raised when a refund amount is given other than when resolving a REFUND with lines."""


class CustomerRequired(ValidationFailed):
    """Raised when an agent opens a ticket without naming the customer."""
