"""Every invalid profile field is reported at once, and nothing is written."""

from __future__ import annotations

from typing import Any

from api.errors import ErrorCode, user_errors
from domain.customers.errors import InvalidEmail, InvalidPhoneNumber
from domain.customers.paths import under
from domain.errors import NotFound, ValidationErrors
from tests.conftest import GraphQLClient

ERRORS = "userErrors { field code message }"
CREATE = f"""
mutation($input: CustomerCreateInput!) {{
  customerCreate(input: $input) {{ customer {{ id }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation($input: CustomerUpdateInput!) {{
  customerUpdate(input: $input) {{ customer {{ id }} {ERRORS} }}
}}"""
READ = "query($id: ID!) { customer(id: $id) { email phone birthday city } }"
INVALID = {"email": "not-an-email", "phone": "12", "birthday": "2999-01-01"}


def _fields(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def _count(admin: GraphQLClient) -> int:
    body = await admin.execute("{ customers { totalCount } }")
    total: int = body["customers"]["totalCount"]
    return total


async def test_a_new_customer_with_three_invalid_fields_gets_three_user_errors(
    admin: GraphQLClient,
) -> None:
    # When a customer is created with an invalid email, phone and birthday (and a valid city)
    body = await admin.execute(CREATE, {"input": {**INVALID, "city": "Lyon"}})
    # Then each invalid field has its own userError, in input order
    payload = body["customerCreate"]
    assert payload["customer"] is None
    assert _fields(payload) == [
        (["email"], "INVALID"),
        (["phone"], "INVALID"),
        (["birthday"], "INVALID"),
    ]
    assert "future" in payload["userErrors"][2]["message"]
    # And no customer was stored
    assert await _count(admin) == 0


async def test_an_update_with_invalid_fields_reports_them_all_and_changes_nothing(
    admin: GraphQLClient,
) -> None:
    # Given a customer
    created = await admin.execute(CREATE, {"input": {"email": "kept@example.com", "city": "Lyon"}})
    customer = created["customerCreate"]["customer"]["id"]
    # When an update gives valid and invalid fields together
    body = await admin.execute(
        UPDATE,
        {
            "input": {
                "id": customer,
                **INVALID,
                "city": "Paris",
                "country": "XX",
                "timezone": "Mars",
            }
        },
    )
    # Then every invalid field is reported
    assert _fields(body["customerUpdate"]) == [
        (["email"], "INVALID"),
        (["phone"], "INVALID"),
        (["birthday"], "INVALID"),
        (["country"], "INVALID"),
        (["timezone"], "INVALID"),
    ]
    # And the valid one was not applied either
    stored = await admin.execute(READ, {"id": customer})
    assert stored["customer"] == {
        "email": "kept@example.com",
        "phone": None,
        "birthday": None,
        "city": "Lyon",
    }


async def test_a_single_invalid_field_is_still_one_user_error(admin: GraphQLClient) -> None:
    body = await admin.execute(CREATE, {"input": {"email": "ok@example.com", "phone": "12"}})
    assert _fields(body["customerCreate"]) == [(["phone"], "INVALID")]


async def test_invalid_metadata_is_reported_with_the_other_fields(admin: GraphQLClient) -> None:
    body = await admin.execute(
        CREATE, {"input": {"email": "nope", "metadata": {"big": 2**60}, "locale": "zz-??"}}
    )
    assert _fields(body["customerCreate"]) == [
        (["email"], "INVALID"),
        (["locale"], "INVALID"),
        (["metadata", "big"], "INVALID"),
    ]
    assert await _count(admin) == 0


def test_several_domain_errors_become_one_user_error_each_with_their_paths() -> None:
    # Given several refusals, nested under an input path as a use case would nest them
    refused = ValidationErrors(
        [InvalidEmail("bad email", field=("email",)), NotFound("no such tier", field=("tier",))]
    )
    try:
        with under("customers", "3"):
            raise refused
    except ValidationErrors as error:
        refused = error
    # Then each is a userError of its own code, under the whole path
    assert [(u.field, u.code) for u in user_errors([refused])] == [
        (["customers", "3", "email"], ErrorCode.INVALID),
        (["customers", "3", "tier"], ErrorCode.NOT_FOUND),
    ]
    # And one held inside another is flattened
    nested = ValidationErrors([refused, InvalidPhoneNumber("bad phone", field=("phone",))])
    assert [u.message for u in user_errors([nested])] == ["bad email", "no such tier", "bad phone"]
