"""Ticket actors: flagging missed SLA targets."""

from __future__ import annotations

import logging

from domain.tickets.errors import ConcurrentModification
from domain.tickets.services import flag_sla_breaches
from jobs import runtime
from jobs.registry import actor

log = logging.getLogger(__name__)

# Batches of 500 tickets; a run stops after this many (the next minute's run goes on).
MAX_BATCHES = 200


@actor("tickets.flag_sla_breaches", max_retries=0)
async def flag_sla_breaches_job() -> int:
    """Flag every missed SLA target (publishing TicketSlaBreached); returns how many."""
    svc = runtime.services()
    flagged = 0
    for _ in range(MAX_BATCHES):
        try:
            batch = await flag_sla_breaches(svc.uow(), svc.clock)
        except ConcurrentModification:
            # An agent changed a ticket of this batch meanwhile; the batch was rolled back
            # and the next run (a minute later) flags what is still missed.
            log.info("SLA breach batch met a concurrent change; left to the next run")
            break
        flagged += batch
        if batch == 0:
            break
    return flagged
