"""Money in the API: integer minor units with an ISO 4217 currency."""

from __future__ import annotations

import strawberry

from domain.money import Money as MoneyValue


@strawberry.type(description="An amount in minor units (cents) of a currency.")
class Money:
    amount: int = strawberry.field(description="Minor units: 12900 is 129.00 EUR.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")


@strawberry.input(description="An amount in minor units (cents) of a currency.")
class MoneyInput:
    amount: int = strawberry.field(description="Minor units: 12900 is 129.00 EUR.")
    currency: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")

    def to_value(self) -> MoneyValue:
        return MoneyValue(self.amount, self.currency.upper())
