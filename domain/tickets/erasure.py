"""The tickets context's part in an erasure: the texts of the customer's tickets go.

On CustomerErased (in the erase's transaction) the subject and every message body of
the customer's tickets (their own messages, agents' replies and internal notes, which
quote names, addresses and order details) are replaced by ERASED_TEXT, set-based.
Everything reports need stays: kinds, statuses, priorities, SLA clocks and breaches,
ratings, each message's author kind, note flag and time, and the counts. Changed tickets
get a new version, so an agent holding the old one gets CONCURRENT_MODIFICATION instead
of writing over the erasure; no ticket event is emitted (nothing to tell subscribers,
and never the old text). A second erasure finds nothing left to replace.
"""

from __future__ import annotations

from uuid import UUID

from domain.bus import EventHandlers
from domain.customers.events import CustomerErased
from domain.tickets.repository import TicketsUnitOfWork

ERASED_TEXT = "[erased]"


async def erase_ticket_texts_in(uow: TicketsUnitOfWork, customer_id: UUID) -> int:
    """Within the caller's transaction: replace the texts of the customer's tickets.
    Returns how many tickets changed (0 when erased already)."""
    return await uow.tickets.replace_texts_of_customer(customer_id, ERASED_TEXT)


async def erase_ticket_texts_of_erased_customer(
    event: CustomerErased, uow: TicketsUnitOfWork
) -> None:
    """Replace the subjects and messages of an erased customer's tickets."""
    await erase_ticket_texts_in(uow, event.customer_id)


def register_erasure_handler(handlers: EventHandlers) -> None:
    """Erase the ticket texts of every erased customer, in the erase's transaction."""
    handlers.on(CustomerErased, erase_ticket_texts_of_erased_customer)
