"""Paging a conversation for a customer token without revealing its internal notes.

Staff page messages by their position (`seq`), which counts the notes too: its gaps in a
customer's view would tell where notes sit. So a customer is shown no `seq`, and its
cursors name a message by id; the position it stands for is looked up (one statement)
when the cursor comes back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

import strawberry

from api.errors import ApiError, TopLevelCode
from api.tickets.loaders import MessageByIdLoader
from persistence.queries.paging import Page, PageRequest, encode_cursor


async def customer_page_request(
    info: strawberry.Info, ticket_id: UUID, page: PageRequest
) -> PageRequest:
    """`page` with a customer's cursor (a message id) turned into the message's position."""
    if page.cursor is None:
        return page
    message_id = page.cursor[0] if len(page.cursor) == 1 else None
    found = (
        await info.context.loader(MessageByIdLoader).load(message_id)
        if isinstance(message_id, UUID)
        else None
    )
    if found is None or found.ticket_id != ticket_id or found.is_note:
        raise ApiError("cursor does not belong to this list", TopLevelCode.BAD_REQUEST)
    return replace(page, cursor=(found.seq,))


def with_customer_cursors(page: Page[Any]) -> Page[Any]:
    """`page` with cursors naming each message by id instead of its position."""
    return replace(page, cursors=[encode_cursor([row.id]) for row in page.rows])
