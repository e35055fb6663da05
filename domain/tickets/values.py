"""Value objects of the tickets context: kinds, statuses, actors, line references, messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain.tickets.errors import InvalidMessageBody, InvalidOrderLine, InvalidSubject

MAX_SUBJECT = 200
MAX_BODY = 10_000


class TicketKind(StrEnum):
    """What the customer needs."""

    INQUIRY = "INQUIRY"
    ORDER_ISSUE = "ORDER_ISSUE"
    RETURN = "RETURN"
    EXCHANGE = "EXCHANGE"
    REFUND = "REFUND"
    COMPLAINT = "COMPLAINT"
    REVIEW = "REVIEW"

    @property
    def is_after_sales(self) -> bool:
        """RETURN, EXCHANGE and REFUND are about an order and may name its lines."""
        return self in {TicketKind.RETURN, TicketKind.EXCHANGE, TicketKind.REFUND}

    @property
    def customers_may_open(self) -> bool:
        """A REVIEW ticket follows up a negative review: the store opens it (by itself for
        a review rated 2 or less, or an agent by hand), never the customer."""
        return self is not TicketKind.REVIEW


class TicketStatus(StrEnum):
    """Where a ticket stands in the workflow."""

    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"

    @property
    def sla_running(self) -> bool:
        """SLA clocks run only while the store owes the customer something."""
        return self in {TicketStatus.OPEN, TicketStatus.IN_PROGRESS}


class ActorKind(StrEnum):
    """Who acts on or writes in a ticket."""

    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"
    SYSTEM = "SYSTEM"


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a use case or the author of a message.

    AGENT: `id` is the agent's reference (the API key id); CUSTOMER: the customer id;
    SYSTEM (automations, jobs): `id` may name the source, or be None.
    """

    kind: ActorKind
    id: UUID | None = None

    def __post_init__(self) -> None:
        if self.kind is not ActorKind.SYSTEM and self.id is None:
            raise ValueError(f"an {self.kind.value} actor needs an id")

    @classmethod
    def agent(cls, agent_id: UUID) -> Actor:
        return cls(ActorKind.AGENT, agent_id)

    @classmethod
    def customer(cls, customer_id: UUID) -> Actor:
        return cls(ActorKind.CUSTOMER, customer_id)

    @classmethod
    def system(cls, source_id: UUID | None = None) -> Actor:
        return cls(ActorKind.SYSTEM, source_id)

    @property
    def is_customer(self) -> bool:
        return self.kind is ActorKind.CUSTOMER

    @property
    def is_staff(self) -> bool:
        """Agents and the system see internal notes and run the workflow."""
        return self.kind is not ActorKind.CUSTOMER


@dataclass(frozen=True, slots=True)
class OrderLineRef:
    """A line of the ticket's order that a return, exchange or refund is about."""

    sku: str
    quantity: int

    def as_dict(self) -> dict[str, str | int]:
        return {"sku": self.sku, "quantity": self.quantity}


def validated_lines(lines: Sequence[OrderLineRef]) -> tuple[OrderLineRef, ...]:
    """Lines with a SKU and a positive quantity, each SKU once."""
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if not line.sku.strip():
            raise InvalidOrderLine("sku must not be blank", field=("lines", str(index), "sku"))
        if line.quantity < 1:
            raise InvalidOrderLine(
                f"quantity must be at least 1, got {line.quantity}",
                field=("lines", str(index), "quantity"),
            )
        if line.sku in seen:
            raise InvalidOrderLine(
                f"sku {line.sku!r} is listed twice", field=("lines", str(index), "sku")
            )
        seen.add(line.sku)
    return tuple(lines)


def check_lines_against_order(lines: Sequence[OrderLineRef], ordered: Mapping[str, int]) -> None:
    """Refuse lines for SKUs not in the order or for more than was ordered."""
    for index, line in enumerate(lines):
        if line.sku not in ordered:
            raise InvalidOrderLine(
                f"the order has no line with sku {line.sku!r}",
                field=("lines", str(index), "sku"),
            )
        if line.quantity > ordered[line.sku]:
            raise InvalidOrderLine(
                f"quantity {line.quantity} exceeds the {ordered[line.sku]} ordered",
                field=("lines", str(index), "quantity"),
            )


def validated_subject(subject: str) -> str:
    cleaned = subject.strip()
    if not cleaned:
        raise InvalidSubject("subject must not be blank", field=("subject",))
    if len(cleaned) > MAX_SUBJECT:
        raise InvalidSubject(
            f"subject must be at most {MAX_SUBJECT} characters", field=("subject",)
        )
    return cleaned


def validated_body(body: str) -> str:
    cleaned = body.strip()
    if not cleaned:
        raise InvalidMessageBody("message body must not be blank", field=("body",))
    if len(cleaned) > MAX_BODY:
        raise InvalidMessageBody(
            f"message body must be at most {MAX_BODY} characters", field=("body",)
        )
    return cleaned


@dataclass(frozen=True, slots=True)
class TicketMessage:
    """A public reply or an internal note; messages are append-only, numbered by `seq`."""

    seq: int
    id: UUID
    author: Actor
    body: str
    is_note: bool
    created_at: datetime

    def visible_to(self, viewer: Actor) -> bool:
        return viewer.is_staff or not self.is_note
