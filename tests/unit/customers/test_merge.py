from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.customers.commands import (
    EraseCustomer,
    IdentityInput,
    MergeCustomers,
    SetConsent,
    UnmergeCustomers,
)
from domain.customers.consent import ConsentChannel, ConsentState
from domain.customers.errors import (
    CustomerAlreadyMerged,
    CustomerIsErased,
    MergeAlreadyUndone,
    MergeBlocked,
    MergeIntoItself,
    MergeSuperseded,
    UnknownCustomer,
    UnknownMerge,
)
from domain.customers.events import ConsentChanged, CustomersMerged, CustomersUnmerged
from domain.customers.merge import MergePreviewPart, Moved
from domain.customers.merging import merge_customers, unmerge_customers
from domain.customers.participants import Participants
from domain.customers.participation import IdentitiesParticipant
from domain.customers.privacy import erase_customer
from domain.customers.services import find_customer, get_customer, set_consent
from tests.unit.customers.builders import make_customer, merge
from tests.unit.customers.fakes import FakeCustomersUnitOfWork
from tests.unit.fakes import FixedClock


def merge_command(loser: UUID, winner: UUID, *, dry_run: bool = False) -> MergeCustomers:
    return MergeCustomers(loser_id=loser, winner_id=winner, actor="admin:1", dry_run=dry_run)


async def test_merge_moves_identities_and_consents_and_leaves_a_pointer(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, email="ana@old.example", identities=(("pos", "9"),))
    winner = await make_customer(uow, clock, email="ana@example.com")
    await set_consent(
        uow,
        clock,
        SetConsent(customer_id=loser.id, channel=ConsentChannel.SMS,
                   state=ConsentState.SUBSCRIBED, source="pos"),
    )  # fmt: skip

    outcome = await merge_customers(uow, clock, participants, merge_command(loser.id, winner.id))

    assert outcome.merge is not None
    assert outcome.preview.moves == {"identities": 1, "consents": 1}
    assert uow.customers.rows[loser.id].merged_into == winner.id
    assert uow.customers.rows[loser.id].identities == []
    assert [i.external_id for i in uow.customers.rows[winner.id].identities] == ["9"]
    winner_log = await uow.consents.get_log(winner.id)
    assert winner_log.state_of(ConsentChannel.SMS) == ConsentState.SUBSCRIBED
    assert set(outcome.merge.moved) == {"identities", "consents"}
    assert len(outcome.merge.moved["identities"]["identities"]) == 1
    merged = [e for e in uow.published if isinstance(e, CustomersMerged)]
    assert [(e.loser_id, e.winner_id) for e in merged] == [(loser.id, winner.id)]
    assert any(isinstance(e, ConsentChanged) and e.customer_id == winner.id for e in uow.published)
    assert uow.audit.entries[-1]["action"] == "customer.merge"
    assert uow.audit.entries[-1]["target"] == str(winner.id)
    assert uow.merges.rows[outcome.merge.id].loser_id == loser.id


async def test_lookups_of_the_loser_answer_the_winner(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, email="ana@old.example", identities=(("pos", "9"),))
    winner = await make_customer(uow, clock, email="ana@example.com")
    await merge(uow, clock, participants, loser=loser, winner=winner)

    by_id = await get_customer(uow, loser.id)
    by_email = await find_customer(uow, email="ANA@old.example")
    by_identity = await find_customer(uow, identity=IdentityInput(channel="pos", external_id="9"))

    assert by_id.id == winner.id
    assert by_email is not None and by_email.id == winner.id
    assert by_identity is not None and by_identity.id == winner.id


async def test_lookups_follow_a_chain_of_merges(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    first = await make_customer(uow, clock, email="a@example.com")
    second = await make_customer(uow, clock, email="b@example.com")
    third = await make_customer(uow, clock, email="c@example.com")
    await merge(uow, clock, participants, loser=first, winner=second)
    clock.advance(minutes=1)
    await merge(uow, clock, participants, loser=second, winner=third)

    assert (await get_customer(uow, first.id)).id == third.id


async def test_dry_run_previews_and_changes_nothing(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, identities=(("pos", "1"), ("web", "2")))
    winner = await make_customer(uow, clock, email="ana@example.com")
    committed, published = uow.committed, len(uow.published)

    outcome = await merge_customers(
        uow, clock, participants, merge_command(loser.id, winner.id, dry_run=True)
    )

    assert outcome.merge is None
    assert outcome.preview.moves == {"identities": 2, "consents": 0}
    assert outcome.preview.blockers == ()
    assert uow.customers.rows[loser.id].merged_into is None
    assert len(uow.customers.rows[loser.id].identities) == 2
    assert (uow.committed, len(uow.published)) == (committed, published)
    assert uow.merges.rows == {}


async def test_merge_into_itself_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    ana = await make_customer(uow, clock, email="ana@example.com")

    for dry_run in (True, False):
        with pytest.raises(MergeIntoItself) as caught:
            await merge_customers(
                uow, clock, participants, merge_command(ana.id, ana.id, dry_run=dry_run)
            )
        assert caught.value.field == ("winnerId",)
    assert uow.merges.rows == {}


async def test_merge_into_an_already_merged_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    c = await make_customer(uow, clock, email="c@example.com")
    await merge(uow, clock, participants, loser=a, winner=b)

    with pytest.raises(CustomerAlreadyMerged) as into_merged:
        await merge_customers(uow, clock, participants, merge_command(c.id, a.id))
    with pytest.raises(CustomerAlreadyMerged) as merged_again:
        await merge_customers(uow, clock, participants, merge_command(a.id, c.id))

    assert into_merged.value.field == ("winnerId",)
    assert merged_again.value.field == ("loserId",)


async def test_merge_with_an_erased_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    await erase_customer(uow, clock, EraseCustomer(customer_id=b.id, actor="admin:1"))

    with pytest.raises(CustomerIsErased) as caught:
        await merge_customers(uow, clock, participants, merge_command(a.id, b.id))

    assert caught.value.field == ("winnerId",)


async def test_merge_of_an_unknown_customer_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    winner = await make_customer(uow, clock, email="a@example.com")

    with pytest.raises(UnknownCustomer) as caught:
        await merge_customers(uow, clock, participants, merge_command(uuid4(), winner.id))

    assert caught.value.field == ("loserId",)


class BlockingParticipant:
    name = "blocking"

    async def preview(self, uow: object, loser_id: UUID, winner_id: UUID) -> MergePreviewPart:
        return MergePreviewPart(
            participant=self.name, moves={"tickets": 1}, blockers=("an open ticket is locked",)
        )

    async def apply(self, uow: object, loser_id: UUID, winner_id: UUID) -> Moved:
        raise AssertionError("a blocked merge must not apply")

    async def undo(self, uow: object, loser_id: UUID, winner_id: UUID, moved: Moved) -> None:
        raise AssertionError("never applied")


async def test_a_participant_blocker_shows_in_the_preview_and_refuses_the_merge(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    participants.add_merge_participant(BlockingParticipant())
    loser = await make_customer(uow, clock, identities=(("pos", "1"),))
    winner = await make_customer(uow, clock, email="ana@example.com")

    preview = await merge_customers(
        uow, clock, participants, merge_command(loser.id, winner.id, dry_run=True)
    )
    with pytest.raises(MergeBlocked) as caught:
        await merge_customers(uow, clock, participants, merge_command(loser.id, winner.id))

    assert preview.preview.blockers == ("an open ticket is locked",)
    assert caught.value.blockers == ("an open ticket is locked",)
    assert uow.customers.rows[loser.id].merged_into is None
    assert len(uow.customers.rows[loser.id].identities) == 1


async def test_unmerge_gives_back_what_moved(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    loser = await make_customer(uow, clock, email="ana@old.example", identities=(("pos", "9"),))
    winner = await make_customer(uow, clock, email="ana@example.com", identities=(("web", "1"),))
    await set_consent(
        uow,
        clock,
        SetConsent(customer_id=loser.id, channel=ConsentChannel.EMAIL,
                   state=ConsentState.SUBSCRIBED, source="pos"),
    )  # fmt: skip
    done = await merge(uow, clock, participants, loser=loser, winner=winner)
    clock.advance(hours=1)

    undone = await unmerge_customers(
        uow, clock, participants, UnmergeCustomers(merge_id=done.id, actor="admin:2")
    )

    assert undone.undone_at == clock.now()
    assert uow.merges.rows[done.id].undone_at == clock.now()
    assert uow.customers.rows[loser.id].merged_into is None
    assert [i.external_id for i in uow.customers.rows[loser.id].identities] == ["9"]
    assert [i.external_id for i in uow.customers.rows[winner.id].identities] == ["1"]
    assert await uow.consents.count_for_customer(loser.id) == 1
    assert await uow.consents.count_for_customer(winner.id) == 0
    assert (await get_customer(uow, loser.id)).id == loser.id
    assert any(isinstance(e, CustomersUnmerged) for e in uow.published)
    assert uow.audit.actions()[-1] == "customer.unmerge"


async def test_a_merge_cannot_be_undone_twice(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    done = await merge(uow, clock, participants, loser=a, winner=b)
    command = UnmergeCustomers(merge_id=done.id, actor="admin:1")
    await unmerge_customers(uow, clock, participants, command)

    with pytest.raises(MergeAlreadyUndone):
        await unmerge_customers(uow, clock, participants, command)


async def test_a_merge_followed_by_a_merge_of_its_winner_is_undone_newest_first(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    c = await make_customer(uow, clock, email="c@example.com")
    first = await merge(uow, clock, participants, loser=a, winner=b)
    clock.advance(minutes=1)
    second = await merge(uow, clock, participants, loser=b, winner=c)

    with pytest.raises(MergeSuperseded) as caught:
        await unmerge_customers(
            uow, clock, participants, UnmergeCustomers(merge_id=first.id, actor="admin:1")
        )
    assert str(second.id) in caught.value.message

    await unmerge_customers(
        uow, clock, participants, UnmergeCustomers(merge_id=second.id, actor="admin:1")
    )
    await unmerge_customers(
        uow, clock, participants, UnmergeCustomers(merge_id=first.id, actor="admin:1")
    )
    assert uow.customers.rows[a.id].merged_into is None


async def test_a_merge_whose_winner_took_another_merge_cannot_be_undone(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    c = await make_customer(uow, clock, email="c@example.com")
    first = await merge(uow, clock, participants, loser=a, winner=b)
    clock.advance(minutes=1)
    await merge(uow, clock, participants, loser=c, winner=b)

    with pytest.raises(MergeSuperseded):
        await unmerge_customers(
            uow, clock, participants, UnmergeCustomers(merge_id=first.id, actor="admin:1")
        )


async def test_a_merge_of_an_erased_person_cannot_be_undone(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    a = await make_customer(uow, clock, email="a@example.com")
    b = await make_customer(uow, clock, email="b@example.com")
    done = await merge(uow, clock, participants, loser=a, winner=b)
    await erase_customer(uow, clock, EraseCustomer(customer_id=b.id, actor="admin:1"))

    with pytest.raises(CustomerIsErased):
        await unmerge_customers(
            uow, clock, participants, UnmergeCustomers(merge_id=done.id, actor="admin:1")
        )


async def test_unmerge_of_an_unknown_merge_is_refused(
    uow: FakeCustomersUnitOfWork, clock: FixedClock, participants: Participants
) -> None:
    with pytest.raises(UnknownMerge) as caught:
        await unmerge_customers(
            uow, clock, participants, UnmergeCustomers(merge_id=uuid4(), actor="admin:1")
        )

    assert caught.value.field == ("mergeId",)


def test_a_participant_cannot_be_registered_twice(participants: Participants) -> None:
    with pytest.raises(ValueError, match="identities"):
        participants.add_merge_participant(IdentitiesParticipant())
