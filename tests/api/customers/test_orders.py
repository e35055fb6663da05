"""Orders through the API: the API.md example, replays, refunds, stats, concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.context import Services
from tests.conftest import GraphQLClient

RECORD = """
mutation($input: OrderRecordInput!) {
  orderRecord(input: $input) {
    order {
      id status total { amount currency } baseTotal { amount }
      lines { sku quantity unitPrice { amount } total { amount } }
      customer { id email stats { ordersCount netSpent { amount currency } averageOrderValue { amount } } }
    }
    userErrors { field code message }
  }
}"""

REFUND = """
mutation($input: OrderRefundInput!) {
  orderRefund(input: $input) {
    order { id status refundable { amount } refunds { amount { amount } reason }
            customer { stats { netSpent { amount } refundsCount } } }
    userErrors { field code message }
  }
}"""


def order_input(external_id: str = "1001", amount: int = 12900, **extra: object) -> dict[str, Any]:
    value: dict[str, Any] = {
        "channel": "shopify",
        "externalId": external_id,
        "customer": {
            "identity": {"channel": "shopify", "externalId": "c-77"},
            "email": "ana@example.com",
        },
        "placedAt": "2026-11-20T10:00:00+00:00",
        "total": {"amount": amount, "currency": "EUR"},
        "lines": [
            {
                "sku": "TEE-1",
                "name": "Tee",
                "quantity": 1,
                "unitPrice": {"amount": amount, "currency": "EUR"},
            }
        ],
    }
    value.update(extra)
    return value


async def record(client: GraphQLClient, **kwargs: Any) -> dict[str, Any]:
    body = await client.execute(RECORD, {"input": order_input(**kwargs)})
    payload: dict[str, Any] = body["orderRecord"]
    return payload


async def test_the_api_example_creates_the_customer_and_the_order(admin: GraphQLClient) -> None:
    payload = await record(admin)
    assert payload["userErrors"] == []
    order = payload["order"]
    assert order["status"] == "PAID"
    assert order["total"] == {"amount": 12900, "currency": "EUR"}
    assert order["lines"] == [
        {"sku": "TEE-1", "quantity": 1, "unitPrice": {"amount": 12900}, "total": {"amount": 12900}}
    ]
    stats = order["customer"]["stats"]
    assert stats["ordersCount"] == 1
    assert stats["netSpent"] == {"amount": 12900, "currency": "EUR"}
    assert order["customer"]["email"] == "ana@example.com"


async def test_a_replay_changes_nothing_and_a_new_status_updates(admin: GraphQLClient) -> None:
    first = await record(admin)
    again = await record(admin)
    assert again["order"]["id"] == first["order"]["id"]
    assert again["order"]["customer"]["stats"]["ordersCount"] == 1
    cancelled = await record(admin, status="CANCELLED")
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["customer"]["stats"]["ordersCount"] == 0


async def test_a_replay_after_a_refund_made_here_changes_nothing(admin: GraphQLClient) -> None:
    # The channel keeps saying FULFILLED; the refund recorded here moved the order on.
    order_id = (await record(admin, status="FULFILLED"))["order"]["id"]
    refund_input = {
        "orderId": order_id,
        "amount": {"amount": 2900, "currency": "EUR"},
        "idempotencyKey": "r-1",
        "reason": "damaged",
    }
    refunded = (await admin.execute(REFUND, {"input": refund_input}))["orderRefund"]
    assert refunded["order"]["status"] == "PARTIALLY_REFUNDED"
    again = await record(admin, status="FULFILLED")
    assert again["userErrors"] == []
    assert again["order"]["id"] == order_id
    assert again["order"]["status"] == "PARTIALLY_REFUNDED"
    assert again["order"]["customer"]["stats"]["netSpent"]["amount"] == 10000


async def test_a_replay_with_other_content_is_refused(admin: GraphQLClient) -> None:
    await record(admin)
    changed = await record(admin, amount=5000)
    assert changed["order"] is None
    assert changed["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"


async def test_an_order_in_another_currency_needs_its_base_total(admin: GraphQLClient) -> None:
    payload = await record(admin, total={"amount": 10000, "currency": "USD"})
    assert payload["userErrors"][0]["code"] == "INVALID"
    ok = await record(
        admin,
        external_id="usd-2",
        total={"amount": 10000, "currency": "USD"},
        baseTotal={"amount": 9300, "currency": "EUR"},
        lines=[],
    )
    assert ok["order"]["baseTotal"] == {"amount": 9300}


async def test_partial_then_full_refund_and_refund_above_remaining(admin: GraphQLClient) -> None:
    order_id = (await record(admin))["order"]["id"]

    async def refund(amount: int, key: str) -> dict[str, Any]:
        body = await admin.execute(
            REFUND,
            {
                "input": {
                    "orderId": order_id,
                    "amount": {"amount": amount, "currency": "EUR"},
                    "idempotencyKey": key,
                    "reason": "damaged",
                }
            },
        )
        payload: dict[str, Any] = body["orderRefund"]
        return payload

    partial = await refund(2900, "r1")
    assert partial["order"]["status"] == "PARTIALLY_REFUNDED"
    assert partial["order"]["refundable"] == {"amount": 10000}
    assert partial["order"]["customer"]["stats"] == {
        "netSpent": {"amount": 10000},
        "refundsCount": 1,
    }
    replay = await refund(2900, "r1")
    assert len(replay["order"]["refunds"]) == 1
    too_much = await refund(10001, "r2")
    assert too_much["userErrors"][0]["code"] == "CONFLICT"
    assert "10000" in too_much["userErrors"][0]["message"]
    full = await refund(10000, "r3")
    assert full["order"]["status"] == "REFUNDED"
    assert full["order"]["refundable"] == {"amount": 0}


async def test_refunding_an_unknown_order_is_not_found(admin: GraphQLClient) -> None:
    from api.relay import encode_id
    from domain.ids import new_id

    body = await admin.execute(
        REFUND,
        {
            "input": {
                "orderId": str(encode_id("Order", new_id())),
                "amount": {"amount": 1, "currency": "EUR"},
                "idempotencyKey": "k",
            }
        },
    )
    assert body["orderRefund"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_twenty_identical_orders_in_parallel_make_one(
    admin: GraphQLClient, services: Services
) -> None:
    if services.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is PostgreSQL's; SQLite serialises writers")
    results = await asyncio.gather(
        *(admin.execute(RECORD, {"input": order_input("race")}) for _ in range(20))
    )
    ids = {r["orderRecord"]["order"]["id"] for r in results}
    assert len(ids) == 1
    body = await admin.execute(
        "{ customers { totalCount nodes { stats { ordersCount } orders { totalCount } } } }"
    )
    assert body["customers"]["totalCount"] == 1
    assert body["customers"]["nodes"][0]["stats"]["ordersCount"] == 1
    assert body["customers"]["nodes"][0]["orders"]["totalCount"] == 1


async def test_the_widest_lines_are_stored_and_wider_ones_refused(admin: GraphQLClient) -> None:
    # The limits are the order_lines columns' widths (sku 100, name 255, category 100).
    line = {
        "sku": "S" * 100,
        "name": "N" * 255,
        "category": "C" * 100,
        "quantity": 1,
        "unitPrice": {"amount": 500, "currency": "EUR"},
    }
    widest = await record(admin, amount=500, lines=[line])
    assert widest["userErrors"] == []
    assert widest["order"]["lines"][0]["sku"] == "S" * 100
    for name, width in (("sku", 100), ("name", 255), ("category", 100)):
        wider = await record(
            admin, external_id=f"w-{name}", amount=500, lines=[{**line, name: "x" * (width + 1)}]
        )
        assert wider["order"] is None
        assert wider["userErrors"][0]["field"][-1] == name, wider


async def test_a_currency_is_three_letters_and_nothing_more(admin: GraphQLClient) -> None:
    # The currency columns hold three characters: "EUR\n" used to pass the pattern and fail
    # the write on PostgreSQL.
    widest = await record(admin, external_id="cur-1", amount=500)
    assert widest["userErrors"] == []
    assert widest["order"]["total"] == {"amount": 500, "currency": "EUR"}
    for currency in ("EUR\n", "EURO"):
        wider = await record(
            admin,
            external_id=f"cur-{currency.strip()}",
            amount=500,
            total={"amount": 500, "currency": currency},
            baseTotal={"amount": 500, "currency": "EUR"},
            lines=[],
        )
        assert wider["order"] is None
        assert wider["userErrors"][0]["field"][-1] == "currency", wider


async def test_an_unknown_currency_is_refused(admin: GraphQLClient) -> None:
    # Three letters are not enough: an unknown code would silently get two decimals.
    payload = await record(
        admin,
        external_id="zzz-1",
        total={"amount": 1000, "currency": "ZZZ"},
        baseTotal={"amount": 1000, "currency": "EUR"},
        lines=[],
    )
    assert payload["order"] is None
    [error] = payload["userErrors"]
    assert error["field"][-2:] == ["total", "currency"], error
    assert "ISO 4217" in error["message"]
    known = await record(
        admin,
        external_id="jpy-1",
        total={"amount": 1500, "currency": "JPY"},
        baseTotal={"amount": 930, "currency": "EUR"},
        lines=[],
    )
    assert known["userErrors"] == []
