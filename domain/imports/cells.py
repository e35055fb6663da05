"""Reading typed values out of CSV cells: dates, date-times, quantities, money amounts.

Each reader takes a non-blank cell and returns the value or raises ValueError with a
message fit for the rejects file.

Amounts and quantities are bounded as the API bounds them: its amounts (minor units) and
quantities are GraphQL `Int`, 32-bit signed, so a row may hold no more than an
`orderRecord` call may. (The API also refuses negative amounts: `OrderContent.build`.)
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from domain.money import currency_exponent

# GraphQL Int's largest value (2**31 - 1), the type of the API's amounts and quantities.
API_INT_MAX = 2_147_483_647
MAX_AMOUNT = API_INT_MAX  # in minor units
MAX_QUANTITY = API_INT_MAX

_AMOUNT = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
_INTEGER = re.compile(r"^[0-9]+$")


def read_amount(raw: str, currency: str) -> int:
    """'129.90' EUR -> 12990: decimal major units to integer minor units."""
    text = raw.strip()
    if not _AMOUNT.match(text):
        raise ValueError(f"{raw!r} is not an amount such as 129.90 (a dot, no thousands sign)")
    exponent = currency_exponent(currency)
    fraction = text.partition(".")[2]
    if len(fraction.rstrip("0")) > exponent:
        raise ValueError(f"{raw!r} has more than the {exponent} decimal(s) of {currency}")
    amount = int(Decimal(text).scaleb(exponent))
    if amount > MAX_AMOUNT:
        limit = f"{Decimal(MAX_AMOUNT).scaleb(-exponent):,.{exponent}f}"
        raise ValueError(f"at most {limit} {currency}, not {raw!r}")
    return amount


def read_quantity(raw: str) -> int:
    """A whole number from 0 to MAX_QUANTITY (the order rules ask for at least 1)."""
    text = raw.strip()
    if not _INTEGER.match(text):
        raise ValueError(f"{raw!r} is not a whole number")
    quantity = int(text)
    if quantity > MAX_QUANTITY:
        raise ValueError(f"at most {MAX_QUANTITY:,}, not {raw!r}")
    return quantity


def read_date(raw: str) -> date:
    text = raw.strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date such as 1990-04-23") from None


def read_datetime(raw: str, zone: tzinfo) -> datetime:
    """A date (midnight) or ISO 8601 date-time; without an offset it is read in `zone`.
    The result is in UTC."""
    text = raw.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{raw!r} is not a date-time such as 2024-03-01T14:30:00+01:00 or 2024-03-01"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
