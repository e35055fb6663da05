"""Relay connections: keyset cursors forwards and backwards, totalCount, page limits."""

from __future__ import annotations

from api.context import Services
from domain.access.model import Role
from tests.conftest import GraphQLClient, make_api_key

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String) {
  apiKeys(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def test_walking_forwards_then_backwards_visits_every_key_once(
    admin: GraphQLClient, services: Services
) -> None:
    for i in range(6):
        await make_api_key(services, Role.ANALYST, f"k{i}")
    seen: list[str] = []
    after = None
    while True:
        body = await admin.execute(PAGE, {"first": 3, "after": after})
        conn = body["apiKeys"]
        assert conn["totalCount"] == 7
        seen += [e["node"]["name"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == ["k5", "k4", "k3", "k2", "k1", "k0", "admin"]

    back = await admin.execute(PAGE, {"last": 2, "before": after})
    names = [e["node"]["name"] for e in back["apiKeys"]["edges"]]
    assert names == ["k2", "k1"]
    assert back["apiKeys"]["pageInfo"]["hasPreviousPage"] is True
    assert back["apiKeys"]["pageInfo"]["hasNextPage"] is True


async def test_mixing_directions_is_refused(admin: GraphQLClient) -> None:
    body = (await admin.post(PAGE, {"first": 2, "last": 2})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_empty_list_has_no_cursors(admin: GraphQLClient) -> None:
    body = await admin.execute(
        "{ apiKeys(includeRevoked: false, first: 0) { edges { cursor } pageInfo { startCursor endCursor hasNextPage } } }"
    )
    assert body["apiKeys"]["edges"] == []
    assert body["apiKeys"]["pageInfo"]["startCursor"] is None
    assert body["apiKeys"]["pageInfo"]["hasNextPage"] is True


async def test_node_resolves_an_api_key_and_refuses_other_roles(
    admin: GraphQLClient, services: Services
) -> None:
    body = await admin.execute("{ apiKeys(first: 1) { nodes { id } } }")
    key_id = body["apiKeys"]["nodes"][0]["id"]
    node = await admin.execute(
        "query($id: ID!) { node(id: $id) { id ... on ApiKey { name } } }", {"id": key_id}
    )
    assert node["node"] == {"id": key_id, "name": "admin"}
    analyst = admin.as_(await make_api_key(services, Role.ANALYST))
    refused = (
        await analyst.post("query($id: ID!) { node(id: $id) { id } }", {"id": key_id})
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
