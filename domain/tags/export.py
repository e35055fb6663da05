"""The tags context's part in a privacy export (`domain.customers.participants`)."""

from __future__ import annotations

from uuid import UUID

from domain.customers.json_values import JsonValue
from domain.customers.participants import Participants
from domain.tags.model import TagAssignment
from domain.tags.repository import TagsExportUnitOfWork


class TagsExporter:
    """Exports the customer's tags: manual and rule tags, with when each was given."""

    name = "tags"

    async def export(self, uow: TagsExportUnitOfWork, customer_id: UUID) -> JsonValue:
        return [assignment_json(a) for a in await uow.tag_assignments.assignments_of(customer_id)]


def assignment_json(assignment: TagAssignment) -> dict[str, JsonValue]:
    return {
        "tag": assignment.tag.value,
        "kind": assignment.kind.value,
        "assignedAt": assignment.assigned_at.isoformat(),
        "segmentId": str(assignment.segment_id) if assignment.segment_id else None,
    }


def register_exporter(participants: Participants) -> None:
    """Register the tags exporter."""
    participants.add_exporter(TagsExporter())
