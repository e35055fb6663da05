"""Money as integer minor units with an ISO 4217 currency."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pycountry

from domain.errors import ValidationFailed

# Matched whole (`fullmatch`): a `$` anchor would accept "EUR\n", wider than the
# three-character currency columns.
_CURRENCY = re.compile(r"[A-Z]{3}")

# ISO 4217 currencies whose minor unit is not the cent (all others have 2 decimals).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def check_currency(code: str, *, field: Sequence[str] = ("currency",)) -> str:
    """`code` if it is an ISO 4217 currency code, else ValidationFailed on `field`."""
    if not _CURRENCY.fullmatch(code) or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationFailed(
            f"{code!r} is not an ISO 4217 currency code such as 'EUR'", field=tuple(field)
        )
    return code


def currency_exponent(currency: str) -> int:
    """Decimal places of `currency`'s minor unit (EUR 2, JPY 0, KWD 3)."""
    return _EXPONENTS.get(currency.upper(), 2)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units (cents) of `currency`."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not _CURRENCY.fullmatch(self.currency):
            raise ValidationFailed(
                f"currency must be an ISO 4217 code such as 'EUR', got {self.currency!r}",
                field=("currency",),
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValidationFailed(
                f"cannot combine {self.currency} with {other.currency}", field=("currency",)
            )
