"""Use cases adding and removing manual tags, by customer ids or by segment query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from domain.ports import Clock
from domain.segments.language import parse
from domain.segments.syntax import Expr
from domain.tags.errors import (
    CustomersNotFound,
    NoCustomersGiven,
    RuleTagNotEditable,
    TooManyCustomers,
)
from domain.tags.events import CustomersTagged, CustomersUntagged
from domain.tags.model import Tag, tags_of
from domain.tags.repository import TagBatch, TagsUnitOfWork

MAX_CUSTOMER_IDS = 250
BATCH_SIZE = 1_000
JOB_THRESHOLD = 1_000
"""A by-query request matching more customers than this should run as a Job."""


class ProgressReporter(Protocol):
    """Told after each committed batch of a bulk run (the Job's progress)."""

    async def __call__(self, done: int, total: int) -> None: ...


@dataclass(frozen=True)
class TagCustomers:
    """Add manual tags to up to 250 customers."""

    customer_ids: tuple[UUID, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class UntagCustomers:
    """Remove manual tags from up to 250 customers."""

    customer_ids: tuple[UUID, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TagByQuery:
    """Add manual tags to every customer a segment query matches (`as_of` default: today)."""

    query: str
    tags: tuple[str, ...]
    as_of: date | None = None


@dataclass(frozen=True)
class UntagByQuery:
    """Remove manual tags from every customer a segment query matches."""

    query: str
    tags: tuple[str, ...]
    as_of: date | None = None


@dataclass(frozen=True)
class TagChange:
    """Result of a tag request: customers matched, rows changed, committed batches."""

    customers: int
    changed: int
    batches: int = 1


async def add_tags(uow: TagsUnitOfWork, command: TagCustomers) -> TagChange:
    """Give the customers the manual tags (those already carried are left as they are)."""
    tags = tags_of(command.tags)
    async with uow:
        ids = await _checked_customers(uow, command.customer_ids, tags)
        changed = await uow.tag_assignments.add_manual(ids, tags)
        uow.emit(CustomersTagged(tags=_texts(tags), customer_ids=ids))
        await uow.commit()
    return TagChange(customers=len(ids), changed=changed)


async def remove_tags(uow: TagsUnitOfWork, command: UntagCustomers) -> TagChange:
    """Take the manual tags off the customers (tags they do not carry are ignored)."""
    tags = tags_of(command.tags)
    async with uow:
        ids = await _checked_customers(uow, command.customer_ids, tags)
        changed = await uow.tag_assignments.remove_manual(ids, tags)
        uow.emit(CustomersUntagged(tags=_texts(tags), customer_ids=ids))
        await uow.commit()
    return TagChange(customers=len(ids), changed=changed)


async def count_tag_targets(uow: TagsUnitOfWork, clock: Clock, command: TagByQuery) -> int:
    """How many customers a by-query request would touch (to decide on a Job).

    Checks the request as the run would (query, tags, no rule tag), so a request that
    goes to a Job is refused now rather than failing in the worker.
    """
    query = parse(command.query)
    tags = tags_of(command.tags)
    async with uow:
        await _refuse_rule_tags(uow, tags)
        return await uow.tag_assignments.count_matching(query, _as_of(command.as_of, clock))


async def add_tags_by_query(
    uow: TagsUnitOfWork,
    clock: Clock,
    command: TagByQuery,
    *,
    batch_size: int = BATCH_SIZE,
    progress: ProgressReporter | None = None,
) -> TagChange:
    """Tag every customer the query matches, one transaction per batch of customers.

    `uow` is entered once per batch; each batch commits on its own and `progress` is
    told after it, so a failure keeps the batches done so far.
    """
    return await _by_query(
        uow,
        clock,
        command.query,
        command.tags,
        command.as_of,
        adding=True,
        batch_size=batch_size,
        progress=progress,
    )


async def remove_tags_by_query(
    uow: TagsUnitOfWork,
    clock: Clock,
    command: UntagByQuery,
    *,
    batch_size: int = BATCH_SIZE,
    progress: ProgressReporter | None = None,
) -> TagChange:
    """Untag every customer the query matches, one transaction per batch of customers."""
    return await _by_query(
        uow,
        clock,
        command.query,
        command.tags,
        command.as_of,
        adding=False,
        batch_size=batch_size,
        progress=progress,
    )


async def _by_query(
    uow: TagsUnitOfWork,
    clock: Clock,
    text: str,
    raw_tags: tuple[str, ...],
    as_of: date | None,
    *,
    adding: bool,
    batch_size: int,
    progress: ProgressReporter | None,
) -> TagChange:
    query = parse(text)
    tags = tags_of(raw_tags)
    day = _as_of(as_of, clock)
    async with uow:
        await _refuse_rule_tags(uow, tags)
        total = await uow.tag_assignments.count_matching(query, day)
    after: UUID | None = None
    done = changed = batches = 0
    while True:
        async with uow:
            batch = await _one_batch(uow, query, day, tags, after, batch_size, adding)
            if not batch.customer_ids:
                break
            event = CustomersTagged if adding else CustomersUntagged
            uow.emit(event(tags=_texts(tags), customer_ids=batch.customer_ids))
            await uow.commit()
        batches += 1
        done += len(batch.customer_ids)
        changed += batch.changed
        after = batch.last_id
        if progress is not None:
            # A customer may start matching during the run: never report done > total.
            total = max(total, done)
            await progress(done, total)
    return TagChange(customers=done, changed=changed, batches=batches)


async def _one_batch(
    uow: TagsUnitOfWork,
    query: Expr,
    day: date,
    tags: Sequence[Tag],
    after: UUID | None,
    limit: int,
    adding: bool,
) -> TagBatch:
    repository = uow.tag_assignments
    if adding:
        return await repository.add_manual_where(query, day, tags, after=after, limit=limit)
    return await repository.remove_manual_where(query, day, tags, after=after, limit=limit)


async def _checked_customers(
    uow: TagsUnitOfWork, customer_ids: tuple[UUID, ...], tags: Sequence[Tag]
) -> tuple[UUID, ...]:
    ids = tuple(dict.fromkeys(customer_ids))
    if not ids:
        raise NoCustomersGiven("give at least one customer id", field=("customerIds",))
    if len(ids) > MAX_CUSTOMER_IDS:
        raise TooManyCustomers(
            f"at most {MAX_CUSTOMER_IDS} customer ids per request; use a query for more",
            field=("customerIds",),
        )
    await _refuse_rule_tags(uow, tags)
    known = await uow.tag_assignments.existing_customers(ids)
    missing = [i for i in ids if i not in known]
    if missing:
        index = customer_ids.index(missing[0])
        raise CustomersNotFound(
            f"no customer with id {missing[0]}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
            field=("customerIds", str(index)),
        )
    return ids


async def _refuse_rule_tags(uow: TagsUnitOfWork, tags: Sequence[Tag]) -> None:
    ruled = await uow.rule_tags.among(tags)
    if ruled:
        first = next(tag for tag in tags if tag in ruled)
        raise RuleTagNotEditable(
            f"'{first}' is a rule tag: it follows its segment and cannot be set by hand",
            field=("tags", str(list(tags).index(first))),
        )


def _as_of(as_of: date | None, clock: Clock) -> date:
    return as_of if as_of is not None else clock.now().date()


def _texts(tags: Sequence[Tag]) -> tuple[str, ...]:
    return tuple(tag.value for tag in tags)
