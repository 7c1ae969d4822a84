from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core import demo
from irlmeet.core.planner import plan
from irlmeet.core.store import Store

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_the_demo_places_match_what_the_resolver_says_today(place_index):
    source = demo.load_source()
    assert source["places"] == demo.resolve_places(source, place_index), (
        "demo.json is stale: rewrite its 'places' with demo.resolve_places()"
    )


def test_the_demo_has_people_in_several_cities_and_two_upcoming_trips(tmp_path):
    counter = itertools.count()
    path = demo.build(tmp_path / "demo.json", now=NOW, new_id=lambda: f"d{next(counter)}")
    with Store(path) as store:
        contacts, trips = store.contacts(), store.trips()
        assert 30 <= len(contacts) <= 60
        assert len({c.home.name for c in contacts}) >= 12
        assert len(trips) == 2 and all(t.start > NOW.date() for t in trips)
        assert store.profile().name == "Sam Rivera"
        for trip in trips:
            p = plan(trip, contacts, now=NOW)
            assert len(p.scheduled) >= 5, f"{trip.name} should have people to see"
            assert any(pr.candidate.contact.last_seen is None for pr in p.scheduled)
            for pr in p.scheduled:
                assert trip.is_free(pr.start, pr.end)
    with pytest.raises(FileExistsError):
        demo.build(path, now=NOW, new_id=lambda: "x")


def test_the_demo_busy_time_can_be_removed_like_any_other(tmp_path):
    """`busy rm ID` and the TUI's remove dialog name a block by its id: the demo's blocks need
    one, as every block added through the app or migrated from an older file has."""
    from irlmeet.core.service import Service
    from irlmeet.core.settings import Paths, Settings

    counter = itertools.count()
    path = demo.build(tmp_path / "demo.json", now=NOW, new_id=lambda: f"d{next(counter)}")
    settings = Settings(Paths(path, tmp_path / "c.toml", tmp_path / "cache", tmp_path / "themes"))
    svc = Service(Store(path), places=lambda: None, settings=settings, clock=lambda: NOW, new_id=lambda: "x")
    try:
        blocks = [b for t in svc.trips() for b in t.busy]
        assert blocks and all(b.id for b in blocks)
        assert len({b.id for b in blocks}) == len(blocks)
        removed = svc.remove_busy(blocks[0].id)
        assert removed.title == blocks[0].title
        assert blocks[0].id not in {b.id for t in svc.trips() for b in t.busy}
    finally:
        svc.store.close()
