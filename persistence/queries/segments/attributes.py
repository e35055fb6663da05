"""Each attribute of the language as a SQL source over the live customers.

One-row-per-customer tables (stats, membership, points, scores, engagement) are LEFT
JOINed once, only when a query names one of their attributes; big one-to-many tables
(tags, identities, orders, lines, events, tickets) are reached through correlated
EXISTS or scalar subqueries on their customer index. What each attribute means:

- `orders_count`, `net_spent`, `average_order_value`, `refunds_count`: from
  customer_stats, 0 for a customer without a stats row (no orders yet);
  `first_order_days` / `last_order_days` from its purchase times;
- `points_balance`, `points_lifetime`: points_accounts, 0 without an account;
  `tier`: memberships.tier_code, unknown without a membership;
- `channels`: the channels of the customer's identities and of all its orders;
  `categories`, `skus`: of the lines of its purchases (PAID, FULFILLED,
  PARTIALLY_REFUNDED orders);
- `last_seen_days`: the latest behaviour event of any kind;
  `cart_abandoned_days`: the latest ADD_TO_CART or CHECKOUT_STARTED event, when no
  purchase was placed at or after it (else unknown);
  `last_review_rating`: the rating of the latest REVIEW_POSTED event (latest by
  occurred_at, then id);
- `open_tickets`: tickets not RESOLVED or CLOSED (0 without tickets);
- `meta.<key>`: the public metadata value when it is a JSON string, else the private
  one; other JSON types are unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause, NamedFromClause

from domain.segments.syntax import Attr
from domain.tickets.values import TicketStatus
from persistence.customer_stats import PURCHASE_STATUSES
from persistence.queries.segments.functions import json_text, month_of
from persistence.queries.segments.intervals import age_on, days_since, minor_units
from persistence.queries.segments.sources import (
    ColumnSource,
    Condition,
    DefaultedSource,
    LatestTimeSource,
    SetSource,
    Source,
)
from persistence.tables.activity import activity_events
from persistence.tables.customers import customer_identities, customers
from persistence.tables.engagement import customer_engagement
from persistence.tables.loyalty import memberships, points_accounts
from persistence.tables.orders import customer_stats, order_lines, orders
from persistence.tables.scoring import customer_scores
from persistence.tables.tags import customer_tags
from persistence.tables.tickets import tickets

OPEN_TICKET_STATUSES = tuple(
    s.value for s in TicketStatus if s not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
)
CART_KINDS = ("ADD_TO_CART", "CHECKOUT_STARTED")
REVIEW_KIND = "REVIEW_POSTED"

# The one-row tables, in join order: (name, table).
ONE_ROW_TABLES: tuple[tuple[str, Table], ...] = (
    ("s", customer_stats),
    ("m", memberships),
    ("p", points_accounts),
    ("sc", customer_scores),
    ("en", customer_engagement),
)


@dataclass
class QueryScope:
    """The FROM clause being built for one query: the customers alias and the one-row
    tables joined so far (each at most once).

    By default the query reads `customers c` and LEFT JOINs the one-row tables. When the
    query can only be TRUE for customers that have a row in some one-row table (say
    `tier = 'GOLD'` needs a membership) and names no column of `customers`, `drive_from`
    makes that table the first of the FROM clause instead: liveness is then an anti-join
    with the few merged or erased customers, and `customers` is not read at all.
    """

    as_of: date
    zone: tzinfo
    currency_exponent: int
    c: NamedFromClause = field(default_factory=lambda: customers.alias("c"))
    uses_profile: bool = False
    driver: str | None = None
    _joined: dict[str, NamedFromClause] = field(default_factory=dict)
    _needed: frozenset[str] = frozenset()

    def one_row(self, name: str) -> NamedFromClause:
        """The alias of one-row table `name` ("s", "m", ...), joined on first use."""
        if name not in self._joined:
            table = dict(ONE_ROW_TABLES)[name]
            self._joined[name] = table.alias(name)
        return self._joined[name]

    def profile(self, name: str) -> ColumnElement[Any]:
        """A column of `customers` (other than its id)."""
        self.uses_profile = True
        return self.c.c[name]

    @property
    def customer_id(self) -> ColumnElement[Any]:
        """The customer id the query's rows are keyed by."""
        if self.driver is not None:
            return self._joined[self.driver].c.customer_id
        return self.c.c.id

    def drive_from(self, candidates: frozenset[str]) -> bool:
        """Read from one of `candidates` (one-row tables the query needs a row of) instead
        of `customers`, when possible; returns whether it does."""
        usable = [n for n, _ in ONE_ROW_TABLES if n in candidates and n in self._joined]
        if self.uses_profile or not usable:
            return False
        self.driver = usable[0]
        self._needed = frozenset(usable)
        return True

    def from_clause(self) -> FromClause:
        if self.driver is None:
            joined: FromClause = self.c
            for name, _ in ONE_ROW_TABLES:
                alias = self._joined.get(name)
                if alias is not None:
                    joined = joined.outerjoin(alias, alias.c.customer_id == self.c.c.id)
            return joined
        key = self.customer_id
        joined = self._joined[self.driver]
        for name, _ in ONE_ROW_TABLES:
            alias = self._joined.get(name)
            if alias is None or name == self.driver:
                continue
            if name in self._needed:
                joined = joined.join(alias, alias.c.customer_id == key)
            else:
                joined = joined.outerjoin(alias, alias.c.customer_id == key)
        return joined

    def live(self) -> Condition:
        if self.driver is None:
            return and_(self.c.c.merged_into.is_(None), self.c.c.erased_at.is_(None))
        gone = customers.alias("gone")
        return ~exists(
            select(1)
            .where(
                gone.c.id == self.customer_id,
                or_(gone.c.merged_into.is_not(None), gone.c.erased_at.is_not(None)),
            )
            .correlate_except(gone)
        )

    def days(self) -> Any:
        return days_since(self.as_of, self.zone)

    def money(self) -> Any:
        return minor_units(self.currency_exponent)


def _missing(alias: NamedFromClause) -> Condition:
    return alias.c.customer_id.is_(None)


def _column(name: str) -> Callable[[QueryScope], Source]:
    return lambda q: ColumnSource(q.profile(name))


def _stat(name: str, *, money: bool = False) -> Callable[[QueryScope], Source]:
    def build(q: QueryScope) -> Source:
        s = q.one_row("s")
        if money:
            return DefaultedSource(s.c[name], _missing(s), Decimal(0), q.money(), table="s")
        return DefaultedSource(s.c[name], _missing(s), 0, table="s")

    return build


def _points(name: str) -> Callable[[QueryScope], Source]:
    def build(q: QueryScope) -> Source:
        p = q.one_row("p")
        return DefaultedSource(p.c[name], _missing(p), 0, table="p")

    return build


def _days(table: str, name: str) -> Callable[[QueryScope], Source]:
    return lambda q: ColumnSource(q.one_row(table).c[name], q.days(), table=table)


def _score(name: str) -> Callable[[QueryScope], Source]:
    return lambda q: ColumnSource(q.one_row("sc").c[name], table="sc")


def _tags(q: QueryScope) -> Source:
    def contains(tag: str) -> Condition:
        t = customer_tags.alias("t")
        return exists(
            select(1).where(t.c.customer_id == q.c.c.id, t.c.tag == tag).correlate_except(t)
        )

    return SetSource(contains)


def _channels(q: QueryScope) -> Source:
    def contains(channel: str) -> Condition:
        i = customer_identities.alias("i")
        o = orders.alias("o")
        return or_(
            exists(
                select(1)
                .where(i.c.customer_id == q.c.c.id, i.c.channel == channel)
                .correlate_except(i)
            ),
            exists(
                select(1)
                .where(o.c.customer_id == q.c.c.id, o.c.channel == channel)
                .correlate_except(o)
            ),
        )

    return SetSource(contains)


def _bought(column: str) -> Callable[[QueryScope], Source]:
    def build(q: QueryScope) -> Source:
        def contains(value: str) -> Condition:
            o = orders.alias("o")
            line = order_lines.alias("l")
            return exists(
                select(1)
                .select_from(line.join(o, o.c.id == line.c.order_id))
                .where(
                    o.c.customer_id == q.c.c.id,
                    o.c.status.in_(PURCHASE_STATUSES),
                    line.c[column] == value,
                )
                .correlate_except(o, line)
            )

        return SetSource(contains)

    return build


def _last_seen(q: QueryScope) -> Source:
    def after(moment: datetime | None) -> Condition:
        e = activity_events.alias("e")
        conditions = [e.c.customer_id == q.c.c.id]
        if moment is not None:
            conditions.append(e.c.occurred_at >= moment)
        return exists(select(1).where(*conditions).correlate_except(e))

    return LatestTimeSource(after(None), after, q.days())


def _cart_abandoned(q: QueryScope) -> Source:
    s = q.one_row("s")

    def cart_event(*conditions: Callable[[Any], Condition]) -> Condition:
        e = activity_events.alias("e")
        return exists(
            select(1)
            .where(
                e.c.customer_id == q.c.c.id,
                e.c.kind.in_(CART_KINDS),
                *[condition(e) for condition in conditions],
            )
            .correlate_except(e)
        )

    # Abandoned: some cart event is later than the last purchase (or there is none).
    known = cart_event(
        lambda e: or_(s.c.last_order_at.is_(None), e.c.occurred_at > s.c.last_order_at)
    )
    return LatestTimeSource(
        known,
        lambda moment: cart_event(lambda e: e.c.occurred_at >= moment),
        q.days(),
        lower_implies_known=False,
    )


def _last_review_rating(q: QueryScope) -> Source:
    e = activity_events.alias("e")
    latest = (
        select(e.c.rating)
        .where(e.c.customer_id == q.c.c.id, e.c.kind == REVIEW_KIND)
        .order_by(e.c.occurred_at.desc(), e.c.id.desc())
        .limit(1)
        .correlate_except(e)
        .scalar_subquery()
    )
    return ColumnSource(latest)


def _open_tickets(q: QueryScope) -> Source:
    t = tickets.alias("tk")
    count = (
        select(func.count())
        .select_from(t)
        .where(t.c.customer_id == q.c.c.id, t.c.status.in_(OPEN_TICKET_STATUSES))
        .correlate_except(t)
        .scalar_subquery()
    )
    return ColumnSource(count)


SOURCES: dict[str, Callable[[QueryScope], Source]] = {
    "email": _column("email_key"),
    **{
        name: _column(name)
        for name in (
            "phone",
            "first_name",
            "last_name",
            "gender",
            "country",
            "region",
            "city",
            "locale",
            "email_consent",
            "sms_consent",
            "push_consent",
            "birthday",
        )
    },
    "birthday_month": lambda q: ColumnSource(month_of(q.profile("birthday"))),
    "age": lambda q: ColumnSource(q.profile("birthday"), age_on(q.as_of)),
    "created_days": lambda q: ColumnSource(q.profile("created_at"), q.days()),
    "tier": lambda q: ColumnSource(q.one_row("m").c.tier_code, table="m"),
    "points_balance": _points("balance"),
    "points_lifetime": _points("lifetime_earned"),
    "orders_count": _stat("orders_count"),
    "net_spent": _stat("net_spent", money=True),
    "average_order_value": _stat("average_order_value", money=True),
    "first_order_days": _days("s", "first_order_at"),
    "last_order_days": _days("s", "last_order_at"),
    "refunds_count": _stat("refunds_count"),
    "rfm_recency": _score("rfm_recency"),
    "rfm_frequency": _score("rfm_frequency"),
    "rfm_monetary": _score("rfm_monetary"),
    "rfm_group": _score("rfm_group"),
    "clv": lambda q: ColumnSource(q.one_row("sc").c.clv, q.money(), table="sc"),
    "churn_risk": _score("churn_risk"),
    "lifecycle": _score("lifecycle"),
    "open_tickets": _open_tickets,
    "cart_abandoned_days": _cart_abandoned,
    "last_seen_days": _last_seen,
    "last_review_rating": _last_review_rating,
    "last_message_opened_days": _days("en", "last_message_opened_at"),
    "last_message_clicked_days": _days("en", "last_message_clicked_at"),
    "tags": _tags,
    "channels": _channels,
    "categories": _bought("category"),
    "skus": _bought("sku"),
}


def source_of(attr: Attr, scope: QueryScope) -> Source:
    """The SQL source of `attr` within `scope`."""
    if attr.meta_key is not None:
        return ColumnSource(
            func.coalesce(
                json_text(scope.profile("public_metadata"), attr.meta_key),
                json_text(scope.profile("private_metadata"), attr.meta_key),
            )
        )
    build = SOURCES.get(attr.name)
    if build is None:
        raise KeyError(f"no SQL source for segment attribute {attr.name!r}")
    return build(scope)
