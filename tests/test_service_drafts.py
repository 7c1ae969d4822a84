"""The invitation kept with its meetup: save_draft, meetup_for, mark_invited, and schema 3."""

from __future__ import annotations

import orjson
import pytest

from irlmeet.core.errors import ValidationError
from irlmeet.core.models import MeetupStatus
from irlmeet.core.service import Service
from irlmeet.core.settings import Settings, default_paths
from irlmeet.core.store import SCHEMA_VERSION, Store

from .conftest import NOW


def open_service(tmp_path, place_index, ids) -> Service:
    settings = Settings.load(default_paths({"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, data_file=tmp_path / "d.json"))
    return Service(Store(tmp_path / "d.json"), places=lambda: place_index, settings=settings, clock=lambda: NOW, new_id=ids)


@pytest.fixture
def world(tmp_path, place_index, ids):
    svc = open_service(tmp_path, place_index, ids)
    ada = svc.add_contact("Ada Lovelace", "Berlin", emails=["ada@example.com"], how_we_met="PyCon 2023")
    trip = svc.add_trip("Berlin", "2026-12-07", "2026-12-10")
    yield svc, trip, ada
    svc.store.close()


def test_the_edited_draft_is_kept_with_the_idea_meetup_across_a_reopen(world, tmp_path, place_index, ids):
    svc, trip, ada = world
    assert svc.meetups(trip.id) == []
    meetup = svc.meetup_for(trip, ada.id)
    assert meetup is not None and meetup.status is MeetupStatus.IDEA and meetup.contact_ids == (ada.id,)
    assert svc.meetup_for(trip, ada.id) == meetup, "the same idea, not a second one"
    saved = svc.save_draft(meetup.id, "linkedin", "Hi Ada, since PyCon: coffee? No worries if not.")
    assert (saved.draft_channel, saved.sequence, saved.updated) == ("linkedin-note", meetup.sequence, meetup.updated)
    svc.store.close()
    again = open_service(tmp_path, place_index, ids)
    try:
        kept = again.meetup_for(trip, ada.id)
        assert kept.draft_text == "Hi Ada, since PyCon: coffee? No worries if not."
        assert kept.draft_channel == "linkedin-note"
        # An export re-syncs the ideas: the edited text stays with the meetup.
        again.sync_ideas(trip)
        assert again.store.meetup(meetup.id).draft_text == kept.draft_text
        cleared = again.save_draft(meetup.id, "email", "  \n")
        assert (cleared.draft_text, cleared.draft_channel) == ("", "")
        with pytest.raises(ValidationError, match="unknown channel"):
            again.save_draft(meetup.id, "fax", "hello")
    finally:
        again.store.close()


def test_mark_invited_bumps_the_sequence_once(world):
    svc, trip, ada = world
    idea = svc.meetup_for(trip, ada.id)
    invited = svc.mark_invited(idea.id)
    assert invited.status is MeetupStatus.INVITED and invited.sequence == idea.sequence + 1 and invited.updated == NOW
    assert svc.mark_invited(idea.id) == invited, "twice is once"
    # An invited meetup is what meetup_for finds, and sync keeps it (no second idea beside it).
    svc.sync_ideas(trip)
    assert svc.meetup_for(trip, ada.id) == invited
    assert [m.status for m in svc.meetups(trip.id)] == [MeetupStatus.INVITED]


def test_a_schema_4_file_gains_empty_drafts_after_a_backup(world, tmp_path, place_index, ids):
    svc, trip, ada = world
    meetup = svc.meetup_for(trip, ada.id)
    svc.store.close()
    db = tmp_path / "d.json"
    raw = orjson.loads(db.read_bytes())
    for doc in raw["meetups"].values():
        del doc["draft_text"], doc["draft_channel"]
    raw["_meta"]["meta"]["schema"] = 4  # the schema before meetups kept their edited drafts
    old = orjson.dumps(raw)
    db.write_bytes(old)
    again = open_service(tmp_path, place_index, ids)
    try:
        assert again.store.meetup(meetup.id) == meetup
        assert orjson.loads(db.read_bytes())["_meta"]["meta"]["schema"] == SCHEMA_VERSION == 6
        assert db.with_name(db.name + ".v4.bak").read_bytes() == old
    finally:
        again.store.close()
