"""pointsRedeem and pointsAdjust through the API: FIFO, refusals, dry runs, replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import decode_id, encode_id
from domain.access.model import Role
from persistence.tables.access import idempotency_records
from tests.api.loyalty.support import (
    ADJUST,
    REDEEM,
    SIGNUP_BONUS,
    adjust,
    ledger,
    new_customer,
    new_ticket,
    redeem,
    stored_balance,
    token_for,
)
from tests.conftest import GraphQLClient, make_api_key


async def test_a_redemption_spends_the_oldest_points_first(admin: GraphQLClient) -> None:
    # Given the sign-up bonus (100, earned first) and 500 added later
    customer = await new_customer(admin)
    added = await adjust(admin, customerId=customer, points=500)
    assert added["balance"] == SIGNUP_BONUS + 500
    assert added["transaction"]["kind"] == "ADJUST"
    assert added["lots"][0]["points"] == 500

    # When 300 are redeemed
    payload = await redeem(admin, customerId=customer, points=300, reason="voucher")

    # Then the bonus lot is emptied first, then 200 come from the newer lot
    assert payload["userErrors"] == []
    assert payload["balance"] == 300 and payload["delta"] == -300
    assert payload["transaction"]["kind"] == "REDEEM"
    assert payload["transaction"]["points"] == -300
    assert payload["transaction"]["reason"] == "voucher"
    assert [lot["points"] for lot in payload["lots"]] == [SIGNUP_BONUS, 200]
    assert payload["lots"][1]["lotId"] == added["lots"][0]["lotId"]
    assert payload["transaction"]["lots"] == [
        {"lotId": lot["lotId"], "points": lot["points"]} for lot in payload["lots"]
    ]


async def test_more_than_the_balance_is_insufficient_points(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    payload = await redeem(admin, customerId=customer, points=SIGNUP_BONUS + 1)
    assert payload["balance"] is None and payload["transaction"] is None
    assert payload["userErrors"] == [
        {
            "field": ["points"],
            "code": "INSUFFICIENT_POINTS",
            "message": f"{SIGNUP_BONUS + 1} points requested but the balance is {SIGNUP_BONUS}",
        }
    ]
    assert await stored_balance(engine, customer) == SIGNUP_BONUS
    taken = await adjust(admin, customerId=customer, points=-(SIGNUP_BONUS + 1))
    assert taken["userErrors"][0]["code"] == "INSUFFICIENT_POINTS"


async def test_a_dry_run_previews_and_changes_nothing(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    before = await ledger(engine, customer)

    preview = await redeem(admin, customerId=customer, points=40, dryRun=True)
    credit = await adjust(
        admin,
        customerId=customer,
        points=70,
        dryRun=True,
        expiresAt="2031-01-01T00:00:00+00:00",
    )

    assert preview["dryRun"] is True and preview["transaction"] is None
    assert preview["balance"] == SIGNUP_BONUS - 40
    assert [lot["points"] for lot in preview["lots"]] == [40]
    assert credit["balance"] == SIGNUP_BONUS + 70
    assert credit["lots"][0]["points"] == 70
    assert credit["lots"][0]["expiresAt"] == "2031-01-01T00:00:00+00:00"
    assert await ledger(engine, customer) == before
    assert await stored_balance(engine, customer) == SIGNUP_BONUS


async def test_a_dry_run_leaves_its_key_free_for_the_real_call(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    # A client previews, then confirms with the same key: the confirmation is carried out.
    customer = await new_customer(admin)
    for literal in (False, True):
        key = f"preview-then-do-{literal}"
        if literal:  # dryRun written in the document rather than passed in the variables
            body = await admin.execute(
                "mutation($c: ID!, $k: String) { pointsRedeem(input: {customerId: $c, "
                "points: 10, dryRun: true, idempotencyKey: $k}) { balance dryRun "
                "userErrors { code } } }",
                {"c": customer, "k": key},
            )
            preview = body["pointsRedeem"]
        else:
            preview = await redeem(
                admin, customerId=customer, points=10, dryRun=True, idempotencyKey=key
            )
        assert preview["dryRun"] is True and preview["userErrors"] == []
        done = await redeem(admin, customerId=customer, points=10, idempotencyKey=key)
        assert done["userErrors"] == [], done
        assert done["dryRun"] is False and done["transaction"] is not None
    assert await stored_balance(engine, customer) == SIGNUP_BONUS - 20


async def test_a_replay_returns_the_first_response_and_writes_nothing(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    variables = {"input": {"customerId": customer, "points": 30, "idempotencyKey": "r-1"}}
    first = await admin.execute(REDEEM, variables)
    entries = await ledger(engine, customer)

    # A retry while the stored response is kept, and one after it is gone: the ledger
    # itself knows the key and answers with the entry it wrote the first time.
    again = await admin.execute(REDEEM, variables)
    async with engine.begin() as conn:
        await conn.execute(delete(idempotency_records))
    after_purge = await admin.execute(REDEEM, variables)

    assert again == first
    assert after_purge == first
    assert await ledger(engine, customer) == entries
    assert await stored_balance(engine, customer) == SIGNUP_BONUS - 30


async def test_the_same_key_with_other_arguments_is_refused(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    await redeem(admin, customerId=customer, points=30, idempotencyKey="c-1")
    entries = await ledger(engine, customer)

    stored = await redeem(admin, customerId=customer, points=31, idempotencyKey="c-1")
    async with engine.begin() as conn:
        await conn.execute(delete(idempotency_records))
    in_ledger = await redeem(admin, customerId=customer, points=31, idempotencyKey="c-1")

    for payload in (stored, in_ledger):
        assert payload["balance"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["idempotencyKey"], "IDEMPOTENCY_CONFLICT")
        ]
    assert await ledger(engine, customer) == entries


async def test_keys_are_per_caller(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    # Two callers using the same key do two different things.
    customer = await new_customer(admin)
    storefront = gql.as_(await make_api_key(services, Role.STOREFRONT))
    first = await redeem(admin, customerId=customer, points=10, idempotencyKey="same")
    second = await redeem(storefront, customerId=customer, points=20, idempotencyKey="same")
    assert first["balance"] == SIGNUP_BONUS - 10
    assert second["balance"] == SIGNUP_BONUS - 30


async def test_a_points_change_needs_an_idempotency_key(admin: GraphQLClient) -> None:
    customer = await new_customer(admin)
    body = await admin.execute(REDEEM, {"input": {"customerId": customer, "points": 1}})
    assert body["pointsRedeem"]["userErrors"][0]["field"] == ["idempotencyKey"]
    assert body["pointsRedeem"]["userErrors"][0]["code"] == "INVALID"
    by_header = await admin.execute(
        REDEEM,
        {"input": {"customerId": customer, "points": 1}},
        headers={"Idempotency-Key": "h-1"},
    )
    assert by_header["pointsRedeem"]["balance"] == SIGNUP_BONUS - 1


async def test_a_dry_run_needs_no_idempotency_key(
    services: Services, admin: GraphQLClient, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    app = gql.as_(token_for(services, customer))
    before = await ledger(engine, customer)

    # Given no key, in the input or the header, When the calls are previews
    previews = [
        (await client.execute(REDEEM, {"input": fields}))["pointsRedeem"]
        for client, fields in (
            (admin, {"customerId": customer, "points": 40, "dryRun": True}),
            (app, {"points": 40, "dryRun": True}),
        )
    ]
    credit = (
        await admin.execute(
            ADJUST,
            {"input": {"customerId": customer, "points": 5, "reason": "x", "dryRun": True}},
        )
    )["pointsAdjust"]

    # Then they answer, and nothing changed
    for preview in previews:
        assert preview["userErrors"] == []
        assert preview["dryRun"] is True and preview["balance"] == SIGNUP_BONUS - 40
    assert credit["userErrors"] == [] and credit["balance"] == SIGNUP_BONUS + 5
    assert await ledger(engine, customer) == before
    real = (await admin.execute(REDEEM, {"input": {"customerId": customer, "points": 40}}))[
        "pointsRedeem"
    ]
    assert real["userErrors"][0]["field"] == ["idempotencyKey"]


async def test_a_dry_run_under_a_key_is_never_replayed_for_a_real_change(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer = await new_customer(admin)
    preview = await redeem(admin, customerId=customer, points=40, dryRun=True, idempotencyKey="d")
    assert preview["dryRun"] is True

    # The ledger stored nothing under the key: once the stored responses are gone (or
    # from another caller's point of view), the real change happens.
    async with engine.begin() as conn:
        await conn.execute(delete(idempotency_records))
    real = await redeem(admin, customerId=customer, points=40, idempotencyKey="d")

    assert real["userErrors"] == [] and real["dryRun"] is False
    assert real["transaction"]["points"] == -40
    assert await stored_balance(engine, customer) == SIGNUP_BONUS - 40


async def test_a_customer_token_redeems_only_its_own_points(
    services: Services, admin: GraphQLClient, gql: GraphQLClient, engine: AsyncEngine
) -> None:
    mine, theirs = await new_customer(admin), await new_customer(admin)
    app = gql.as_(token_for(services, mine))

    own = await redeem(app, points=25)
    same_id = await redeem(app, customerId=mine, points=5)
    other = await redeem(app, customerId=theirs, points=25)

    assert own["balance"] == SIGNUP_BONUS - 25
    assert same_id["balance"] == SIGNUP_BONUS - 30
    assert other["balance"] is None
    assert [(e["field"], e["code"]) for e in other["userErrors"]] == [(["customerId"], "FORBIDDEN")]
    assert await stored_balance(engine, theirs) == SIGNUP_BONUS


async def test_an_api_key_names_the_customer_and_it_must_exist(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    storefront = gql.as_(await make_api_key(services, Role.STOREFRONT))
    unnamed = await redeem(storefront, points=1)
    unknown = await redeem(storefront, customerId=str(encode_id("Customer", uuid4())), points=1)
    malformed = await redeem(storefront, customerId="nonsense", points=1)
    assert unnamed["userErrors"][0]["field"] == ["customerId"]
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert malformed["userErrors"][0]["code"] == "INVALID_ID"


async def test_adjustments_are_for_admin_and_support_with_a_reason(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    customer = await new_customer(admin)
    support = gql.as_(await make_api_key(services, Role.SUPPORT))
    storefront = gql.as_(await make_api_key(services, Role.STOREFRONT))
    app = gql.as_(token_for(services, customer))

    blank = await adjust(support, customerId=customer, points=10, reason="  ")
    zero = await adjust(support, customerId=customer, points=0)
    ticket = await new_ticket(support, customer)
    goodwill = await adjust(support, customerId=customer, points=10, ticketId=ticket)
    variables = {
        "input": {"customerId": customer, "points": 10, "reason": "x", "idempotencyKey": "k"}
    }
    refused = [(await client.post(ADJUST, variables)).json() for client in (storefront, app)]

    assert blank["userErrors"][0]["field"] == ["reason"]
    assert zero["userErrors"][0]["code"] == "INVALID"
    ticket_id = decode_id(ticket, "Ticket")
    assert goodwill["transaction"]["source"] == {"kind": "TICKET", "id": str(ticket_id)}
    assert goodwill["balance"] == SIGNUP_BONUS + 10
    for body in refused:
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_adjustment_names_only_a_ticket_of_its_customer(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    a, b = await new_customer(admin), await new_customer(admin)
    b_ticket = await new_ticket(admin, b)
    before = await ledger(engine, a)

    # Given B's ticket, When A is credited "for" it (or for a ticket that does not exist)
    theirs = await adjust(admin, customerId=a, points=5, reason="x", ticketId=b_ticket)
    preview = await adjust(admin, customerId=a, points=5, ticketId=b_ticket, dryRun=True)
    missing = await adjust(
        admin, customerId=a, points=5, ticketId=str(encode_id("Ticket", uuid4()))
    )

    # Then it is refused at ticketId, and A's ledger names no ticket of B's
    for payload, code in ((theirs, "INVALID"), (preview, "INVALID"), (missing, "NOT_FOUND")):
        assert payload["balance"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["ticketId"], code)]
    assert await ledger(engine, a) == before


async def test_after_a_merge_the_winner_is_credited_for_the_losers_ticket(
    admin: GraphQLClient,
) -> None:
    # Merges move tickets to the winner; the loser's id resolves to the winner.
    winner, loser = await new_customer(admin), await new_customer(admin)
    ticket = await new_ticket(admin, loser)
    merged = await admin.execute(
        """mutation($input: CustomerMergeInput!) {
             customerMerge(input: $input) { userErrors { code message } } }""",
        {"input": {"winnerId": winner, "loserId": loser}},
    )
    assert merged["customerMerge"]["userErrors"] == []

    by_winner = await adjust(admin, customerId=winner, points=5, ticketId=ticket)
    by_loser = await adjust(admin, customerId=loser, points=5, ticketId=ticket)

    assert by_winner["userErrors"] == [] and by_loser["userErrors"] == []
    assert by_loser["balance"] == by_winner["balance"] + 5


async def test_added_points_expire_as_asked(admin: GraphQLClient) -> None:
    customer = await new_customer(admin)
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    payload = await adjust(admin, customerId=customer, points=20, expiresAt=soon.isoformat())
    past = await adjust(admin, customerId=customer, points=20, expiresAt="2020-01-01T00:00:00Z")
    assert payload["lots"][0]["expiresAt"] == soon.isoformat()
    assert past["userErrors"][0]["field"] == ["expiresAt"]


NODE = """query($id: ID!) { node(id: $id) { ... on PointsTransaction { id kind points } } }"""


async def test_a_customer_token_sees_only_its_own_ledger_entries(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    mine, theirs = await new_customer(admin), await new_customer(admin)
    entry = (await redeem(admin, customerId=theirs, points=1))["transaction"]["id"]
    own_entry = (await redeem(admin, customerId=mine, points=1))["transaction"]["id"]
    app = gql.as_(token_for(services, mine))

    assert (await app.execute(NODE, {"id": entry}))["node"] is None
    assert (await app.execute(NODE, {"id": own_entry}))["node"]["kind"] == "REDEEM"
    assert (await admin.execute(NODE, {"id": entry}))["node"]["points"] == -1
    actor = await app.post(
        """query($id: ID!) { node(id: $id) { ... on PointsTransaction { kind actor } } }""",
        {"id": own_entry},
    )
    assert actor.json() == {"data": {"node": {"kind": "REDEEM", "actor": None}}}


ME_LEDGER = """
query { me { id points { balance transactions(first: 5) { nodes { kind points actor } } } } }
"""


async def test_who_made_an_entry_is_null_for_a_customer_and_the_rest_of_me_answers(
    services: Services, admin: GraphQLClient, gql: GraphQLClient
) -> None:
    customer = await new_customer(admin)
    await adjust(admin, customerId=customer, points=5)
    app = gql.as_(token_for(services, customer))

    response = (await app.post(ME_LEDGER)).json()

    assert "errors" not in response, response
    me = response["data"]["me"]
    assert me["id"] == customer and me["points"]["balance"] == SIGNUP_BONUS + 5
    assert [(n["kind"], n["actor"]) for n in me["points"]["transactions"]["nodes"]] == [
        ("ADJUST", None),
        ("EARN", None),
    ]
    redeemed = (
        await app.post(
            """mutation { pointsRedeem(input: {points: 1, idempotencyKey: "a-1"}) {
                 transaction { kind actor } userErrors { code } } }"""
        )
    ).json()
    assert redeemed == {
        "data": {
            "pointsRedeem": {"transaction": {"kind": "REDEEM", "actor": None}, "userErrors": []}
        }
    }
    storefront = gql.as_(await make_api_key(services, Role.STOREFRONT))
    seen_by_storefront = await storefront.execute(
        "query($id: ID!) { customer(id: $id) { points { transactions { nodes { actor } } } } }",
        {"id": customer},
    )
    nodes = seen_by_storefront["customer"]["points"]["transactions"]["nodes"]
    assert {n["actor"] for n in nodes} == {None}
    seen_by_staff = await admin.execute(
        "query($id: ID!) { customer(id: $id) { points { transactions { nodes { actor } } } } }",
        {"id": customer},
    )
    actors = [n["actor"] for n in seen_by_staff["customer"]["points"]["transactions"]["nodes"]]
    assert [a.split(":")[0] for a in actors] == ["customer", "api_key", "system"]
