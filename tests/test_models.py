from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.errors import ValidationError
from irlmeet.core.models import (
    BusyBlock,
    Circle,
    Contact,
    ContactPlace,
    Meetup,
    MeetupKind,
    MeetupStatus,
    Place,
    PlaceLabel,
    Profile,
    Trip,
    parse_date,
)
from tests.conftest import BERLIN, LISBON

BER = ZoneInfo("Europe/Berlin")


def _contact(**kw):
    base = dict(id="c1", name="Ada Brandt", places=(ContactPlace(BERLIN),))
    base.update(kw)
    return Contact(**base)


def test_contact_round_trips_through_plain_dicts():
    c = _contact(
        circle="both", how_we_met="PyCon DE", met_on="2024-05-02", emails=["ada@example.org"],
        phones=["+49 30 1234"], handles={"Mastodon": "ada@Example.social"}, linkedin="linkedin.com/in/Ada/",
        tags=["python", "python"],
        last_seen=date(2025, 1, 3), cadence_days="90", do_not_invite=False,
        places=(ContactPlace(BERLIN, "work"), ContactPlace(LISBON, PlaceLabel.OTHER)),
    )
    assert Contact.from_dict(c.to_dict()) == c
    assert c.circle is Circle.BOTH and c.cadence_days == 90
    assert c.tags == ("python",), "duplicate tags are folded"
    assert c.handles == {"mastodon": "@ada@example.social"}, "services lower case, handles in their usual form"
    assert c.linkedin == "https://www.linkedin.com/in/ada"
    assert c.home == BERLIN, "work is used when there is no home"


@pytest.mark.parametrize(
    ("kw", "field", "says"),
    [
        ({"name": "  "}, "name", "must not be empty"),
        ({"circle": "work"}, "circle", "professional, personal, both"),
        ({"emails": ["not-an-address"]}, "emails[0]", "not an email address"),
        ({"last_seen": "2024-02-30"}, "last_seen", "not a real date"),
        ({"last_seen": "14/02/2024"}, "last_seen", "YYYY-MM-DD"),
        ({"cadence_days": 0}, "cadence_days", "positive"),
    ],
)
def test_contact_validation_names_the_field(kw, field, says):
    with pytest.raises(ValidationError) as info:
        _contact(**kw)
    assert info.value.field == field
    assert says in str(info.value)


def test_trip_rejects_end_before_start_and_keeps_busy_sorted():
    with pytest.raises(ValidationError, match="ends .*2026-04-10.* before it starts .*2026-04-14"):
        Trip(id="t", name="Berlin", destination=BERLIN, start="2026-04-14", end="2026-04-10")
    late = BusyBlock(datetime(2026, 4, 15, 9, tzinfo=BER), datetime(2026, 4, 15, 17, tzinfo=BER), "talks")
    early = BusyBlock(datetime(2026, 4, 14, 9, tzinfo=BER), datetime(2026, 4, 14, 10, tzinfo=BER), "flight")
    trip = Trip(id="t", name="Berlin", destination=BERLIN, start="2026-04-14", end="2026-04-16", busy=(late, early))
    assert trip.busy == (early, late)
    assert Trip.from_dict(trip.to_dict()) == trip
    assert [d.day for d in trip.days()] == [14, 15, 16]
    assert not trip.is_free(datetime(2026, 4, 15, 12, tzinfo=BER), datetime(2026, 4, 15, 13, tzinfo=BER))
    assert trip.is_free(datetime(2026, 4, 15, 18, tzinfo=BER), datetime(2026, 4, 15, 19, tzinfo=BER))


def test_naive_times_are_refused():
    with pytest.raises(ValidationError, match="no time zone"):
        BusyBlock(datetime(2026, 4, 15, 9), datetime(2026, 4, 15, 10))


def test_meetup_keeps_its_zone_through_a_round_trip():
    start = datetime(2026, 3, 29, 10, 30, tzinfo=BER)  # the day Berlin moves to summer time
    m = Meetup(
        id="m1", trip_id="t1", contact_ids=("c1",), kind="coffee", start=start,
        end=start + timedelta(minutes=45), uid="x@irlmeet", updated=start,
    )
    back = Meetup.from_dict(m.to_dict())
    assert back == m
    assert back.start.tzinfo.key == "Europe/Berlin"
    assert back.kind is MeetupKind.COFFEE and back.status is MeetupStatus.IDEA
    with pytest.raises(ValidationError, match="not after the start"):
        replace(m, end=start)
    with pytest.raises(ValidationError, match="at least one person"):
        replace(m, contact_ids=())
    with pytest.raises(ValidationError, match="idea, planned, invited, confirmed, met, declined, cancelled, skipped, missed, dropped"):
        replace(m, status="maybe")


def test_place_validation_and_labels():
    assert BERLIN.label() == "Berlin, Germany"
    ny = Place(name="Brooklyn", region="NY", country_code="US", country="United States", lat=40.65, lon=-73.95, tz="America/New_York")
    assert ny.label() == "Brooklyn, NY, United States"
    with pytest.raises(ValidationError, match="not a known IANA time zone"):
        Place(name="X", country_code="DE", lat=1, lon=1, tz="Mars/Olympus")
    with pytest.raises(ValidationError, match="latitude"):
        Place(name="X", country_code="DE", lat=91, lon=1, tz="UTC")


def test_profile_round_trip_and_parse_date():
    p = Profile(name="Sam", home=LISBON)
    assert Profile.from_dict(p.to_dict()) == p
    assert Profile.from_dict(Profile().to_dict()) == Profile()
    assert parse_date("2026-04-14", "from") == date(2026, 4, 14)
    with pytest.raises(ValidationError, match="from: 'tomorrow' is not a date"):
        parse_date("tomorrow", "from")
