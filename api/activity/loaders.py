"""Dataloaders of behaviour events."""

from __future__ import annotations

from api.loaders import PagedLoader
from persistence.queries.activity import event_counts_by_customer, event_pages_by_customer


class EventPagesByCustomerLoader(PagedLoader):
    fetch_pages = staticmethod(event_pages_by_customer)


class EventCountByCustomerLoader(PagedLoader):
    """Keyed by (customer id, kind filter)."""

    fetch_pages = staticmethod(event_counts_by_customer)
    default = 0
