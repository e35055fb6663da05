"""The date, zone and currency a request evaluates segment queries against."""

from __future__ import annotations

import strawberry

from api.context import Services
from domain.money import currency_exponent
from persistence.queries.segments.reads import Evaluation


def evaluation(services: Services) -> Evaluation:
    """Today in the store's time zone, with the base currency's minor unit."""
    settings = services.settings
    zone = settings.zone
    return Evaluation(
        as_of=services.clock.now().astimezone(zone).date(),
        zone=zone,
        currency_exponent=currency_exponent(settings.base_currency),
    )


def request_evaluation(info: strawberry.Info) -> Evaluation:
    return evaluation(info.context.services)
