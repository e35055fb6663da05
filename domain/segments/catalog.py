"""The typed attributes of the segment language (names from API.md) and their operators.

Units: money attributes are written in MAJOR units of the store's base currency
(`net_spent > 500`), while snapshots and tables hold minor units; durations are whole days;
dates are ISO `'YYYY-MM-DD'`.

Text rules (how string literals and values compare; the SQL compiler must do the same):
- EXACT: case-sensitive, exactly as written (`tier`, `country`, `channels`, `meta.*`, ...);
- LOWERCASE: `email` literals are lowercased at parse time and customer emails are
  compared lowercased (the customers context stores them normalised);
- TAG: `tags` literals are normalised like tags (`domain.tags.model.normalise_tag`);
- enum literals are matched case-insensitively and stored in their canonical UPPERCASE.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def _enum(name: str, values: tuple[str, ...], description: str) -> Attribute:
    return Attribute(name, AttributeType.ENUM, description, values=values)


def _set(name: str, description: str, rule: TextRule = TextRule.EXACT) -> Attribute:
    return Attribute(name, AttributeType.SET, description, text_rule=rule)


STANDARD_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("email", _TEXT, "email address (compared lowercased)", text_rule=TextRule.LOWERCASE),
    Attribute("phone", _TEXT, "phone number in E.164 form"),
    Attribute("first_name", _TEXT, "first name"),
    Attribute("last_name", _TEXT, "last name"),
    _enum("gender", GENDERS, "gender"),
    Attribute("birthday", AttributeType.DATE, "date of birth"),
    Attribute("birthday_month", _INT, "month of birth, 1 to 12"),
    Attribute("age", _INT, "age in whole years on the as-of date"),
    Attribute("country", _TEXT, "country code"),
    Attribute("region", _TEXT, "region"),
    Attribute("city", _TEXT, "city"),
    Attribute("locale", _TEXT, "locale, e.g. 'en-GB'"),
    Attribute("created_days", _INT, "days since the customer was created"),
    _enum("email_consent", CONSENT_STATES, "current email marketing consent"),
    _enum("sms_consent", CONSENT_STATES, "current SMS marketing consent"),
    _enum("push_consent", CONSENT_STATES, "current push marketing consent"),
    Attribute("tier", _TEXT, "membership tier code (codes are configurable)"),
    Attribute("points_balance", _INT, "current points balance"),
    Attribute("points_lifetime", _INT, "points earned over the customer's lifetime"),
    Attribute("orders_count", _INT, "number of orders"),
    Attribute("net_spent", _NUM, "net spend in major units of the base currency", money=True),
    Attribute("average_order_value", _NUM, "average order value in major units", money=True),
    Attribute("first_order_days", _INT, "days since the first order"),
    Attribute("last_order_days", _INT, "days since the last order"),
    Attribute("refunds_count", _INT, "number of refunds"),
    Attribute("rfm_recency", _INT, "RFM recency score, 1 to 5"),
    Attribute("rfm_frequency", _INT, "RFM frequency score, 1 to 5"),
    Attribute("rfm_monetary", _INT, "RFM monetary score, 1 to 5"),
    _enum("rfm_group", RFM_GROUPS, "RFM group (Shopify's CustomerRfmGroup values)"),
    Attribute("clv", _NUM, "predicted 12-month customer lifetime value in major units", money=True),
    Attribute("churn_risk", _NUM, "churn risk between 0 and 1"),
    _enum("lifecycle", LIFECYCLE_STAGES, "lifecycle stage"),
    Attribute("open_tickets", _INT, "number of open tickets"),
    Attribute("cart_abandoned_days", _INT, "days since a cart was last abandoned"),
    Attribute("last_seen_days", _INT, "days since the customer was last seen"),
    Attribute("last_review_rating", _INT, "rating of the last review, 1 to 5"),
    Attribute("last_message_opened_days", _INT, "days since a message was last opened"),
    Attribute("last_message_clicked_days", _INT, "days since a message was last clicked"),
    _set("tags", "tags (manual and rule tags)", TextRule.TAG),
    _set("channels", "sales channels the customer is known on"),
    _set("categories", "product categories the customer bought"),
    _set("skus", "SKUs the customer bought"),
)

META_PREFIX = "meta."


class AttributeCatalog:
    """The attributes a query may name; `meta.<key>` reaches metadata when allowed."""

    def __init__(self, attributes: Iterable[Attribute], *, allow_meta: bool = True) -> None:
        self._attributes = {attribute.name: attribute for attribute in attributes}
        self.allow_meta = allow_meta

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
        return AttributeCatalog(kept, allow_meta=self.allow_meta)

    def with_attribute(self, attribute: Attribute) -> AttributeCatalog:
        """A copy with `attribute` added or replaced."""
        attributes = {**self._attributes, attribute.name: attribute}
        return AttributeCatalog(attributes.values(), allow_meta=self.allow_meta)


DEFAULT_CATALOG = AttributeCatalog(STANDARD_ATTRIBUTES)
