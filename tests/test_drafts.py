from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.drafts import draft, format_when
from irlmeet.core.errors import ValidationError
from irlmeet.core.models import Contact, ContactPlace, Place, Profile, Trip
from irlmeet.core.planner import plan
from tests.conftest import BERLIN, POTSDAM

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
TODAY = NOW.date()
SAM = Profile(name="Sam Rivera")
TRIP = Trip(id="t1", name="DataConf Berlin", destination=BERLIN, start=date(2026, 12, 8), end=date(2026, 12, 10))


def person(cid, name, place=BERLIN, **kw):
    kw.setdefault("emails", [f"{cid}@example.org"])
    return Contact(id=cid, name=name, places=(ContactPlace(place),), **kw)


def draft_for(contact, trip=TRIP, profile=SAM):
    p = plan(trip, [contact], now=NOW).for_contact(contact.id)
    return p, draft(p, trip, profile, today=TODAY)


def test_an_online_only_contact_gets_a_personal_low_pressure_email():
    ada = person("ada", "Ada Brandt", how_we_met="met at PyCon DE 2024 sprints")
    proposal, d = draft_for(ada)
    assert d.to == "ada@example.org"
    assert d.body.startswith(("Hi Ada,", "Hello Ada,"))
    assert "PyCon DE 2024 sprints" in d.body and "met at met at" not in d.body
    assert "Berlin" in d.subject and "Dec 2026" in d.subject
    assert "I'll be in Berlin from 8 to 10 December for work." in d.body
    assert "somewhere in central Berlin." in d.body
    assert format_when(proposal.start, "Europe/Berlin") in d.body
    assert re.search(r"no worries|just say no|No pressure", d.body), "saying no must be easy"
    assert d.body.rstrip().endswith("Sam Rivera")
    for ask in ("job", "opportunit", "hiring", "referral", "pick your brain", "{", "}"):
        assert ask not in d.body.lower()
    assert len(d.body.split()) < 120, "short"
    assert d.warnings == ()
    assert d.text().startswith(f"Subject: {d.subject}\n\n")


def test_drafts_are_stable_but_not_a_mail_merge():
    people = [person(f"c{i}", f"Person{i} Example", how_we_met="the Berlin Rust meetup") for i in range(8)]
    bodies = []
    for c in people:
        _, d1 = draft_for(c)
        _, d2 = draft_for(c)
        assert d1 == d2, "the same contact gets the same draft each time"
        bodies.append(re.sub(r"Person\d|\w+day \d+ \w+ at \d\d:\d\d|c\d@example.org", "X", d1.body))
    assert len(set(bodies)) >= 4, "eight people should not all get the same sentences"


def test_long_unseen_ties_get_a_catch_up_and_personal_circle_a_warmer_tone():
    jonas = person("jonas", "Jonas Weber", how_we_met="the maintainers' call", last_seen=TODAY - timedelta(days=800))
    _, d = draft_for(jonas)
    assert "since" in d.body and f"{jonas.last_seen:%B %Y}" in d.body
    assert "never" not in d.body
    lena = person("lena", "Lena Hoffmann", circle="personal", how_we_met="our Erasmus year", last_seen=TODAY - timedelta(days=500))
    _, d = draft_for(lena)
    assert d.body.startswith(("Hey Lena,", "Hi Lena,"))
    assert "for work" not in d.body, "personal notes don't lead with work"


def test_missing_details_become_hints_not_invented_text():
    robin = person("robin", "Robin Schulz [ex-Zalando]", emails=[])
    _, d = draft_for(robin, profile=Profile())
    assert d.to == ""
    assert "Hi Robin," in d.body or "Hello Robin," in d.body
    joined = " | ".join(d.warnings)
    assert "add how you met" in joined and "no email address" in joined and "set your name" in joined


def test_the_time_is_offered_in_the_readers_zone():
    # A contact just across a time-zone border from the destination.
    el_paso = Place(name="El Paso", region="TX", country_code="US", country="United States", lat=31.76, lon=-106.49, tz="America/Denver")
    juarez = Place(name="Ciudad Juárez", region="Chihuahua", country_code="MX", country="Mexico", lat=31.72, lon=-106.46, tz="America/Chicago")
    trip = Trip(id="t2", name="El Paso", destination=el_paso, start=date(2027, 1, 12), end=date(2027, 1, 12))
    contact = person("ana", "Ana Ruiz", place=juarez, how_we_met="a panel")
    proposal, d = draft_for(contact, trip=trip)
    theirs = format_when(proposal.start, "America/Chicago")
    assert theirs in d.body
    assert f"{proposal.start.astimezone(ZoneInfo('America/Denver')):%H:%M} El Paso time" in d.body


def test_no_slot_or_unknown_channel_is_a_clear_error():
    ada = person("ada", "Ada Brandt")
    p = plan(TRIP, [ada], now=NOW).for_contact("ada")
    with pytest.raises(ValidationError, match="not available yet"):
        draft(p, TRIP, SAM, channel="linkedin", today=TODAY)
    with pytest.raises(ValidationError, match="carrier pigeon"):
        draft(p, TRIP, SAM, channel="carrier pigeon", today=TODAY)
    with pytest.raises(ValidationError, match="no free slot"):
        draft(replace(p, kind=None, start=None, end=None), TRIP, SAM, today=TODAY)


def test_a_contact_outside_the_city_is_offered_a_place_near_them():
    mira = person("mira", "Mira Okafor", place=POTSDAM, how_we_met="a LinkedIn thread")
    proposal, d = draft_for(mira)
    assert proposal.where == "near Potsdam"
    assert "somewhere near Potsdam so it's easy for you" in d.body
