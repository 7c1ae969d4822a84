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
