"""A NUL character (U+0000) anywhere in a request's arguments refuses the whole request.

PostgreSQL text, varchar and jsonb cannot hold NUL: it used to reach the database and
come back as an internal error (after some writes, for a batch). Now it is a request
error naming where the NUL is, before any resolver runs, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient

GRAPHQL_RESPONSE = "application/graphql-response+json"

TICKET_CREATE = """
mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id } userErrors { code message } }
}"""
CUSTOMER_CREATE = """
mutation($input: CustomerCreateInput!) {
  customerCreate(input: $input) { customer { id } userErrors { code message } }
}"""
EVENTS_RECORD = """
mutation($input: EventsRecordInput!) {
  eventsRecord(input: $input) { recorded userErrors { code message } }
}"""


async def _refusal(admin: GraphQLClient, query: str, variables: dict[str, Any]) -> str:
    """The message of the request error the request got (and checks it is one)."""
    response = await admin.post(query, variables, headers={"accept": GRAPHQL_RESPONSE})
    body = response.json()
    assert response.status_code == 400, body
    assert "data" not in body, body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}, error
    assert "NUL" in error["message"]
    return str(error["message"])


async def _customer(admin: GraphQLClient, email: str) -> str:
    body = await admin.execute(CUSTOMER_CREATE, {"input": {"email": email}})
    return str(body["customerCreate"]["customer"]["id"])


async def _ticket_count(admin: GraphQLClient) -> int:
    body = await admin.execute("{ tickets { totalCount } }")
    return int(body["tickets"]["totalCount"])


async def _customer_exists(admin: GraphQLClient, email: str) -> bool:
    body = await admin.execute("query($e: String) { customer(email: $e) { id } }", {"e": email})
    return body["customer"] is not None


async def test_a_nul_in_a_variable_is_refused_and_named(admin: GraphQLClient) -> None:
    customer_id = await _customer(admin, "nul-variable@example.com")
    ticket = {"kind": "INQUIRY", "subject": "a\x00b", "body": "Hi", "customerId": customer_id}
    message = await _refusal(admin, TICKET_CREATE, {"input": ticket})
    assert "$input.subject" in message
    assert await _ticket_count(admin) == 0


async def test_a_nul_in_a_literal_is_refused_and_named(admin: GraphQLClient) -> None:
    customer_id = await _customer(admin, "nul-literal@example.com")
    query = (
        "mutation($c: ID!) { ticketCreate(input: "
        '{kind: INQUIRY, subject: "Help", body: "x\\u0000y", customerId: $c}) { ticket { id } } }'
    )
    message = await _refusal(admin, query, {"c": customer_id})
    assert "input.body" in message and "ticketCreate" in message
    assert await _ticket_count(admin) == 0


async def test_a_nul_nested_in_a_list_of_input_objects_is_refused(admin: GraphQLClient) -> None:
    customer = {"email": "nul-nested@example.com"}
    events = [
        {"kind": "PAGE_VIEW", "customer": customer, "url": "https://shop.example/a"},
        {"kind": "PRODUCT_VIEW", "customer": customer, "sku": "TEE\x00-1"},
    ]
    message = await _refusal(admin, EVENTS_RECORD, {"input": {"events": events}})
    assert "$input.events[1].sku" in message
    # The batch is refused whole: not even its first event (or its customer) is written.
    assert not await _customer_exists(admin, "nul-nested@example.com")


async def test_a_nul_nested_in_a_literal_list_is_refused(admin: GraphQLClient) -> None:
    query = """mutation { eventsRecord(input: {events: [
      {kind: PAGE_VIEW, customer: {email: "nul-literal-list@example.com"}},
      {kind: CUSTOM, name: "x", customer: {email: "nul-literal-list@example.com"},
       properties: {tags: ["ok", "n\\u0000"]}}
    ]}) { recorded } }"""
    message = await _refusal(admin, query, {})
    assert "input.events[1].properties.tags[1]" in message
    assert not await _customer_exists(admin, "nul-literal-list@example.com")


async def test_a_nul_in_a_json_value_is_refused(admin: GraphQLClient) -> None:
    customer = {"email": "nul-json@example.com", "metadata": {"size": {"label": "M\x00"}}}
    message = await _refusal(admin, CUSTOMER_CREATE, {"input": customer})
    assert "$input.metadata.size.label" in message
    assert not await _customer_exists(admin, "nul-json@example.com")


async def test_a_nul_in_a_json_key_is_refused(admin: GraphQLClient) -> None:
    customer = {"email": "nul-key@example.com"}
    events = [
        {"kind": "CUSTOM", "name": "x", "customer": customer, "properties": {"a\x00b": 1}},
    ]
    message = await _refusal(admin, EVENTS_RECORD, {"input": {"events": events}})
    assert "$input.events[0].properties" in message and "key" in message
    assert "\x00" not in message
    assert not await _customer_exists(admin, "nul-key@example.com")


async def test_a_nul_in_a_query_argument_is_refused_too(admin: GraphQLClient) -> None:
    message = await _refusal(
        admin, "query($e: String) { customer(email: $e) { id } }", {"e": "\x00"}
    )
    assert "$e" in message


@pytest.mark.parametrize("spelling", ["\\u0000", "\\u{0}", "\x00"], ids=["escape", "braced", "raw"])
async def test_every_spelling_of_nul_in_a_literal_is_refused(
    admin: GraphQLClient, spelling: str
) -> None:
    query = f'{{ customer(email: "a{spelling}@example.com") {{ id }} }}'
    message = await _refusal(admin, query, {})
    assert 'argument "email" of field "customer"' in message


async def test_text_without_nul_still_goes_through(admin: GraphQLClient) -> None:
    # A backslash followed by "u0000" is five ordinary characters, not a NUL.
    customer = {"email": "no-nul@example.com", "metadata": {"note": "\\u0000 and \u2028"}}
    body = await admin.execute(CUSTOMER_CREATE, {"input": customer})
    assert body["customerCreate"]["userErrors"] == []
