"""Privacy across contexts: customerExport holds what tags, loyalty, tickets and scoring
keep about a customer (inline and as a Job); customerErase closes the points account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.context import Services
from api.relay import decode_id
from persistence.tables.access import audit_log
from persistence.tables.engagement import customer_engagement
from persistence.tables.loyalty import points_accounts, points_entries, points_lots
from persistence.tables.scoring import customer_scores
from tests.api.customers.test_orders import RECORD, order_input
from tests.api.loyalty.support import redeem
from tests.conftest import GraphQLClient
from tests.support.statements import count_statements

EXPORT = """mutation($id: ID!) {
  customerExport(input: {customerId: $id}) { data job { id status } userErrors { code } }
}"""
ERASE = """mutation($id: ID!) {
  customerErase(input: {customerId: $id}) {
    customer { erasedAt points { balance expiringSoon { amount } } membership { tier { code } } }
    userErrors { code }
  }
}"""
TAGS_ADD = """mutation($input: TagsChangeInput!) {
  tagsAdd(input: $input) { userErrors { field code message } }
}"""
TICKET_CREATE = """mutation($input: TicketCreateInput!) {
  ticketCreate(input: $input) { ticket { id } userErrors { field code message } }
}"""
TICKET_REPLY = """mutation($input: TicketReplyInput!) {
  ticketReply(input: $input) { message { id } userErrors { field code message } }
}"""
MERGE = """mutation($input: CustomerMergeInput!) {
  customerMerge(input: $input) { userErrors { field code message } }
}"""

# Above SILVER's threshold (50,000 minor units of net spend over 365 days).
SILVER_ORDER = 60_000
SCORED_AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


async def customer_with_an_order(
    admin: GraphQLClient, *, email: str, external_id: str, amount: int = SILVER_ORDER
) -> str:
    """A customer created by an order (sign-up bonus, order points, tier upgrade)."""
    order = order_input(
        external_id,
        amount=amount,
        placedAt=(datetime.now(UTC) - timedelta(days=1)).isoformat(),
    )
    order["customer"] = {"email": email}
    payload = (await admin.execute(RECORD, {"input": order}))["orderRecord"]
    assert payload["userErrors"] == [], payload
    customer_id: str = payload["order"]["customer"]["id"]
    return customer_id


async def open_ticket_with_messages(
    admin: GraphQLClient, customer_id: str, *, subject: str, replies: int = 1, notes: int = 1
) -> str:
    created = (
        await admin.execute(
            TICKET_CREATE,
            {
                "input": {
                    "kind": "INQUIRY",
                    "subject": subject,
                    "body": f"{subject}: the customer's question",
                    "customerId": customer_id,
                }
            },
        )
    )["ticketCreate"]
    assert created["userErrors"] == [], created
    ticket_id: str = created["ticket"]["id"]
    messages = [(f"public reply {n}", False) for n in range(replies)]
    messages += [(f"internal note {n}", True) for n in range(notes)]
    for text, is_note in messages:
        reply = {"id": ticket_id, "body": f"{subject}: {text}", "isNote": is_note}
        replied = (await admin.execute(TICKET_REPLY, {"input": reply}))["ticketReply"]
        assert replied["userErrors"] == [], replied
    return ticket_id


async def add_tags(admin: GraphQLClient, customer_id: str, *tags: str) -> None:
    payload = (
        await admin.execute(TAGS_ADD, {"input": {"tags": list(tags), "customerIds": [customer_id]}})
    )["tagsAdd"]
    assert payload["userErrors"] == [], payload


async def store_scores(engine: AsyncEngine, customer_id: UUID) -> None:
    """The rows the nightly scoring run and message tracking keep (written directly)."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(customer_scores).values(
                customer_id=customer_id,
                rfm_recency=5,
                rfm_frequency=1,
                rfm_monetary=4,
                rfm_group="NEW",
                clv=123_456,
                churn_risk=Decimal("0.125"),
                lifecycle="NEW",
                scored_at=SCORED_AT,
            )
        )
        await conn.execute(
            insert(customer_engagement).values(
                customer_id=customer_id,
                last_message_opened_at=SCORED_AT - timedelta(days=2),
                last_message_clicked_at=None,
            )
        )


async def rich_customer(admin: GraphQLClient, engine: AsyncEngine) -> str:
    """Tags, points earned and redeemed, a tier upgrade, a ticket with a reply and a note,
    scores and engagement."""
    customer_id = await customer_with_an_order(
        admin, email="rich@example.com", external_id="rich-1"
    )
    redeemed = await redeem(admin, customerId=customer_id, points=40, reason="voucher")
    assert redeemed["userErrors"] == [], redeemed
    await add_tags(admin, customer_id, "VIP", "newsletter")
    await open_ticket_with_messages(admin, customer_id, subject="Where is my parcel?")
    await store_scores(engine, decode_id(customer_id, "Customer"))
    return customer_id


async def export_inline(admin: GraphQLClient, customer_id: str) -> dict[str, Any]:
    payload = (await admin.execute(EXPORT, {"id": customer_id}))["customerExport"]
    assert payload["userErrors"] == [] and payload["job"] is None, payload
    data: dict[str, Any] = payload["data"]
    return data


def assert_every_context_is_exported(data: dict[str, Any]) -> None:
    # Tags, with how and when each was given.
    tags = {t["tag"]: t for t in data["tags"]}
    assert sorted(tags) == ["newsletter", "vip"]
    assert tags["vip"]["kind"] == "MANUAL" and tags["vip"]["segmentId"] is None
    assert datetime.fromisoformat(tags["vip"]["assignedAt"]) <= datetime.now(UTC)

    # Loyalty: membership and its history, the balance, every entry and lot.
    loyalty = data["loyalty"]
    assert loyalty["membership"]["tierCode"] == "SILVER"
    assert [(c["fromCode"], c["toCode"], c["reason"]) for c in loyalty["tierHistory"]] == [
        (None, "MEMBER", "INITIAL"),
        ("MEMBER", "SILVER", "UPGRADE"),
    ]
    ledger = loyalty["ledger"]
    kinds = [entry["kind"] for entry in ledger]
    assert "EARN" in kinds and kinds[-1] == "REDEEM"
    assert ledger[-1]["points"] == -40 and ledger[-1]["reason"] == "voucher"
    assert ledger[-1]["allocations"] and all(a["points"] > 0 for a in ledger[-1]["allocations"])
    balance = loyalty["points"]["balance"]
    assert balance == sum(entry["points"] for entry in ledger) > 0
    assert ledger[-1]["balanceAfter"] == balance
    lots = loyalty["lots"]
    assert sum(lot["remaining"] for lot in lots) == balance
    assert sum(lot["points"] for lot in lots) == balance + 40
    assert {lot["entryId"] for lot in lots} == {e["id"] for e in ledger if e["lotId"]}

    # Tickets with every message; internal notes are included and marked.
    [ticket] = data["tickets"]
    assert ticket["subject"] == "Where is my parcel?" and ticket["kind"] == "INQUIRY"
    messages = [(m["body"], m["internal"]) for m in ticket["messages"]]
    assert messages == [
        ("Where is my parcel?: the customer's question", False),
        ("Where is my parcel?: public reply 0", False),
        ("Where is my parcel?: internal note 0", True),
    ]
    assert [m["seq"] for m in ticket["messages"]] == [1, 2, 3]

    # Scores and engagement, when scoring and message tracking have rows.
    assert data["scores"] == {
        "rfmRecency": 5,
        "rfmFrequency": 1,
        "rfmMonetary": 4,
        "rfmGroup": "NEW",
        "clv": 123_456,
        "churnRisk": 0.125,
        "lifecycle": "NEW",
        "scoredAt": SCORED_AT.isoformat(),
    }
    assert data["engagement"] == {
        "lastMessageOpenedAt": (SCORED_AT - timedelta(days=2)).isoformat(),
        "lastMessageClickedAt": None,
    }


async def test_an_export_holds_tags_loyalty_tickets_and_scores(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer_id = await rich_customer(admin, engine)

    data = await export_inline(admin, customer_id)

    assert data["customer"]["email"] == "rich@example.com"
    assert len(data["orders"]) == 1
    assert_every_context_is_exported(data)


async def test_an_export_without_scores_or_tickets_has_empty_parts(admin: GraphQLClient) -> None:
    customer_id = await customer_with_an_order(
        admin, email="plain@example.com", external_id="plain-1", amount=1_000
    )

    data = await export_inline(admin, customer_id)

    assert (data["tags"], data["tickets"], data["scores"], data["engagement"]) == (
        [],
        [],
        None,
        None,
    )
    assert data["loyalty"]["membership"]["tierCode"] == "MEMBER"
    assert data["loyalty"]["points"]["balance"] == sum(
        e["points"] for e in data["loyalty"]["ledger"]
    )


async def test_the_export_job_holds_the_same_parts_as_the_inline_export(
    admin: GraphQLClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.customers.privacy_mutations as mutations
    from jobs import runtime
    from jobs.context import JobServices
    from jobs.customers import export

    customer_id = await rich_customer(admin, services.engine)
    inline = await export_inline(admin, customer_id)
    monkeypatch.setattr(mutations, "EXPORT_INLINE_LIMIT", 0)
    sent: list[tuple[str, dict[str, Any]]] = []
    services.send_job = lambda actor, **kwargs: sent.append((actor, kwargs))

    payload = (await admin.execute(EXPORT, {"id": customer_id}))["customerExport"]
    assert payload["data"] is None and payload["job"]["status"] == "QUEUED"
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
    [(actor, kwargs)] = sent
    assert actor == "customers.export"
    await export(**kwargs)

    done = await admin.execute(
        "query($id: ID!) { job(id: $id) { status result } }", {"id": payload["job"]["id"]}
    )
    assert done["job"]["status"] == "SUCCEEDED"
    assert_every_context_is_exported(done["job"]["result"])
    assert done["job"]["result"] == inline


async def test_a_long_ledger_or_many_ticket_messages_make_the_export_a_job(
    admin: GraphQLClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.customers.privacy_mutations as mutations

    # One order and no events, but ledger entries and ticket messages beyond the limit.
    customer_id = await customer_with_an_order(admin, email="chatty@example.com", external_id="c-1")
    await open_ticket_with_messages(admin, customer_id, subject="Help", replies=2, notes=1)
    services.send_job = lambda actor, **kwargs: None
    monkeypatch.setattr(mutations, "EXPORT_INLINE_LIMIT", 4)

    payload = (await admin.execute(EXPORT, {"id": customer_id}))["customerExport"]

    assert payload["data"] is None and payload["job"]["status"] == "QUEUED"


async def test_an_export_costs_the_same_statements_for_a_short_and_a_long_history(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    short = await customer_with_an_order(admin, email="short@example.com", external_id="s-1")
    await open_ticket_with_messages(admin, short, subject="One", replies=1, notes=0)
    await add_tags(admin, short, "one")
    long = await customer_with_an_order(admin, email="long@example.com", external_id="l-1")
    for n in range(2, 5):
        # More orders, ledger entries and lots; a further tier change.
        order = order_input(f"l-{n}", amount=SILVER_ORDER * n)
        order["customer"] = {"email": "long@example.com"}
        order["placedAt"] = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        await admin.execute(RECORD, {"input": order})
        await redeem(admin, customerId=long, points=10 * n)
    for n in range(4):
        await open_ticket_with_messages(admin, long, subject=f"Ticket {n}", replies=3, notes=2)
    await add_tags(admin, long, "a", "b", "c", "d")
    await store_scores(engine, decode_id(long, "Customer"))

    counts = {}
    for name, customer_id in (("short", short), ("long", long)):
        with count_statements(engine) as counter:
            data = await export_inline(admin, customer_id)
        counts[name] = counter.count
    assert len(data["tickets"]) == 4 and all(len(t["messages"]) == 6 for t in data["tickets"])
    assert len(data["loyalty"]["tierHistory"]) >= 3
    assert counts["short"] == counts["long"], counts


async def _stored_points(engine: AsyncEngine, customer_id: str) -> tuple[int, int, int, int]:
    """(balance row, sum of the ledger, unexpired lots' remaining, number of entries)."""
    uuid = decode_id(customer_id, "Customer")
    now = datetime.now(UTC)
    async with engine.connect() as conn:
        balance = await conn.scalar(
            select(points_accounts.c.balance).where(points_accounts.c.customer_id == uuid)
        )
        entries, total = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(points_entries.c.points), 0)).where(
                    points_entries.c.customer_id == uuid
                )
            )
        ).one()
        remaining = await conn.scalar(
            select(func.coalesce(func.sum(points_lots.c.remaining), 0)).where(
                points_lots.c.customer_id == uuid, points_lots.c.expires_at > now
            )
        )
    return int(balance or 0), int(total), int(remaining or 0), int(entries)


async def _erasures_audited(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).where(audit_log.c.action == "customer.erase")
        )
    return int(count or 0)


async def test_erase_closes_the_points_account_once(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    customer_id = await customer_with_an_order(
        admin, email="leaving@example.com", external_id="leave-1"
    )
    assert (await redeem(admin, customerId=customer_id, points=30))["userErrors"] == []
    balance, total, remaining, entries = await _stored_points(engine, customer_id)
    assert balance == total == remaining > 0

    first = (await admin.execute(ERASE, {"id": customer_id}))["customerErase"]

    assert first["userErrors"] == []
    assert first["customer"]["points"] == {"balance": 0, "expiringSoon": []}
    # The tier is not personal data: it stays for reporting.
    assert first["customer"]["membership"]["tier"]["code"] == "SILVER"
    assert await _stored_points(engine, customer_id) == (0, 0, 0, entries + 1)
    data = await export_inline(admin, customer_id)
    closing = data["loyalty"]["ledger"][-1]
    assert (closing["kind"], closing["points"], closing["balanceAfter"]) == ("ADJUST", -balance, 0)
    assert "erase" in closing["reason"] and closing["actor"] == "system"
    assert closing["source"] == {"kind": "RULE", "id": "erasure"}
    assert sum(a["points"] for a in closing["allocations"]) == balance
    assert all(lot["remaining"] == 0 for lot in data["loyalty"]["lots"])
    assert await _erasures_audited(engine) == 1

    again = (await admin.execute(ERASE, {"id": customer_id}))["customerErase"]

    assert again["userErrors"] == [] and again["customer"]["points"]["balance"] == 0
    assert await _stored_points(engine, customer_id) == (0, 0, 0, entries + 1)
    assert await _erasures_audited(engine) == 1


async def test_erasing_a_merged_person_closes_the_winners_points(
    admin: GraphQLClient, engine: AsyncEngine
) -> None:
    winner = await customer_with_an_order(admin, email="w@example.com", external_id="w-1")
    loser = await customer_with_an_order(
        admin, email="l@example.com", external_id="l-1", amount=5_000
    )
    merged = (await admin.execute(MERGE, {"input": {"loserId": loser, "winnerId": winner}}))[
        "customerMerge"
    ]
    assert merged["userErrors"] == []
    balance, _, _, entries = await _stored_points(engine, winner)
    assert balance > 0

    erased = (await admin.execute(ERASE, {"id": loser}))["customerErase"]

    assert erased["userErrors"] == []
    assert await _stored_points(engine, winner) == (0, 0, 0, entries + 1)
    # The loser's entries moved to the winner in the merge; it gets no closing entry.
    assert await _stored_points(engine, loser) == (0, 0, 0, 0)
    assert await _erasures_audited(engine) == 2
