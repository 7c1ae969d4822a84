"""Service.remove_contact / merge_contacts / edit_contact on a real data file: what happens to
meetups (group meetups, real vs idea), and writes made on fresh state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.errors import LikelyDuplicate, ValidationError
from irlmeet.core.ics import meetup_uid
from irlmeet.core.models import Meetup, MeetupStatus
from irlmeet.core.service import Service
from irlmeet.core.settings import Settings, default_paths
from irlmeet.core.store import Store

from .conftest import NOW

Z = ZoneInfo("Europe/Berlin")


@pytest.fixture
def svc(tmp_path, place_index, ids):
    settings = Settings.load(default_paths({"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, data_file=tmp_path / "d.json"))
    store = Store(tmp_path / "d.json")
    yield Service(store, places=lambda: place_index, settings=settings, clock=lambda: NOW, new_id=ids)
    store.close()


def _meetup(svc, trip, people, status, day=8, id_=None):
    m = Meetup(
        id=id_ or svc.new_id(), trip_id=trip.id, contact_ids=tuple(people), kind="dinner",
        start=datetime(2026, 12, day, 19, 30, tzinfo=Z), end=datetime(2026, 12, day, 21, 30, tzinfo=Z),
        uid=meetup_uid(trip.id, tuple(people)), status=status,
    )
    svc.store.put_meetup(m)
    return m


def test_removing_someone_from_a_group_meetup_keeps_it_for_the_others(svc):
    ada = svc.add_contact("Ada Brandt", "Berlin")
    jonas = svc.add_contact("Jonas Weber", "Potsdam")
    trip = svc.add_trip("Berlin", "2026-12-08", "2026-12-10", name="DataConf")
    group = _meetup(svc, trip, [ada.id, jonas.id], "confirmed", day=8)
    alone = _meetup(svc, trip, [ada.id], "invited", day=9)
    met = _meetup(svc, trip, [ada.id], "met", day=10)

    result = svc.remove_contact(ada.id)
    assert [m.id for m in result.cancelled] == [alone.id] and [m.id for m in result.dropped_from] == [group.id]
    g, a, h = svc.store.meetup(group.id), svc.store.meetup(alone.id), svc.store.meetup(met.id)
    assert g.contact_ids == (jonas.id,) and g.status is MeetupStatus.CONFIRMED and g.uid == group.uid
    assert g.sequence == 1 and g.updated == NOW
    assert a.status is MeetupStatus.CANCELLED and a.uid == alone.uid and a.sequence == 1
    assert h.status is MeetupStatus.MET, "a meeting that happened stays history"


def test_merge_keeps_a_real_meetup_over_an_idea_and_never_two_for_one_person(svc):
    a = svc.add_contact("Ada Brandt", "Berlin", emails=["ada@example.org"])
    b = svc.add_contact("Ada B.", "Berlin", force=True)
    trip = svc.add_trip("Berlin", "2026-12-08", "2026-12-10", name="DataConf")
    a_idea = _meetup(svc, trip, [a.id], "idea", day=8)
    b_confirmed = _meetup(svc, trip, [b.id], "confirmed", day=9)

    merged = svc.merge_contacts("Ada Brandt", b.id)
    assert merged.contact.id == a.id and merged.removed.id == b.id
    assert svc.store.meetup(b_confirmed.id).contact_ids == (a.id,)
    assert svc.store.meetup(a_idea.id).status is MeetupStatus.CANCELLED
    live = [m for m in svc.meetups_with(a.id) if m.status is not MeetupStatus.CANCELLED]
    assert [m.id for m in live] == [b_confirmed.id]
    # A re-plan keeps the confirmed meetup and proposes nothing new for Ada.
    svc.sync_ideas(trip)
    assert [m.id for m in svc.meetups_with(a.id) if m.status is not MeetupStatus.CANCELLED] == [b_confirmed.id]


def test_edits_apply_to_the_stored_record_as_another_process_left_it(svc, tmp_path):
    ada = svc.add_contact("Ada Brandt", "Berlin")
    with Store(tmp_path / "d.json") as other:  # another irlmeet changes Ada meanwhile
        other.put_contact(replace(other.contact(ada.id), company="Acme", tags=("python",)))
    edited = svc.edit_contact(ada.id, nickname="Adi", add_tags=["testing"])
    assert (edited.company, edited.tags, edited.nickname) == ("Acme", ("python", "testing"), "Adi")


def test_add_contact_checks_duplicates_against_fresh_state(svc, tmp_path, ids):
    with Store(tmp_path / "d.json") as other:
        from irlmeet.core.models import Contact

        other.put_contact(Contact(id="c-other", name="Ada Brandt", emails=("ada@example.org",)))
    with pytest.raises(LikelyDuplicate) as exc:
        svc.add_contact("Ada", "Berlin", emails=["ada@example.org"])
    assert [d.contact.id for d in exc.value.duplicates] == ["c-other"]
    assert exc.value.duplicates[0].reasons == ("same email ada@example.org",)


def test_a_bad_edit_stores_nothing(svc):
    ada = svc.add_contact("Ada Brandt", "Berlin", nickname="Adi")
    with pytest.raises(ValidationError) as exc:
        svc.edit_contact(ada.id, nickname="Ada", closeness=9)
    assert exc.value.field == "closeness"
    assert svc.store.contact(ada.id).nickname == "Adi"
