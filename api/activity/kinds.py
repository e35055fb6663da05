"""The `kind` filter argument of event lists."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.enums import ActivityKind

EventKindArg = Annotated[ActivityKind | None, strawberry.argument(description="Only this kind.")]
