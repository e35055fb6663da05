"""Customers through the API: create, update, identities, consent, lookups, tokens."""

from __future__ import annotations

from typing import Any

from api.context import Services
from domain.access.model import Role
from tests.conftest import GraphQLClient, make_api_key

CREATE = """
mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) {
    customer { id email phone firstName lastName country identities { channel externalId } }
    userErrors { field code message }
  }
}"""

UPDATE = """
mutation($input: CustomerUpdateInput!) {
  customerUpdate(input: $input) {
    customer { id email phone firstName lastName city metadata }
    userErrors { field code message }
  }
}"""


async def create(client: GraphQLClient, **fields: object) -> dict[str, Any]:
    body = await client.execute(CREATE, {"input": fields})
    payload: dict[str, Any] = body["customerCreate"]
    return payload


async def test_a_customer_is_created_with_normalised_fields(admin: GraphQLClient) -> None:
    payload = await create(
        admin,
        email="Ana.Lima@Example.com",
        phone="06 12 34 56 78",
        phoneRegion="FR",
        firstName="Ana",
        country="fr",
        identities=[{"channel": "Shopify", "externalId": "c-77"}],
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer["phone"] == "+33612345678"
    assert customer["country"] == "FR"
    assert customer["identities"] == [{"channel": "shopify", "externalId": "c-77"}]


async def test_an_invalid_email_is_a_user_error_with_its_field(admin: GraphQLClient) -> None:
    payload = await create(admin, email="not-an-email")
    assert payload["customer"] is None
    assert payload["userErrors"][0]["field"] == ["email"]
    assert payload["userErrors"][0]["code"] == "INVALID"


async def test_an_invalid_phone_is_a_user_error_with_its_field(admin: GraphQLClient) -> None:
    payload = await create(admin, phone="12")
    assert payload["userErrors"][0]["field"] == ["phone"]


async def test_the_widest_names_are_stored_and_wider_ones_refused(admin: GraphQLClient) -> None:
    # The limits are the columns' widths: on PostgreSQL a wider value would fail the write.
    widest = await create(admin, firstName="a" * 100, lastName="b" * 100, city="c" * 100)
    assert widest["userErrors"] == []
    assert widest["customer"]["firstName"] == "a" * 100
    wider = await create(admin, city="c" * 101)
    assert wider["customer"] is None
    assert wider["userErrors"][0]["field"] == ["city"]
    assert "100" in wider["userErrors"][0]["message"]


async def test_a_duplicate_email_is_refused_case_insensitively(admin: GraphQLClient) -> None:
    await create(admin, email="dup@example.com")
    payload = await create(admin, email="DUP@example.com")
    assert payload["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert payload["userErrors"][0]["field"] == ["email"]


async def test_a_duplicate_identity_is_refused(admin: GraphQLClient) -> None:
    await create(admin, identities=[{"channel": "pos", "externalId": "card-1"}])
    payload = await create(admin, identities=[{"channel": "pos", "externalId": "card-1"}])
    assert payload["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert payload["userErrors"][0]["field"][:2] == ["identities", "0"]


async def test_update_keeps_omitted_fields_and_clears_explicit_nulls(admin: GraphQLClient) -> None:
    created = (
        await create(admin, email="u@example.com", firstName="Ana", lastName="Lima", city="Lyon")
    )["customer"]
    body = await admin.execute(
        UPDATE,
        {
            "input": {
                "id": created["id"],
                "lastName": None,
                "city": "Paris",
                "metadata": {"vip": True},
            }
        },
    )
    customer = body["customerUpdate"]["customer"]
    assert customer["firstName"] == "Ana"
    assert customer["lastName"] is None
    assert customer["city"] == "Paris"
    assert customer["metadata"] == {"vip": True}


async def test_metadata_integers_are_held_to_the_safe_range(admin: GraphQLClient) -> None:
    # A wider integer would be stored, then make the customer unreadable (the response
    # encoder stops at 64 bits) and lose digits in JavaScript clients.
    created = (await create(admin, email="big@example.com"))["customer"]
    widest = 2**53 - 1
    body = await admin.execute(
        UPDATE, {"input": {"id": created["id"], "metadata": {"n": widest, "m": -widest}}}
    )
    assert body["customerUpdate"]["customer"]["metadata"] == {"n": widest, "m": -widest}
    for wider in (2**53, 2**70):
        body = await admin.execute(
            UPDATE, {"input": {"id": created["id"], "metadata": {"n": {"deep": [wider]}}}}
        )
        payload = body["customerUpdate"]
        assert payload["customer"] is None
        assert payload["userErrors"][0]["field"][:2] == ["metadata", "n"]
    read = await admin.execute(
        "query($id: ID!) { customer(id: $id) { metadata } }", {"id": created["id"]}
    )
    assert read["customer"]["metadata"] == {"n": widest, "m": -widest}


async def test_updating_an_unknown_customer_is_not_found(admin: GraphQLClient) -> None:
    from api.relay import encode_id
    from domain.ids import new_id

    body = await admin.execute(
        UPDATE, {"input": {"id": str(encode_id("Customer", new_id())), "city": "X"}}
    )
    assert body["customerUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_lookup_by_id_email_and_identity(admin: GraphQLClient) -> None:
    created = (
        await create(
            admin, email="find@example.com", identities=[{"channel": "tmall", "externalId": "nick"}]
        )
    )["customer"]
    query = "query($id: ID, $email: String, $identity: IdentityInput) { customer(id: $id, email: $email, identity: $identity) { id } }"
    for variables in (
        {"id": created["id"]},
        {"email": "FIND@example.com"},
        {"identity": {"channel": "tmall", "externalId": "nick"}},
    ):
        assert (await admin.execute(query, variables))["customer"] == {"id": created["id"]}
    assert (await admin.execute(query, {"email": "nobody@example.com"}))["customer"] is None


async def test_consent_is_a_log_whose_latest_change_wins(admin: GraphQLClient) -> None:
    created = (await create(admin, email="c@example.com"))["customer"]
    mutation = """mutation($input: CustomerConsentSetInput!) { customerConsentSet(input: $input) {
        customer { consents { email { state optInLevel source } history { state } } } userErrors { code } } }"""
    await admin.execute(
        mutation,
        {
            "input": {
                "customerId": created["id"],
                "channel": "EMAIL",
                "state": "SUBSCRIBED",
                "source": "form",
            }
        },
    )
    body = await admin.execute(
        mutation,
        {
            "input": {
                "customerId": created["id"],
                "channel": "EMAIL",
                "state": "UNSUBSCRIBED",
                "source": "link",
            }
        },
    )
    consents = body["customerConsentSet"]["customer"]["consents"]
    assert consents["email"] == {"state": "UNSUBSCRIBED", "optInLevel": None, "source": "link"}
    assert [h["state"] for h in consents["history"]] == ["SUBSCRIBED", "UNSUBSCRIBED"]


async def test_a_storefront_issues_a_customer_token_that_sees_only_its_customer(
    admin: GraphQLClient, services: Services
) -> None:
    mine = (await create(admin, email="me@example.com", firstName="Me"))["customer"]
    other = (await create(admin, email="other@example.com"))["customer"]
    storefront = admin.as_(await make_api_key(services, Role.STOREFRONT))
    body = await storefront.execute(
        "mutation($id: ID!) { customerTokenCreate(input: {customerId: $id}) { token { token expiresAt } userErrors { code } } }",
        {"id": mine["id"]},
    )
    token = body["customerTokenCreate"]["token"]["token"]
    customer = admin.as_(token)
    assert (await customer.execute("{ me { id firstName } }"))["me"] == {
        "id": mine["id"],
        "firstName": "Me",
    }
    seen = await customer.execute(
        "query($id: ID) { customer(id: $id) { id } }", {"id": other["id"]}
    )
    assert seen["customer"] is None
    node = await customer.execute("query($id: ID!) { node(id: $id) { id } }", {"id": other["id"]})
    assert node["node"] is None
    refused = (await customer.post("{ customers { totalCount } }")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    updated = await customer.execute(UPDATE, {"input": {"id": other["id"], "city": "Hacked"}})
    assert updated["customerUpdate"]["userErrors"][0]["code"] == "FORBIDDEN"
    own = await customer.execute(UPDATE, {"input": {"city": "Nantes"}})
    assert own["customerUpdate"]["customer"]["city"] == "Nantes"


async def test_a_token_for_an_unknown_customer_is_refused(admin: GraphQLClient) -> None:
    from api.relay import encode_id
    from domain.ids import new_id

    body = await admin.execute(
        "mutation($id: ID!) { customerTokenCreate(input: {customerId: $id}) { token { token } userErrors { code field } } }",
        {"id": str(encode_id("Customer", new_id()))},
    )
    assert body["customerTokenCreate"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": ["customerId"]}
    ]


async def test_an_analyst_sees_masked_personal_data(
    admin: GraphQLClient, services: Services
) -> None:
    created = (
        await create(admin, email="private@example.com", firstName="Private", phone="+33612345678")
    )["customer"]
    analyst = admin.as_(await make_api_key(services, Role.ANALYST))
    body = await analyst.execute(
        "query($id: ID) { customer(id: $id) { email firstName phone } }", {"id": created["id"]}
    )
    assert body["customer"] == {
        "email": "p***@example.com",
        "firstName": "P***",
        "phone": "+33*******78",
    }


async def test_customers_are_listed_and_sorted(admin: GraphQLClient) -> None:
    for name in ("Carla", "Ana", "Bea"):
        await create(admin, firstName=name, lastName=name)
    body = await admin.execute("{ customers(sortKey: NAME) { totalCount nodes { lastName } } }")
    assert [n["lastName"] for n in body["customers"]["nodes"]] == ["Ana", "Bea", "Carla"]
    body = await admin.execute(
        "{ customers(sortKey: NAME, reverse: true, first: 1) { nodes { lastName } } }"
    )
    assert body["customers"]["nodes"] == [{"lastName": "Carla"}]


async def test_the_customer_list_filters_with_the_segment_language(admin: GraphQLClient) -> None:
    await create(admin, firstName="Fr", country="FR", email="fr@example.com")
    await create(admin, firstName="De", country="DE", email="de@example.com")
    body = await admin.execute(
        """{ customers(query: "country = 'FR'") { totalCount nodes { firstName } } }"""
    )
    assert body["customers"] == {"totalCount": 1, "nodes": [{"firstName": "Fr"}]}
    bad = (await admin.post("""{ customers(query: "contry = 'FR'") { totalCount } }""")).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "country" in bad["errors"][0]["message"]
