"""Merging, unmerging, erasing and exporting customers; batch behaviour events."""

from __future__ import annotations

from typing import Any

import pytest

from api.context import Services
from tests.api.customers.test_customers import create
from tests.api.customers.test_orders import RECORD, order_input
from tests.conftest import GraphQLClient

MERGE = """
mutation($input: CustomerMergeInput!) {
  customerMerge(input: $input) {
    preview { moves { participant kind count } blockers }
    merge { id loserId winnerId }
    customer { id email identities { externalId } stats { ordersCount } orders { totalCount } }
    userErrors { field code message }
  }
}"""

EVENTS = """
mutation($input: EventsRecordInput!) {
  eventsRecord(input: $input) { recorded eventIds userErrors { field code message } }
}"""


async def _two_records(admin: GraphQLClient) -> tuple[str, str]:
    winner = (
        await create(
            admin,
            email="winner@example.com",
            identities=[{"channel": "shopify", "externalId": "w"}],
        )
    )["customer"]
    loser = (
        await create(
            admin, email="loser@example.com", identities=[{"channel": "pos", "externalId": "l"}]
        )
    )["customer"]
    order = order_input("m-1")
    order["customer"] = {"id": loser["id"]}
    await admin.execute(RECORD, {"input": order})
    return winner["id"], loser["id"]


async def test_a_dry_run_previews_and_changes_nothing(admin: GraphQLClient) -> None:
    winner, loser = await _two_records(admin)
    body = await admin.execute(
        MERGE, {"input": {"loserId": loser, "winnerId": winner, "dryRun": True}}
    )
    payload = body["customerMerge"]
    assert payload["merge"] is None
    moves = {(m["participant"], m["kind"]): m["count"] for m in payload["preview"]["moves"]}
    assert moves[("orders", "orders")] == 1
    assert payload["customer"]["stats"]["ordersCount"] == 0
    found = await admin.execute("query($id: ID) { customer(id: $id) { id } }", {"id": loser})
    assert found["customer"] == {"id": loser}


async def test_a_merge_moves_records_and_the_loser_answers_the_winner(admin: GraphQLClient) -> None:
    winner, loser = await _two_records(admin)
    body = await admin.execute(MERGE, {"input": {"loserId": loser, "winnerId": winner}})
    payload = body["customerMerge"]
    assert payload["userErrors"] == []
    assert payload["customer"]["stats"]["ordersCount"] == 1
    assert sorted(i["externalId"] for i in payload["customer"]["identities"]) == ["l", "w"]
    found = await admin.execute("query($id: ID) { customer(id: $id) { id email } }", {"id": loser})
    assert found["customer"] == {"id": winner, "email": "winner@example.com"}
    listed = await admin.execute("{ customers { totalCount } }")
    assert listed["customers"]["totalCount"] == 1

    undone = await admin.execute(
        "mutation($id: ID!) { customerUnmerge(input: {mergeId: $id}) { merge { undoneAt } userErrors { code } } }",
        {"id": payload["merge"]["id"]},
    )
    assert undone["customerUnmerge"]["merge"]["undoneAt"] is not None
    back = await admin.execute(
        "query($id: ID) { customer(id: $id) { id stats { ordersCount } } }", {"id": loser}
    )
    assert back["customer"] == {"id": loser, "stats": {"ordersCount": 1}}


async def test_merging_a_customer_into_itself_is_refused(admin: GraphQLClient) -> None:
    winner, _ = await _two_records(admin)
    body = await admin.execute(MERGE, {"input": {"loserId": winner, "winnerId": winner}})
    assert body["customerMerge"]["userErrors"][0]["code"] == "INVALID"


async def test_erase_scrubs_personal_data_keeps_orders_and_is_idempotent(
    admin: GraphQLClient,
) -> None:
    _, loser = await _two_records(admin)
    erase = "mutation($id: ID!) { customerErase(input: {customerId: $id}) { customer { email firstName erasedAt identities { channel } stats { ordersCount } } userErrors { code } } }"
    first = (await admin.execute(erase, {"id": loser}))["customerErase"]
    assert first["customer"]["email"] is None
    assert first["customer"]["erasedAt"] is not None
    assert first["customer"]["identities"] == []
    assert first["customer"]["stats"]["ordersCount"] == 1
    again = (await admin.execute(erase, {"id": loser}))["customerErase"]
    assert again["userErrors"] == []
    assert (await admin.execute('query { customer(email: "loser@example.com") { id } }'))[
        "customer"
    ] is None


async def test_export_holds_everything_about_the_customer(admin: GraphQLClient) -> None:
    _, loser = await _two_records(admin)
    body = await admin.execute(
        "mutation($id: ID!) { customerExport(input: {customerId: $id}) { data userErrors { code } } }",
        {"id": loser},
    )
    data = body["customerExport"]["data"]
    assert data["customer"]["email"] == "loser@example.com"
    assert len(data["orders"]) == 1
    assert (
        data["identities"][0]["externalId"] == "l"
        or data["identities"][0].get("external_id") == "l"
    )


async def test_events_are_validated_one_by_one(admin: GraphQLClient) -> None:
    customer = {"email": "events@example.com"}
    body = await admin.execute(
        EVENTS,
        {
            "input": {
                "events": [
                    {"kind": "PAGE_VIEW", "customer": customer, "url": "https://shop.example/a"},
                    {"kind": "REVIEW_POSTED", "customer": customer, "rating": 9},
                    {"kind": "CUSTOM", "customer": customer},
                    {"kind": "ADD_TO_CART", "customer": customer, "sku": "TEE-1", "quantity": 2},
                    {
                        "kind": "PRODUCT_VIEW",
                        "customer": customer,
                        "sku": "TEE-1",
                        "orderId": "garbage",
                    },
                ]
            }
        },
    )
    payload = body["eventsRecord"]
    assert payload["recorded"] == 2
    assert [e["field"][:2] for e in payload["userErrors"]] == [
        ["events", "1"],
        ["events", "2"],
        ["events", "4"],
    ]
    assert payload["userErrors"][0]["field"] == ["events", "1", "rating"]
    listed = await admin.execute(
        '{ customer(email: "events@example.com") { events { totalCount nodes { kind } } } }'
    )
    assert listed["customer"]["events"]["totalCount"] == 2


async def test_more_than_a_thousand_events_are_refused(admin: GraphQLClient) -> None:
    events = [{"kind": "PAGE_VIEW", "customer": {"email": "many@example.com"}}] * 1001
    body = await admin.execute(EVENTS, {"input": {"events": events}})
    assert body["eventsRecord"]["userErrors"][0]["field"] == ["events"]
    assert body["eventsRecord"]["recorded"] == 0


async def test_a_long_history_is_exported_as_a_job(
    admin: GraphQLClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.customers.privacy_mutations as mutations
    from jobs import runtime
    from jobs.context import JobServices
    from jobs.customers import export

    _, loser = await _two_records(admin)
    monkeypatch.setattr(mutations, "EXPORT_INLINE_LIMIT", 0)
    sent: list[tuple[str, dict[str, Any]]] = []
    services.send_job = lambda actor, **kwargs: sent.append((actor, kwargs))
    body = await admin.execute(
        "mutation($id: ID!) { customerExport(input: {customerId: $id}) { data job { id status kind } } }",
        {"id": loser},
    )
    payload = body["customerExport"]
    assert payload["data"] is None
    assert payload["job"]["status"] == "QUEUED"
    assert sent[0][0] == "customers.export"
    # Run the actor as a worker would, on this database.
    runtime.configure(
        lambda: JobServices(
            settings=services.settings,
            engine=services.engine,
            handlers=services.handlers,
            publisher=services.publisher,
            clock=services.clock,
            participants=services.participants,
        )
    )
    await export(**sent[0][1])
    done = await admin.execute(
        "query($id: ID!) { job(id: $id) { status result } }", {"id": payload["job"]["id"]}
    )
    assert done["job"]["status"] == "SUCCEEDED"
    assert done["job"]["result"]["customer"]["email"] == "loser@example.com"


async def test_the_widest_custom_event_name_is_stored_and_wider_ones_refused(
    admin: GraphQLClient,
) -> None:
    # The limit is the width of activity_events.name (100): a name with a trailing newline
    # used to pass the pattern and fail the write on PostgreSQL.
    customer = {"email": "named-events@example.com"}
    names = ["E" * 100, "E" * 100 + "\n", "E" * 101]
    body = await admin.execute(
        EVENTS,
        {"input": {"events": [{"kind": "CUSTOM", "customer": customer, "name": n} for n in names]}},
    )
    payload = body["eventsRecord"]
    assert payload["recorded"] == 1
    assert [e["field"] for e in payload["userErrors"]] == [
        ["events", "1", "name"],
        ["events", "2", "name"],
    ]
    listed = await admin.execute(
        '{ customer(email: "named-events@example.com") { events { nodes { name } } } }'
    )
    assert listed["customer"]["events"]["nodes"] == [{"name": "E" * 100}]
