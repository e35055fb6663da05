"""A malformed id, or one of another type, in a mutation's input is a userError INVALID_ID.

API.md: expected failures of a mutation are userErrors, never top-level errors. Every id
a mutation takes (top-level, nested, in a list) is refused with the code INVALID_ID and
the path of the input field, and nothing is written. (Query arguments are a top-level
BAD_REQUEST instead: tests/api/test_invalid_ids.py.)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from api.relay import encode_id
from tests.conftest import GraphQLClient

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"
PLACED_AT = "2026-03-02T10:00:00+00:00"


@dataclass(frozen=True)
class World:
    """A real customer (some mutations look it up before reading their other ids)."""

    customer_id: str
    customer_token: str


def _some(type_name: str) -> str:
    """A well-formed id of a `type_name` that names nothing."""
    return str(encode_id(type_name, uuid4()))


@dataclass(frozen=True)
class Case:
    mutation: str
    input_type: str
    path: tuple[str, ...]  # of the id in the input, list indexes as strings
    id_type: str  # the node type the id must be of
    base: Callable[[World], dict[str, Any]]  # a valid input around it
    as_customer: bool = False


def _events(w: World, **event: Any) -> dict[str, Any]:
    return {"events": [{"kind": "PAGE_VIEW", "customer": {"id": w.customer_id}, **event}]}


CASES = [
    Case("apiKeyRevoke", "ApiKeyRevokeInput", ("id",), "ApiKey", lambda w: {}),
    Case("customerUpdate", "CustomerUpdateInput", ("id",), "Customer", lambda w: {}),
    Case(
        "customerIdentityAdd",
        "CustomerIdentityAddInput",
        ("customerId",),
        "Customer",
        lambda w: {"identity": {"channel": "shop", "externalId": str(uuid4())}},
    ),
    Case(
        "customerConsentSet",
        "CustomerConsentSetInput",
        ("customerId",),
        "Customer",
        lambda w: {"channel": "EMAIL", "state": "SUBSCRIBED", "source": "form"},
    ),
    Case(
        "customerTokenCreate", "CustomerTokenCreateInput", ("customerId",), "Customer", lambda w: {}
    ),
    Case(
        "customerMerge",
        "CustomerMergeInput",
        ("loserId",),
        "Customer",
        lambda w: {"winnerId": w.customer_id},
    ),
    Case(
        "customerMerge",
        "CustomerMergeInput",
        ("winnerId",),
        "Customer",
        lambda w: {"loserId": _some("Customer")},
    ),
    Case("customerUnmerge", "CustomerUnmergeInput", ("mergeId",), "CustomerMerge", lambda w: {}),
    Case("customerErase", "CustomerPrivacyInput", ("customerId",), "Customer", lambda w: {}),
    Case("customerExport", "CustomerPrivacyInput", ("customerId",), "Customer", lambda w: {}),
    Case(
        "orderRecord",
        "OrderRecordInput",
        ("customer", "id"),
        "Customer",
        lambda w: {
            "channel": "shop",
            "externalId": str(uuid4()),
            "customer": {},
            "placedAt": PLACED_AT,
            "total": {"amount": 1000, "currency": "EUR"},
        },
    ),
    Case(
        "orderRefund",
        "OrderRefundInput",
        ("orderId",),
        "Order",
        lambda w: {"amount": {"amount": 100, "currency": "EUR"}, "idempotencyKey": str(uuid4())},
    ),
    Case(
        "eventsRecord",
        "EventsRecordInput",
        ("events", "0", "customer", "id"),
        "Customer",
        lambda w: _events(w),
    ),
    Case(
        "eventsRecord",
        "EventsRecordInput",
        ("events", "0", "orderId"),
        "Order",
        lambda w: _events(w, kind="PRODUCT_VIEW", sku="TEE-1"),
    ),
    Case(
        "ticketCreate",
        "TicketCreateInput",
        ("customerId",),
        "Customer",
        lambda w: {"kind": "INQUIRY", "subject": "Hello", "body": "Where is it?"},
    ),
    Case(
        "ticketCreate",
        "TicketCreateInput",
        ("orderId",),
        "Order",
        lambda w: {
            "kind": "ORDER_ISSUE",
            "subject": "Hello",
            "body": "Where is it?",
            "customerId": w.customer_id,
        },
    ),
    Case(
        "ticketTransition",
        "TicketTransitionInput",
        ("id",),
        "Ticket",
        lambda w: {"status": "IN_PROGRESS"},
    ),
    Case("ticketAssign", "TicketAssignInput", ("id",), "Ticket", lambda w: {}),
    Case(
        "ticketAssign",
        "TicketAssignInput",
        ("assigneeId",),
        "ApiKey",
        lambda w: {"id": _some("Ticket")},
    ),
    Case("ticketReply", "TicketReplyInput", ("id",), "Ticket", lambda w: {"body": "Thanks"}),
    Case(
        "ticketRate",
        "TicketRateInput",
        ("id",),
        "Ticket",
        lambda w: {"rating": 5},
        as_customer=True,
    ),
    Case(
        "ticketReprioritize",
        "TicketReprioritizeInput",
        ("id",),
        "Ticket",
        lambda w: {"priority": "HIGH"},
    ),
    Case(
        "ticketGoodwillGrant",
        "TicketGoodwillGrantInput",
        ("id",),
        "Ticket",
        lambda w: {"points": 10, "reason": "sorry"},
    ),
    Case(
        "pointsRedeem",
        "PointsRedeemInput",
        ("customerId",),
        "Customer",
        lambda w: {"points": 10, "idempotencyKey": str(uuid4())},
    ),
    Case(
        "pointsAdjust",
        "PointsAdjustInput",
        ("customerId",),
        "Customer",
        lambda w: {"points": 10, "reason": "gift", "idempotencyKey": str(uuid4())},
    ),
    Case(
        "pointsAdjust",
        "PointsAdjustInput",
        ("ticketId",),
        "Ticket",
        lambda w: {
            "customerId": w.customer_id,
            "points": 10,
            "reason": "gift",
            "idempotencyKey": str(uuid4()),
        },
    ),
    Case("segmentUpdate", "SegmentUpdateInput", ("id",), "Segment", lambda w: {"name": "Renamed"}),
    Case("segmentDelete", "SegmentDeleteInput", ("id",), "Segment", lambda w: {}),
    Case("segmentReevaluate", "SegmentReevaluateInput", ("id",), "Segment", lambda w: {}),
    Case(
        "tagsAdd",
        "TagsChangeInput",
        ("customerIds", "2"),
        "Customer",
        lambda w: {"tags": ["vip"], "customerIds": [w.customer_id, w.customer_id, None]},
    ),
    Case(
        "tagsRemove",
        "TagsChangeInput",
        ("customerIds", "2"),
        "Customer",
        lambda w: {"tags": ["vip"], "customerIds": [w.customer_id, w.customer_id, None]},
    ),
    Case(
        "ruleTagDefine",
        "RuleTagDefineInput",
        ("segmentId",),
        "Segment",
        lambda w: {"tag": f"rule-{uuid4().hex[:8]}"},
    ),
]

UNREADABLE = "garbage"


def _of_another_type(id_type: str) -> str:
    return _some("Order" if id_type == "Customer" else "Customer")


def _with(value: dict[str, Any], path: tuple[str, ...], bad: str) -> dict[str, Any]:
    """`value` with `bad` at `path` (a list index as a string)."""
    result = copy.deepcopy(value)
    target: Any = result
    for step in path[:-1]:
        target = target[int(step)] if isinstance(target, list) else target.setdefault(step, {})
    last = path[-1]
    if isinstance(target, list):
        target[int(last)] = bad
    else:
        target[last] = bad
    return result


def _id_paths(
    type_: GraphQLInputType, path: tuple[str, ...], seen: frozenset[str] = frozenset()
) -> list[tuple[str, ...]]:
    """Paths of the IDs a value of `type_` holds, nested inputs included (lists as "0")."""
    named = get_named_type(type_)
    if named.name == "ID":
        return [path]
    if not isinstance(named, GraphQLInputObjectType) or named.name in seen:
        return []
    found: list[tuple[str, ...]] = []
    for name, field in named.fields.items():
        step = (*path, name, "0") if is_list_type(get_nullable_type(field.type)) else (*path, name)
        found.extend(_id_paths(field.type, step, seen | {named.name}))
    return found


def _any_index(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("0" if step.isdigit() else step for step in path)


def test_every_id_a_mutation_takes_is_covered() -> None:
    # Given the committed schema, when every mutation's arguments are walked for IDs
    # (paths relative to `input`), then each one has a case here: a new one needs a case.
    mutation = build_schema(SCHEMA.read_text()).mutation_type
    assert mutation is not None
    in_schema = {
        (name, path)
        for name, field in mutation.fields.items()
        for argument_name, argument in field.args.items()
        for path in _id_paths(argument.type, () if argument_name == "input" else (argument_name,))
    }
    assert in_schema == {(case.mutation, _any_index(case.path)) for case in CASES}


async def _world(admin: GraphQLClient) -> World:
    created = await admin.execute(
        "mutation($input: CustomerCreateInput!) { customerCreate(input: $input) "
        "{ customer { id } userErrors { code } } }",
        {"input": {"email": f"{uuid4().hex}@example.com"}},
    )
    customer_id = created["customerCreate"]["customer"]["id"]
    token = await admin.execute(
        "mutation($id: ID!) { customerTokenCreate(input: {customerId: $id}) "
        "{ token { token } userErrors { code } } }",
        {"id": customer_id},
    )
    return World(customer_id, token["customerTokenCreate"]["token"]["token"])


async def _user_errors(client: GraphQLClient, case: Case, input_: dict[str, Any]) -> Any:
    document = (
        f"mutation($input: {case.input_type}!) {{ {case.mutation}(input: $input) "
        "{ userErrors { field code message } } }"
    )
    body = (await client.post(document, {"input": input_})).json()
    assert "errors" not in body, body["errors"]
    return body["data"][case.mutation]["userErrors"]


@pytest.mark.parametrize("bad", ["unreadable", "of another type"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.mutation}.{'.'.join(c.path)}")
async def test_a_bad_id_in_a_mutation_input_is_an_invalid_id_user_error(
    admin: GraphQLClient, case: Case, bad: str
) -> None:
    # Given a valid input around the id
    world = await _world(admin)
    client = admin.as_(world.customer_token) if case.as_customer else admin
    value = UNREADABLE if bad == "unreadable" else _of_another_type(case.id_type)
    # When the id is unreadable or names a node of another type
    errors = await _user_errors(client, case, _with(case.base(world), case.path, value))
    # Then the payload says so at the input field, without a top-level error
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_ID", list(case.path))], errors


async def _tags(admin: GraphQLClient, customer_id: str) -> list[str]:
    data = await admin.execute(
        "query($id: ID!) { customer(id: $id) { tags { name } } }", {"id": customer_id}
    )
    return [tag["name"] for tag in data["customer"]["tags"]]


async def test_a_bad_id_among_customer_ids_tags_no_one(admin: GraphQLClient) -> None:
    world = await _world(admin)
    [case] = [c for c in CASES if c.mutation == "tagsAdd"]
    errors = await _user_errors(
        admin, case, {"tags": ["vip"], "customerIds": [world.customer_id, UNREADABLE]}
    )
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_ID", ["customerIds", "1"])]
    assert await _tags(admin, world.customer_id) == []


async def _balance(admin: GraphQLClient, customer_id: str) -> int:
    data = await admin.execute(
        "query($id: ID!) { customer(id: $id) { points { balance } } }", {"id": customer_id}
    )
    balance: int = data["customer"]["points"]["balance"]
    return balance


async def test_a_bad_ticket_id_adjusts_no_points(admin: GraphQLClient) -> None:
    world = await _world(admin)
    before = await _balance(admin, world.customer_id)
    [case] = [c for c in CASES if c.path == ("ticketId",)]
    errors = await _user_errors(admin, case, _with(case.base(world), ("ticketId",), UNREADABLE))
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID_ID", ["ticketId"])]
    assert await _balance(admin, world.customer_id) == before
