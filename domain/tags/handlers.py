"""In-transaction reactions of the tags context to other contexts' events."""

from __future__ import annotations

from domain.bus import EventHandlers
from domain.segments.events import SegmentDeleted, SegmentReevaluated
from domain.tags.rules import on_segment_deleted, on_segment_reevaluated


def register_handlers(handlers: EventHandlers) -> None:
    """Rule tags follow re-evaluated segments; a followed segment cannot be deleted."""
    handlers.on(SegmentReevaluated, on_segment_reevaluated)
    handlers.on(SegmentDeleted, on_segment_deleted)
