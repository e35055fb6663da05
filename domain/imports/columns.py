"""The CSV format of imports: UTF-8 (a BOM is accepted), comma-separated, one header row.

Column names are lower-case; their order is free; columns not listed here refuse the file
(a typo such as `e-mail` would otherwise be silently ignored). A blank cell means "not
given": an import never clears a stored value. The `line` of a row is the file line where
it starts (the header is line 1). A quoted field never closed refuses the file; a row with
more non-blank cells than columns is rejected.

Rejected rows go to the rejects file (FILE.rejects.csv by default): the row's original
cells under the file's columns, then any cells beyond them (columns extra_1, extra_2...,
present when a rejected row has such cells), then `line` and `reason`. Cells are written
back as they were, NUL characters included. A run that rejects nothing cuts an existing
rejects file down to its header (so an earlier run's rejects do not linger).

Customers (`patronage import customers FILE.csv`), one row per customer:
    email, phone, first_name, last_name, gender, birthday, country, region, city, locale,
    timezone, identity_channel, identity_external_id, email_consent, sms_consent, created_at
- A row needs `email`, or `identity_channel` with `identity_external_id` (or both).
- email: validated and normalised as in the API; unique case-insensitively.
- phone: E.164 ('+33612345678'), or a national number read in the row's `country`.
- gender: FEMALE, MALE, OTHER or UNDISCLOSED; birthday: YYYY-MM-DD;
  country: ISO 3166-1 alpha-2; locale: 'en' or 'en-GB'; timezone: an IANA name.
- email_consent, sms_consent: SUBSCRIBED, UNSUBSCRIBED or PENDING (source `import`).
- created_at: YYYY-MM-DD or an ISO 8601 date-time; without an offset it is read in the
  store's timezone. For a customer that exists already, the earlier date is kept.
- Rows naming the same person (same email, compared case-insensitively, or the same
  identity) are folded into one customer: each later row updates the fields it gives,
  adds its identity, and records a consent change when the state differs.

Orders (`patronage import orders FILE.csv`), one row per order line:
    channel, external_id, customer_email, customer_identity_channel,
    customer_identity_external_id, placed_at, currency, total, base_total, status,
    sku, name, quantity, unit_price, category
- Consecutive rows with the same (channel, external_id) are the lines of one order; the
  order columns may be repeated on each line or left blank after the first (a value
  that differs from the first line's rejects the order). An order is imported whole or
  rejected whole.
- The customer is named by identity and/or email: found by identity first, then by
  email (adopting the identity), and created when unknown, as `orderRecord` does.
- placed_at: as created_at above; currency: ISO 4217; status: PENDING, PAID (the
  default), FULFILLED, REFUNDED or CANCELLED.
- Amounts (total, base_total, unit_price) are DECIMAL MAJOR UNITS with a dot, as
  spreadsheets show them ('129.90' EUR, '1500' JPY), with at most the currency's
  decimals; they are stored in minor units. base_total is in the store's base currency
  and required when `currency` is another one. As in the API (GraphQL Int), an amount
  is at most 2,147,483,647 minor units (21,474,836.47 EUR) and not negative.
- A line needs sku, name, quantity (an integer from 1 to 2,147,483,647) and unit_price;
  category is optional. A row whose line columns are all blank adds no line (an order
  known only by its total).
- An order already recorded (by the API or an earlier import) is a replay, as with
  `orderRecord`: the same content changes nothing, a new status is an update, other
  content is rejected.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.imports.errors import InvalidImportFile
from domain.imports.model import ImportKind

CUSTOMER_COLUMNS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "country",
    "region",
    "city",
    "locale",
    "timezone",
    "identity_channel",
    "identity_external_id",
    "email_consent",
    "sms_consent",
    "created_at",
)

ORDER_COLUMNS = (
    "channel",
    "external_id",
    "customer_email",
    "customer_identity_channel",
    "customer_identity_external_id",
    "placed_at",
    "currency",
    "total",
    "base_total",
    "status",
    "sku",
    "name",
    "quantity",
    "unit_price",
    "category",
)

COLUMNS = {ImportKind.CUSTOMERS: CUSTOMER_COLUMNS, ImportKind.ORDERS: ORDER_COLUMNS}

# A file without these columns cannot hold a single valid row.
REQUIRED_COLUMNS = {
    ImportKind.CUSTOMERS: (),
    ImportKind.ORDERS: ("channel", "external_id", "placed_at", "currency", "total"),
}
# At least one of these groups must be present.
REFERENCE_COLUMNS = {
    ImportKind.CUSTOMERS: (("email",), ("identity_channel", "identity_external_id")),
    ImportKind.ORDERS: (
        ("customer_email",),
        ("customer_identity_channel", "customer_identity_external_id"),
    ),
}


def check_header(kind: ImportKind, header: Sequence[str]) -> tuple[str, ...]:
    """The header's column names (stripped, lower-cased), if they make a file of `kind`."""
    columns = tuple(name.strip().lower() for name in header)
    known = COLUMNS[kind]
    unknown = [name for name in columns if name not in known]
    if unknown:
        raise InvalidImportFile(
            f"unknown column(s) {', '.join(map(repr, unknown))} in a {kind} file; "
            f"the columns are: {', '.join(known)}"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise InvalidImportFile(f"column(s) {', '.join(map(repr, repeated))} appear twice")
    missing = [name for name in REQUIRED_COLUMNS[kind] if name not in columns]
    if missing:
        raise InvalidImportFile(f"a {kind} file needs the column(s) {', '.join(missing)}")
    if not any(all(n in columns for n in group) for group in REFERENCE_COLUMNS[kind]):
        groups = " or ".join("+".join(group) for group in REFERENCE_COLUMNS[kind])
        raise InvalidImportFile(f"a {kind} file needs the column(s) {groups}")
    return columns
