"""The tags context's part in a customer merge (`domain.customers.participants`).

The loser's manual tags that the winner lacks move to the winner; tags both carry stay
on the loser too (a merged-away customer is in no segment or audience), so undo only has
to move the moved ones back. Rule tags do not move: the next re-evaluation recomputes
them. `Moved["tags"]` holds `tag_key(tag)` for each moved tag (tags have no row ids).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.participants import Participants
from domain.tags.model import Tag
from domain.tags.repository import TagsUnitOfWork

KIND = "tags"
_NAMESPACE = UUID("8b0f1a52-3c2e-5d7a-9a61-2f4c6b1e0d93")


def tag_key(tag: Tag) -> UUID:
    """A stable UUID naming a tag, for the merge record."""
    return uuid5(_NAMESPACE, tag.value)


class TagsMergeParticipant:
    """Moves a loser's manual tags to the winner, and back on undo."""

    name = "tags"

    async def preview(self, uow: Any, loser_id: UUID, winner_id: UUID) -> MergePreviewPart:
        """How many manual tags would move (tags never block a merge)."""
        moving = await _moving(uow, loser_id, winner_id)
        return MergePreviewPart(participant=self.name, moves={KIND: len(moving)})

    async def apply(self, uow: Any, loser_id: UUID, winner_id: UUID) -> Moved:
        """Move the loser's manual tags the winner does not carry yet."""
        tags_uow: TagsUnitOfWork = uow
        moving = await _moving(tags_uow, loser_id, winner_id)
        await tags_uow.tag_assignments.reassign(moving, loser_id, winner_id)
        return {KIND: tuple(tag_key(tag) for tag in moving)}

    async def undo(self, uow: Any, loser_id: UUID, winner_id: UUID, moved: Moved) -> None:
        """Move back the moved tags the winner still carries."""
        tags_uow: TagsUnitOfWork = uow
        keys = set(moved.get(KIND, ()))
        held = await tags_uow.tag_assignments.manual_tags_of(winner_id)
        back = sorted(tag for tag in held if tag_key(tag) in keys)
        await tags_uow.tag_assignments.reassign(back, winner_id, loser_id)


async def _moving(uow: TagsUnitOfWork, loser_id: UUID, winner_id: UUID) -> list[Tag]:
    loser_tags = await uow.tag_assignments.manual_tags_of(loser_id)
    winner_tags = await uow.tag_assignments.manual_tags_of(winner_id)
    return sorted(loser_tags - winner_tags)


def register_participants(participants: Participants) -> None:
    """Register the tags merge participant."""
    participants.add_merge_participant(TagsMergeParticipant())
