"""The Ticket aggregate: a customer's request and the store's handling of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.events import DomainEvent
from domain.ids import new_id
from domain.money import Money
from domain.tickets.errors import (
    AgentOnlyAction,
    GoodwillReasonRequired,
    InvalidGoodwillPoints,
    InvalidRating,
    NotesAreStaffOnly,
    NotTicketCustomer,
    RefundAmountNotAllowed,
    TicketAlreadyRated,
    TicketClosed,
    TicketNotFound,
    TicketNotResolved,
)
from domain.tickets.events import (
    GoodwillPointsGranted,
    RefundTicketResolved,
    TicketAssigned,
    TicketCreated,
    TicketPriorityChanged,
    TicketRated,
    TicketReplied,
    TicketSlaBreached,
    TicketTransitioned,
)
from domain.tickets.priority import Priority
from domain.tickets.sla import (
    SlaClock,
    SlaPolicy,
    SlaTarget,
    earliest_due,
    meet_responses,
    rebudget_all,
    resume_all,
)
from domain.tickets.values import (
    Actor,
    ActorKind,
    OrderLineRef,
    TicketKind,
    TicketMessage,
    TicketStatus,
    validated_body,
    validated_subject,
)
from domain.tickets.workflow import check_transition

MAX_GOODWILL_POINTS = 100_000
_FAR_FUTURE = datetime.max  # naive: queue keys compare naive UTC times


@dataclass(eq=False, kw_only=True)
class Ticket:
    """A support or after-sales case of one customer.

    Persistence rebuilds it with every field; `version` is the stored version, bumped once
    by the first change after loading, and checked by `TicketRepository.save`.
    `sla_clocks` holds the clocks started so far (NEXT_RESPONSE only once a customer
    wrote after the first response); `paused_at` is set while the clocks are paused.
    """

    id: UUID
    number: int
    kind: TicketKind
    subject: str
    customer_id: UUID
    order_id: UUID | None
    lines: tuple[OrderLineRef, ...]
    status: TicketStatus
    priority: Priority
    assignee_id: UUID | None
    messages: list[TicketMessage]
    sla_clocks: dict[SlaTarget, SlaClock]
    paused_at: datetime | None
    created_at: datetime
    updated_at: datetime
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    refund_requested: bool = False
    source_event_id: UUID | None = None
    version: int = 1
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False)
    _bumped: bool = field(default=False, init=False, repr=False)

    @classmethod
    def open(
        cls,
        *,
        number: int,
        kind: TicketKind,
        subject: str,
        body: str,
        customer_id: UUID,
        order_id: UUID | None,
        lines: Sequence[OrderLineRef],
        priority: Priority,
        opened_by: Actor,
        now: datetime,
        sla: SlaPolicy,
        source_event_id: UUID | None = None,
    ) -> Ticket:
        """A new OPEN ticket with its first message; the first-response and resolution
        clocks start now. Order and lines are checked by the use case (see services)."""
        ticket = cls(
            id=new_id(),
            number=number,
            kind=kind,
            subject=validated_subject(subject),
            customer_id=customer_id,
            order_id=order_id,
            lines=tuple(lines),
            status=TicketStatus.OPEN,
            priority=priority,
            assignee_id=None,
            messages=[],
            sla_clocks={
                target: SlaClock.start(target, now, sla.budget(priority, target), sla.calendar)
                for target in (SlaTarget.FIRST_RESPONSE, SlaTarget.RESOLUTION)
            },
            paused_at=None,
            created_at=now,
            updated_at=now,
            source_event_id=source_event_id,
        )
        ticket._bumped = True  # a new ticket is stored at version 1
        ticket._record(
            TicketCreated(
                **ticket._routing(now),
                number=number,
                kind=kind.value,
                priority=priority.value,
                order_id=order_id,
            )
        )
        ticket._append(opened_by, validated_body(body), is_note=False, now=now)
        return ticket

    # -- workflow ------------------------------------------------------------------------

    def transition(
        self,
        to: TicketStatus,
        *,
        by: Actor,
        now: datetime,
        sla: SlaPolicy,
        refund_amount: Money | None = None,
    ) -> None:
        """Move the ticket to `to`; resolving a REFUND with lines requests the refund."""
        self._require_staff(by)
        refund_applies = (
            to is TicketStatus.RESOLVED and self.kind is TicketKind.REFUND and bool(self.lines)
        )
        if refund_amount is not None and not refund_applies:
            raise RefundAmountNotAllowed(
                "a refund amount is taken only when resolving a REFUND ticket with order lines",
                field=("refundAmount",),
            )
        self._move(to, now=now, sla=sla, refund_amount=refund_amount)

    def _move(
        self, to: TicketStatus, *, now: datetime, sla: SlaPolicy, refund_amount: Money | None
    ) -> None:
        check_transition(self.status, to, resolved_at=self.resolved_at, now=now)
        from_status = self.status
        if from_status is TicketStatus.RESOLVED and to is TicketStatus.IN_PROGRESS:
            self.resolved_at = None
            resolution = self.sla_clocks[SlaTarget.RESOLUTION]
            self.sla_clocks[SlaTarget.RESOLUTION] = resolution.reopened()
        if to.sla_running:
            self._resume_clocks(now, sla)
        elif self.paused_at is None:
            self.paused_at = now
        if to is TicketStatus.RESOLVED:
            self.resolved_at = now
            resolution = self.sla_clocks[SlaTarget.RESOLUTION]
            self.sla_clocks[SlaTarget.RESOLUTION] = resolution.met(now)
            self._request_refund(now, refund_amount)
        if to is TicketStatus.CLOSED:
            self.closed_at = now
        self.status = to
        self._touch(now)
        self._record(
            TicketTransitioned(
                **self._routing(now), from_status=from_status.value, to_status=to.value
            )
        )

    def _resume_clocks(self, now: datetime, sla: SlaPolicy) -> None:
        if self.paused_at is not None:
            paused = sla.calendar.between(self.paused_at, now)
            self.sla_clocks = resume_all(self.sla_clocks, paused, sla.calendar)
            self.paused_at = None

    def _request_refund(self, now: datetime, amount: Money | None) -> None:
        # Once per ticket: a reopened and re-resolved refund must not refund twice.
        if self.kind is not TicketKind.REFUND or not self.lines or self.refund_requested:
            return
        assert self.order_id is not None  # after-sales tickets always name their order
        self.refund_requested = True
        self._record(
            RefundTicketResolved(
                ticket_id=self.id,
                customer_id=self.customer_id,
                order_id=self.order_id,
                lines=tuple(line.as_dict() for line in self.lines),
                amount=amount.amount if amount else None,
                currency=amount.currency if amount else None,
                idempotency_key=f"ticket-refund:{self.id}",
            )
        )

    # -- messages ------------------------------------------------------------------------

    def reply(
        self, body: str, *, by: Actor, is_note: bool, now: datetime, sla: SlaPolicy
    ) -> TicketMessage:
        """Add a public reply or an internal note, moving the workflow and SLA clocks:
        a customer's reply takes a waiting (or recently resolved) ticket back to
        IN_PROGRESS and starts the next-response clock; an agent's public reply meets the
        first- and next-response targets."""
        self.ensure_visible_to(by)
        self._refuse_if_closed()
        if is_note and by.is_customer:
            raise NotesAreStaffOnly("customers cannot write internal notes", field=("isNote",))
        text = validated_body(body)
        if by.is_customer and self.status in (
            TicketStatus.WAITING_ON_CUSTOMER,
            TicketStatus.RESOLVED,
        ):
            self._move(TicketStatus.IN_PROGRESS, now=now, sla=sla, refund_amount=None)
        message = self._append(by, text, is_note=is_note, now=now)
        if not is_note and by.kind is ActorKind.AGENT:
            self._record_response(now)
        elif by.is_customer and self.first_responded_at is not None:
            self._await_next_response(now, sla)
        return message

    def _record_response(self, now: datetime) -> None:
        if self.first_responded_at is None:
            self.first_responded_at = now
        self.sla_clocks = meet_responses(self.sla_clocks, now)

    def _await_next_response(self, now: datetime, sla: SlaPolicy) -> None:
        # The customer waits since their first unanswered message: a running clock stays.
        current = self.sla_clocks.get(SlaTarget.NEXT_RESPONSE)
        if current is not None and current.is_running:
            return
        budget = sla.budget(self.priority, SlaTarget.NEXT_RESPONSE)
        self.sla_clocks[SlaTarget.NEXT_RESPONSE] = SlaClock.start(
            SlaTarget.NEXT_RESPONSE, now, budget, sla.calendar
        )

    def _append(self, by: Actor, body: str, *, is_note: bool, now: datetime) -> TicketMessage:
        message = TicketMessage(
            seq=len(self.messages) + 1,
            id=new_id(),
            author=by,
            body=body,
            is_note=is_note,
            created_at=now,
        )
        self.messages.append(message)
        self._touch(now)
        self._record(
            TicketReplied(
                **self._routing(now),
                message_id=message.id,
                seq=message.seq,
                author_kind=by.kind.value,
                author_id=by.id,
                is_note=is_note,
            )
        )
        return message

    def ensure_visible_to(self, viewer: Actor) -> None:
        """Refuse a customer who is not this ticket's (as not found: nothing leaks)."""
        if viewer.is_customer and viewer.id != self.customer_id:
            raise TicketNotFound("ticket not found", field=("id",))

    def messages_visible_to(self, viewer: Actor) -> list[TicketMessage]:
        """The messages `viewer` may read: staff see everything, the customer no notes."""
        self.ensure_visible_to(viewer)
        return [message for message in self.messages if message.visible_to(viewer)]

    # -- assignment, priority, rating, goodwill ------------------------------------------

    def assign(self, agent_id: UUID | None, *, by: Actor, now: datetime) -> None:
        """Hand the ticket to an agent (None: back to the unassigned queue)."""
        self._require_staff(by)
        self._refuse_if_closed()
        if agent_id == self.assignee_id:
            return
        previous, self.assignee_id = self.assignee_id, agent_id
        self._touch(now)
        self._record(TicketAssigned(**self._routing(now), previous_assignee_id=previous))

    def reprioritize(self, priority: Priority, *, by: Actor, now: datetime, sla: SlaPolicy) -> None:
        """Override the priority; every SLA clock is re-budgeted from its own start."""
        self._require_staff(by)
        self._refuse_if_closed()
        if priority is self.priority:
            return
        previous, self.priority = self.priority, priority
        self.sla_clocks = rebudget_all(self.sla_clocks, priority, sla)
        self._touch(now)
        self._record(
            TicketPriorityChanged(
                **self._routing(now), from_priority=previous.value, to_priority=priority.value
            )
        )

    def rate(self, rating: int, *, by: Actor, now: datetime) -> None:
        """Record the customer's satisfaction (1..5), once, after resolution."""
        if not by.is_customer or by.id != self.customer_id:
            raise NotTicketCustomer("only the ticket's customer can rate it")
        if not 1 <= rating <= 5:
            raise InvalidRating(f"rating must be 1 to 5, got {rating}", field=("rating",))
        if self.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise TicketNotResolved(
                f"a ticket can be rated once resolved; it is {self.status.value}"
            )
        if self.rating is not None:
            raise TicketAlreadyRated("this ticket was already rated", field=("rating",))
        self.rating, self.rated_at = rating, now
        self._touch(now)
        self._record(TicketRated(**self._routing(now), rating=rating))

    def grant_goodwill(
        self, points: int, reason: str, *, by: Actor, now: datetime, idempotency_key: str
    ) -> None:
        """Grant the customer goodwill points (credited by loyalty), noted on the ticket."""
        self._require_staff(by)
        self._refuse_if_closed()
        if not 0 < points <= MAX_GOODWILL_POINTS:
            raise InvalidGoodwillPoints(
                f"goodwill must be 1 to {MAX_GOODWILL_POINTS} points, got {points}",
                field=("points",),
            )
        if not reason.strip():
            raise GoodwillReasonRequired("say why the points are granted", field=("reason",))
        self._append(
            by, f"Goodwill: {points} points granted. {reason.strip()}", is_note=True, now=now
        )
        self._record(
            GoodwillPointsGranted(
                ticket_id=self.id,
                customer_id=self.customer_id,
                points=points,
                reason=reason.strip(),
                granted_by=by.id,
                idempotency_key=idempotency_key,
            )
        )

    # -- SLA -----------------------------------------------------------------------------

    def breaches(self, now: datetime) -> list[SlaTarget]:
        """Flag the targets missed by `now` and not flagged yet; one TicketSlaBreached each."""
        if not self.status.sla_running:
            return []
        flagged: list[SlaTarget] = []
        for target in SlaTarget:
            clock = self.sla_clocks.get(target)
            if clock is None or clock.breach_flagged or not clock.is_breached(now):
                continue
            self.sla_clocks[target] = clock.flagged()
            flagged.append(target)
            self._record(
                TicketSlaBreached(
                    **self._routing(now),
                    target=target.value,
                    due_at=clock.due_at,
                    priority=self.priority.value,
                )
            )
        if flagged:
            self._touch(now)
        return flagged

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest due time of a running SLA clock (None when nothing is owed)."""
        return earliest_due(self.sla_clocks)

    @property
    def queue_key(self) -> tuple[int, datetime]:
        """Sort key of the agents' queue: URGENT first, then the earliest due time."""
        due = self.next_due_at
        return (self.priority.rank, due.replace(tzinfo=None) if due else _FAR_FUTURE)

    # -- internals -----------------------------------------------------------------------

    def pull_events(self) -> list[DomainEvent]:
        """The events recorded since the last call, for the unit of work to emit."""
        events, self._events = self._events, []
        return events

    def _routing(self, now: datetime) -> dict[str, Any]:
        return {
            "ticket_id": self.id,
            "customer_id": self.customer_id,
            "assignee_id": self.assignee_id,
            "occurred_at": now,
        }

    def _require_staff(self, by: Actor) -> None:
        if by.is_customer:
            raise AgentOnlyAction("only support agents can do this")

    def _refuse_if_closed(self) -> None:
        if self.status is TicketStatus.CLOSED:
            raise TicketClosed("the ticket is closed; open a new ticket instead")

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        if not self._bumped:
            self.version += 1
            self._bumped = True

    def _record(self, event: DomainEvent) -> None:
        self._events.append(event)
