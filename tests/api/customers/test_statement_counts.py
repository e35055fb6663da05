"""A page of customers with their relations costs the same statements for 10 or 100."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from api.context import Services
from domain.ids import new_id
from persistence.tables.customers import consent_entries, customer_identities, customers
from persistence.tables.orders import customer_stats, order_lines, orders
from tests.conftest import GraphQLClient
from tests.support.statements import count_statements

PAGE = """
query($n: Int!) {
  customers(first: $n) {
    nodes {
      id
      identities { channel externalId }
      tags { name kind }
      membership { tier { code } }
      points { balance }
      tickets(first: 2) { nodes { subject } }
      consents { email { state } }
      stats { ordersCount netSpent { amount } }
      orders(first: 3) { totalCount nodes { externalId lines { sku quantity } } }
    }
  }
}"""


async def seed(services: Services, count: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    customer_rows, identity_rows, consent_rows, order_rows, line_rows, stats_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for i in range(count):
        cid = new_id()
        customer_rows.append(
            {
                "id": cid,
                "created_at": now + timedelta(seconds=i),
                "updated_at": now,
                "email": f"c{i}@example.com",
                "email_key": f"c{i}@example.com",
                "public_metadata": {},
                "private_metadata": {},
                "email_consent": "SUBSCRIBED",
            }
        )
        identity_rows.append(
            {
                "id": new_id(),
                "customer_id": cid,
                "channel": "shopify",
                "external_id": f"s{i}",
                "created_at": now,
            }
        )
        consent_rows.append(
            {
                "id": new_id(),
                "customer_id": cid,
                "channel": "EMAIL",
                "state": "SUBSCRIBED",
                "opt_in_level": "SINGLE",
                "source": "seed",
                "occurred_at": now,
                "recorded_at": now,
            }
        )
        for j in range(4):
            oid = new_id()
            order_rows.append(
                {
                    "id": oid,
                    "channel": "shopify",
                    "external_id": f"o{i}-{j}",
                    "customer_id": cid,
                    "status": "PAID",
                    "placed_at": now + timedelta(days=j),
                    "currency": "EUR",
                    "total_amount": 1000,
                    "base_total": 1000,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            line_rows += [
                {
                    "order_id": oid,
                    "position": p,
                    "sku": f"SKU-{p}",
                    "name": "x",
                    "quantity": 1,
                    "unit_price": 500,
                    "category": None,
                }
                for p in range(2)
            ]
        stats_rows.append(
            {
                "customer_id": cid,
                "orders_count": 4,
                "net_spent": 4000,
                "average_order_value": 1000,
                "first_order_at": now,
                "last_order_at": now + timedelta(days=3),
                "refunds_count": 0,
                "refunded_total": 0,
            }
        )
    async with services.engine.begin() as conn:
        for table, rows in (
            (customers, customer_rows),
            (customer_identities, identity_rows),
            (consent_entries, consent_rows),
            (orders, order_rows),
            (order_lines, line_rows),
            (customer_stats, stats_rows),
        ):
            await conn.execute(insert(table), rows)


async def test_a_page_costs_the_same_statements_for_10_and_100_customers(
    admin: GraphQLClient, services: Services
) -> None:
    await seed(services, 100)
    counts = {}
    for n in (10, 100):
        with count_statements(services.engine) as counter:
            body = await admin.execute(PAGE, {"n": n})
        nodes = body["customers"]["nodes"]
        assert len(nodes) == n
        assert all(
            len(c["orders"]["nodes"]) == 3 and c["orders"]["totalCount"] == 4 for c in nodes
        ), nodes[0]["orders"]
        assert all(len(o["lines"]) == 2 for c in nodes for o in c["orders"]["nodes"])
        assert all(c["identities"][0]["externalId"].startswith("s") for c in nodes)
        counts[n] = counter.count
    # auth, page, identities, tags, loyalty status, tickets, consents, orders page,
    # orders count, lines: one statement each whatever the page size.
    assert counts[10] == counts[100] <= 13, counts
