"""The programme read from settings: points are earned per major unit of the base currency."""

from __future__ import annotations

from decimal import Decimal

from patronage.loyalty import loyalty_program
from patronage.settings import Settings


def test_the_programme_follows_the_base_currency() -> None:
    euro = loyalty_program(Settings(base_currency="EUR"))
    yen = loyalty_program(Settings(base_currency="JPY"))
    dinar = loyalty_program(Settings(base_currency="KWD"))
    # 129.00 EUR, 12,900 JPY and 12.900 KWD, all at the base rate
    assert euro.points_for(12_900, Decimal("1")) == 129
    assert yen.points_for(12_900, Decimal("1")) == 12_900
    assert dinar.points_for(12_900, Decimal("1")) == 12
    assert (euro.base_currency, yen.base_currency) == ("EUR", "JPY")
