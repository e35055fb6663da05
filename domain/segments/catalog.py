"""The typed attributes of the segment language (names from API.md) and their operators.

Units: money attributes are written in MAJOR units of the store's base currency
(`net_spent > 500`), while snapshots and tables hold minor units; durations are whole days;
dates are ISO `'YYYY-MM-DD'`.

Text rules (how string literals and values compare; the SQL compiler must do the same):
- EXACT: case-sensitive, exactly as written (`channels`, `meta.*`, names, ...);
- LOWERCASE: `email` literals are lowercased at parse time and customer emails are
  compared lowercased (the customers context stores them normalised);
- UPPERCASE: codes stored in upper case (`tier`, `country`): literals are upper-cased at
  parse time, so `tier = 'gold'` is `tier = 'GOLD'` (enum-like, case-insensitive);
- TAG: `tags` literals are normalised like tags (`domain.tags.model.normalise_tag`);
- enum literals are matched case-insensitively and stored in their canonical UPPERCASE.

Ranges: each whole-number and decimal attribute has the range of values it can hold
(`low`..`high`, inclusive, in the language's units); a literal outside it is a type
error at parse time, so the SQL never binds a value its column cannot hold.

Personal data: attributes marked `personal` (email, phone, names, birthday, city: what
the API masks for ANALYST keys) cannot be tested by such keys, or a query would reveal
them (`email = 'x@y'` counting 1); a catalog `without_personal_data()` refuses them, and
`meta.<key>`, which reaches private metadata. Aggregate-safe attributes derived from them
(`birthday_month`, `age`) and coarse places (`country`, `region`) stay allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum, StrEnum


class AttributeType(Enum):
    """What kind of value an attribute holds."""

    STRING = "STRING"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    DATE = "DATE"
    ENUM = "ENUM"
    SET = "SET"
    META = "META"


class Operator(StrEnum):
    """Operators of the language, valued by how they are written."""

    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "IN"
    NOT_IN = "NOT IN"
    CONTAINS = "CONTAINS"
    IS_NULL = "IS NULL"
    IS_NOT_NULL = "IS NOT NULL"
    BETWEEN = "BETWEEN"


class TextRule(Enum):
    """How string values of an attribute are compared (see the module docstring)."""

    EXACT = "EXACT"
    LOWERCASE = "LOWERCASE"
    UPPERCASE = "UPPERCASE"
    TAG = "TAG"


COMPARISONS = frozenset(
    {Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE}
)
_NULL_TESTS = frozenset({Operator.IS_NULL, Operator.IS_NOT_NULL})
_EQUALITY = frozenset({Operator.EQ, Operator.NE, Operator.IN, Operator.NOT_IN}) | _NULL_TESTS
# Strings are not ordered: SQLite compares bytes, PostgreSQL uses the locale's collation,
# and the two back ends must always agree.
_ORDERED = COMPARISONS | {Operator.IN, Operator.NOT_IN, Operator.BETWEEN} | _NULL_TESTS
OPERATORS_BY_TYPE: Mapping[AttributeType, frozenset[Operator]] = {
    AttributeType.STRING: _EQUALITY,
    AttributeType.ENUM: _EQUALITY,
    AttributeType.META: _EQUALITY,
    AttributeType.INTEGER: _ORDERED,
    AttributeType.DECIMAL: _ORDERED,
    AttributeType.DATE: _ORDERED,
    # A set is never NULL (a customer without tags has the empty set).
    AttributeType.SET: frozenset({Operator.CONTAINS}),
}


@dataclass(frozen=True)
class Attribute:
    """One attribute: its name as typed by marketers, its type and what it accepts."""

    name: str
    type: AttributeType
    description: str
    values: tuple[str, ...] = ()
    money: bool = False
    text_rule: TextRule = TextRule.EXACT
    low: int | Decimal | None = None
    high: int | Decimal | None = None
    personal: bool = False

    @property
    def operators(self) -> frozenset[Operator]:
        return OPERATORS_BY_TYPE[self.type]


GENDERS = ("FEMALE", "MALE", "OTHER", "UNDISCLOSED")
CONSENT_STATES = ("SUBSCRIBED", "UNSUBSCRIBED", "PENDING")
RFM_GROUPS = (
    "PROSPECTS",
    "NEW",
    "PROMISING",
    "ACTIVE",
    "NEEDS_ATTENTION",
    "LOYAL",
    "CHAMPIONS",
    "AT_RISK",
    "ALMOST_LOST",
    "PREVIOUSLY_LOYAL",
    "DORMANT",
)
LIFECYCLE_STAGES = ("PROSPECT", "NEW", "ACTIVE", "AT_RISK", "DORMANT", "LOST")

_TEXT, _INT, _NUM = AttributeType.STRING, AttributeType.INTEGER, AttributeType.DECIMAL

INT32_MAX = 2**31 - 1
# Whole days either way that still name a calendar date (0001-01-01 to 9999-12-31).
MAX_DAYS = 3_652_059
# Money in major units: minor units are stored in 64-bit integers, and a currency has at
# most 4 decimals, so 10^13 major units (10^17 minor) always fits.
MAX_MONEY = 10**13
# The language's own limit on literals (15 digits), for values stored in 64-bit columns.
MAX_POINTS = 10**15 - 1


def _enum(name: str, values: tuple[str, ...], description: str) -> Attribute:
    return Attribute(name, AttributeType.ENUM, description, values=values)


def _set(name: str, description: str, rule: TextRule = TextRule.EXACT) -> Attribute:
    return Attribute(name, AttributeType.SET, description, text_rule=rule)


def _personal(
    name: str, kind: AttributeType, description: str, rule: TextRule = TextRule.EXACT
) -> Attribute:
    return Attribute(name, kind, description, text_rule=rule, personal=True)


def _count(name: str, description: str) -> Attribute:
    """A count, stored in a 32-bit integer column (or counted)."""
    return Attribute(name, _INT, description, low=0, high=INT32_MAX)


def _days(name: str, description: str) -> Attribute:
    """Whole days since an instant (negative for one in the future)."""
    return Attribute(name, _INT, description, low=-MAX_DAYS, high=MAX_DAYS)


def _score(name: str, description: str) -> Attribute:
    """A score or rating from 1 to 5 (a SMALLINT column with that check)."""
    return Attribute(name, _INT, description, low=1, high=5)


def _money(name: str, description: str) -> Attribute:
    """An amount in major units, stored as 64-bit minor units."""
    limit = Decimal(MAX_MONEY)
    return Attribute(name, _NUM, description, money=True, low=-limit, high=limit)


STANDARD_ATTRIBUTES: tuple[Attribute, ...] = (
    _personal("email", _TEXT, "email address (compared lowercased)", TextRule.LOWERCASE),
    _personal("phone", _TEXT, "phone number in E.164 form"),
    _personal("first_name", _TEXT, "first name"),
    _personal("last_name", _TEXT, "last name"),
    _enum("gender", GENDERS, "gender"),
    _personal("birthday", AttributeType.DATE, "date of birth"),
    Attribute("birthday_month", _INT, "month of birth, 1 to 12", low=1, high=12),
    Attribute("age", _INT, "age in whole years on the as-of date", low=0, high=200),
    Attribute("country", _TEXT, "ISO country code, e.g. 'FR'", text_rule=TextRule.UPPERCASE),
    Attribute("region", _TEXT, "region"),
    _personal("city", _TEXT, "city"),
    Attribute("locale", _TEXT, "locale, e.g. 'en-GB'"),
    _days("created_days", "days since the customer was created"),
    _enum("email_consent", CONSENT_STATES, "current email marketing consent"),
    _enum("sms_consent", CONSENT_STATES, "current SMS marketing consent"),
    _enum("push_consent", CONSENT_STATES, "current push marketing consent"),
    Attribute(
        "tier",
        _TEXT,
        "membership tier code (codes are configurable; compared in upper case)",
        text_rule=TextRule.UPPERCASE,
    ),
    Attribute("points_balance", _INT, "current points balance", low=0, high=MAX_POINTS),
    Attribute(
        "points_lifetime",
        _INT,
        "points earned over the customer's lifetime",
        low=0,
        high=MAX_POINTS,
    ),
    _count("orders_count", "number of orders"),
    _money("net_spent", "net spend in major units of the base currency"),
    _money("average_order_value", "average order value in major units"),
    _days("first_order_days", "days since the first order"),
    _days("last_order_days", "days since the last order"),
    _count("refunds_count", "number of refunds"),
    _score("rfm_recency", "RFM recency score, 1 to 5"),
    _score("rfm_frequency", "RFM frequency score, 1 to 5"),
    _score("rfm_monetary", "RFM monetary score, 1 to 5"),
    _enum("rfm_group", RFM_GROUPS, "RFM group (Shopify's CustomerRfmGroup values)"),
    _money("clv", "predicted 12-month customer lifetime value in major units"),
    Attribute("churn_risk", _NUM, "churn risk between 0 and 1", low=Decimal(0), high=Decimal(1)),
    _enum("lifecycle", LIFECYCLE_STAGES, "lifecycle stage"),
    _count("open_tickets", "number of open tickets"),
    _days("cart_abandoned_days", "days since a cart was last abandoned"),
    _days("last_seen_days", "days since the customer was last seen"),
    _score("last_review_rating", "rating of the last review, 1 to 5"),
    _days("last_message_opened_days", "days since a message was last opened"),
    _days("last_message_clicked_days", "days since a message was last clicked"),
    _set("tags", "tags (manual and rule tags)", TextRule.TAG),
    _set("channels", "sales channels the customer is known on"),
    _set("categories", "product categories the customer bought"),
    _set("skus", "SKUs the customer bought"),
)

META_PREFIX = "meta."


class AttributeCatalog:
    """The attributes a query may name; `meta.<key>` reaches metadata when allowed."""

    def __init__(
        self,
        attributes: Iterable[Attribute],
        *,
        allow_meta: bool = True,
        refuse_personal: str | None = None,
    ) -> None:
        self._attributes = {attribute.name: attribute for attribute in attributes}
        self.allow_meta = allow_meta
        self.refuse_personal = refuse_personal
        """Why personal attributes are refused (None: they are allowed)."""

    def __contains__(self, name: object) -> bool:
        return name in self._attributes

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        return tuple(self._attributes.values())

    def get(self, name: str) -> Attribute | None:
        """The attribute called `name` (lowercase), or None."""
        return self._attributes.get(name)

    def meta(self, key: str) -> Attribute:
        """The untyped text attribute for metadata key `key` (keys are case-sensitive)."""
        return Attribute(META_PREFIX + key, AttributeType.META, f"metadata value of {key!r}")

    def suggest(self, name: str) -> str | None:
        """The closest known attribute name to a misspelt `name`, if one is close."""
        matches = difflib.get_close_matches(name.lower(), list(self._attributes), n=1)
        return matches[0] if matches else None

    def without(self, *names: str) -> AttributeCatalog:
        """A copy without `names` (how a catalog change that retires attributes looks)."""
        kept = (a for a in self._attributes.values() if a.name not in names)
        return self._copy(kept)

    def with_attribute(self, attribute: Attribute) -> AttributeCatalog:
        """A copy with `attribute` added or replaced."""
        attributes = {**self._attributes, attribute.name: attribute}
        return self._copy(attributes.values())

    def with_values(self, name: str, values: Iterable[str]) -> AttributeCatalog:
        """A copy where text attribute `name` only takes `values` (an enum of data, such as
        the configured tier codes): another value is a type error naming the known ones."""
        attribute = self._attributes[name]
        return self.with_attribute(
            replace(attribute, type=AttributeType.ENUM, values=tuple(values))
        )

    def without_personal_data(self, reason: str) -> AttributeCatalog:
        """A copy refusing personal attributes (and metadata, which may hold anything)
        with `reason`: for principals that see personal data masked."""
        copy = self._copy(self._attributes.values())
        copy.refuse_personal = reason
        return copy

    def _copy(self, attributes: Iterable[Attribute]) -> AttributeCatalog:
        return AttributeCatalog(
            attributes, allow_meta=self.allow_meta, refuse_personal=self.refuse_personal
        )


DEFAULT_CATALOG = AttributeCatalog(STANDARD_ATTRIBUTES)
