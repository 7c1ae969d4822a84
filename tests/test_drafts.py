"""Drafts as their recipients would read them: every channel, a realistic set of contacts."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from irlmeet.core.drafts import default_channel, draft
from irlmeet.core.errors import ValidationError
from irlmeet.core.models import (
    BusyBlock,
    Channel,
    Contact,
    ContactPlace,
    Meetup,
    Place,
    Profile,
    Trip,
)
from irlmeet.core.planner import options_for, plan
from irlmeet.core.settings import DraftSettings
from tests.conftest import BERLIN, NEW_YORK, POTSDAM

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
TODAY = NOW.date()
SAM = Profile(name="Sam Rivera")
TRIP = Trip(id="t1", name="DataConf Berlin", destination=BERLIN, start=date(2026, 12, 8), end=date(2026, 12, 10))
NYC = Trip(id="t2", name="NYC", destination=NEW_YORK, start=date(2026, 12, 8), end=date(2026, 12, 10))
SECRET = "SECRET-NOTE owes me 50 euros"
CHANNELS = ("email", "linkedin-note", "dm", "sms", "post")


def person(cid, name, place=BERLIN, **kw):
    kw.setdefault("notes", SECRET)
    return Contact(id=cid, name=name, places=(ContactPlace(place),), **kw)


# What in each draft is specific to the person (besides their name).
CAST = {
    "never-met online friend": (person(
        "ada", "Ada Brandt", emails=["ada@example.org"], met_at="PyCon DE 2024 sprints", met_via="Mastodon",
        topic="property-based testing", how_we_met="online, never met in person",
        handles={"mastodon": "@ada@example.social"}, linkedin="ada-brandt", phones=["+49 30 1234567"]), "PyCon DE 2024 sprints"),
    "old friend, nickname, personal": (person(
        "lena", "Lena Hoffmann", circle="personal", nickname="Leni", emails=["l@example.org"], phones=["+49 151 555 0101"],
        met_at="our Erasmus year in Lyon", last_seen=TODAY - timedelta(days=500), topic="your new flat"), "July 2025"),
    "lapsed colleague": (person(
        "jonas", "Jonas Weber", emails=["j@example.org"], last_seen=TODAY - timedelta(days=800), met_at="Zalando",
        topic="data contracts", how_we_met="he was my team lead"), "September 2024"),
    "new connection, only a LinkedIn URL": (person(
        "mira", "Mira Okafor", place=POTSDAM, linkedin="mira-okafor", met_on=TODAY - timedelta(days=30),
        met_via="a LinkedIn thread"), "LinkedIn thread"),
    "only a handle, how-we-met as a phrase": (person(
        "kim", "Kim Park", handles={"bluesky": "kim.bsky.social"}, how_we_met="the Berlin Rust meetup"), "Rust meetup"),
    "US reader": (person(
        "bob", "Bob Smith", place=NEW_YORK, emails=["b@example.com"], met_at="Strange Loop",
        last_seen=date(2024, 9, 20)), "September 2024"),
}


def trip_for(contact):
    return NYC if contact.id == "bob" else TRIP


def make(contact, channel=None, **kw):
    trip = trip_for(contact)
    return draft(plan(trip, [contact], now=NOW), contact.id, SAM, now=NOW, channel=channel, **kw)


TIME_24 = re.compile(r"\b(?:[01]\d|2[0-3]):[0-5]\d\b(?! ?[ap]m)")
TIME_12 = re.compile(r"\b(?:1[0-2]|[1-9])(?::[0-5]\d)? (?:am|pm)\b|\bnoon\b")
EASY_OUT = re.compile(r"no worries|no pressure|another time|reply or dm|drop me a line|if you can make it", re.IGNORECASE)
THIRD_PERSON = re.compile(r"\b(?:he|she|him|his|her|hers)\b", re.IGNORECASE)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", list(CAST))
def test_every_channels_draft_reads_as_written_to_them(case, channel):
    contact, specific = CAST[case]
    d = make(contact, channel)
    text = d.text()
    assert d.channel.value == channel
    # Within its cap.
    if d.cap is not None:
        assert len(d.body) <= d.cap, (len(d.body), d.body)
    else:
        city = trip_for(contact).destination.name  # a city's name counts as one word
        assert len(d.body.split()) <= 125 and 3 <= len(d.subject.replace(city, "X").split()) <= 4, d.text()
    # At least two concrete times, in the reader's zone and clock style, with weekday.
    assert len(d.options) >= 2
    us = contact.id == "bob"
    reader_tz = ZoneInfo(contact.places[0].place.tz) if channel != "post" else trip_for(contact).zone
    for o in d.options:
        assert o.start.utcoffset() == o.start.astimezone(reader_tz).utcoffset()
    times = (TIME_12 if us else TIME_24).findall(d.body)
    assert len(times) >= 2, d.body
    assert not (TIME_24 if us else TIME_12).findall(d.body), d.body
    assert re.search(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)", d.body)
    # Personal, an easy out, never the notes, no doubled never-met, no third person.
    if channel != "post":
        assert contact.greeting_name in d.body
        assert specific in d.body, d.body
    assert EASY_OUT.search(d.body), d.body
    assert "SECRET" not in text and "50 euros" not in text
    assert "never met in person" not in text
    assert not THIRD_PERSON.search(text), text
    assert "{" not in text and "}" not in text
    for ask in ("job", "referral", "pick your brain", "opportunit", "hiring"):
        assert ask not in text.lower()


def test_us_readers_get_the_month_first_and_12_hour_clock():
    bob, _ = CAST["US reader"]
    d = make(bob, "email")
    assert re.search(r"Tuesday, December 8 at 1 pm", d.body), d.body  # lunch, an hour after arriving at noon
    assert "from December 8 to 10" in d.body
    assert all(o.start.tzinfo is not None and o.start.utcoffset() == timedelta(hours=-5) for o in d.options)


def test_a_reader_in_another_zone_sees_their_time_and_the_trips_beside_it():
    el_paso = Place(name="El Paso", region="TX", country_code="US", country="United States", lat=31.76, lon=-106.49, tz="America/Denver")
    juarez = Place(name="Ciudad Juárez", region="Chihuahua", country_code="MX", country="Mexico", lat=31.72, lon=-106.46, tz="America/Chicago")
    trip = Trip(id="t3", name="El Paso", destination=el_paso, start=date(2027, 1, 12), end=date(2027, 1, 13))
    ana = person("ana", "Ana Ruiz", place=juarez, emails=["ana@example.mx"], met_at="a panel in Austin")
    d = draft(plan(trip, [ana], now=NOW), "ana", SAM, now=NOW, channel="email")
    first = d.options[0].start
    assert first.utcoffset() == timedelta(hours=-6)  # Chicago's zone, the reader's
    assert f"{first:%H:%M} ({first.astimezone(ZoneInfo('America/Denver')):%H:%M} El Paso time)" in d.body


def test_the_same_inputs_give_the_same_draft_and_variants_cycle():
    ada, _ = CAST["never-met online friend"]
    assert make(ada, "email") == make(ada, "email")
    bodies = {make(ada, "email", variant=n).body for n in (1, 2, 3)}
    assert len(bodies) == 3
    assert make(ada, "email", variant=4).body == make(ada, "email", variant=1).body
    assert make(ada, "email", variant=2).variant == 2 and make(ada, "email").variants == 3
    # Different people get different wording (not a mail merge).
    people = [person(f"c{i}", f"Person{i} Example", emails=[f"c{i}@example.org"], met_at="the Berlin Rust meetup") for i in range(8)]
    shapes = {re.sub(r"Person\d", "X", make(c, "email").body) for c in people}
    assert len(shapes) >= 4


def test_relationships_get_different_notes():
    ada, lena, jonas, mira = (CAST[k][0] for k in ("never-met online friend", "old friend, nickname, personal", "lapsed colleague", "new connection, only a LinkedIn URL"))
    cases = {c.id: make(c, "email").case for c in (ada, lena, jonas, mira)}
    assert cases == {"ada": "never-met", "lena": "old-friend", "jonas": "colleague", "mira": "new-connection"}
    lena_d = make(lena, "email")
    assert lena_d.body.startswith(("Hey Leni,", "Hi Leni,")) and "for work" not in lena_d.body
    # The old friend's note uses your shared history: when you last saw each other, the topic.
    assert "July 2025" in lena_d.body and "your new flat" in lena_d.body
    jonas_d = make(jonas, "email")
    assert "for work" in jonas_d.body or "Work is taking me" in jonas_d.body
    assert "data contracts" in jonas_d.body


def test_options_come_from_free_slots_and_a_work_contact_gets_weekdays():
    # Fri 11 to Tue 15 December; busy all of Friday (and the light travel days: Tuesday ends at
    # 16:00), so the weekend is where most free time is, and a work contact gets none of it.
    trip = Trip(id="t4", name="Berlin", destination=BERLIN, start=date(2026, 12, 11), end=date(2026, 12, 15),
                busy=(BusyBlock(datetime(2026, 12, 11, 8, 0, tzinfo=BERLIN.zone), datetime(2026, 12, 11, 20, 0, tzinfo=BERLIN.zone), "talks"),))
    jonas = person("jonas", "Jonas Weber", emails=["j@example.org"], last_seen=date(2024, 1, 1))
    other = person("eva", "Eva Klein", emails=["e@example.org"])
    the_plan = plan(trip, [jonas, other], now=NOW)
    opts = options_for(the_plan, "jonas", now=NOW, n=3)
    taken = the_plan.for_contact("eva")
    proposed = the_plan.for_contact("jonas")
    assert len(opts) == 3 and proposed.start in [o.start for o in opts]
    for o in opts:
        assert trip.is_free(o.start - timedelta(minutes=15), o.end + timedelta(minutes=15))
        assert not (o.start < taken.end and taken.start < o.end)
        assert o.start.weekday() < 5 or o.start == proposed.start, "alternatives for work are on weekdays"
    assert opts == sorted(opts, key=lambda o: o.start)
    # On a plain Tuesday-to-Thursday trip the three options fall on three days.
    spread = options_for(plan(TRIP, [jonas], now=NOW), "jonas", now=NOW, n=3)
    assert len({o.start.date() for o in spread}) == 3


def test_default_channel_follows_preference_then_what_they_have():
    assert default_channel(person("a", "A B", emails=["a@example.org"], phones=["+49 30 1234567"], preferred="phone")) is Channel.SMS
    assert default_channel(person("a", "A B", emails=["a@example.org"])) is Channel.EMAIL
    assert default_channel(person("a", "A B", handles={"mastodon": "@a@example.social"})) is Channel.DM
    assert default_channel(person("a", "A B", linkedin="a-b-123")) is Channel.DM
    assert default_channel(person("a", "A B", phones=["+49 30 1234567"])) is Channel.SMS
    kim, _ = CAST["only a handle, how-we-met as a phrase"]
    d = make(kim)
    assert d.channel is Channel.DM and d.to == "bluesky: kim.bsky.social" and d.cap == 280 or d.cap == 300


def test_linkedin_note_warns_about_the_monthly_limit_and_the_cap_is_settable():
    mira, _ = CAST["new connection, only a LinkedIn URL"]
    d = make(mira, "linkedin-note")
    assert d.cap == 200 and any("5 personalised invitation notes a month" in h for h in d.hints)
    premium = make(mira, "linkedin-note", caps=DraftSettings(linkedin_note_cap=300))
    assert premium.cap == 300 and len(premium.body) <= 300
    assert len(premium.body) >= len(d.body)


def test_notes_like_how_we_met_is_never_pasted():
    jonas, _ = CAST["lapsed colleague"]
    ada, _ = CAST["never-met online friend"]
    odd = person("z", "Zoe Lang", emails=["z@example.org"], how_we_met="she gave the keynote at PyData")
    d = make(odd, "email")
    assert "keynote" not in d.body and any("reads like a note" in h for h in d.hints)
    assert "team lead" not in make(jonas, "email").body
    assert "online, never met" not in make(ada, "email").body


def test_follow_up_thanks_them_and_names_the_topic():
    ada, _ = CAST["never-met online friend"]
    start = datetime(2026, 12, 9, 10, 30, tzinfo=BERLIN.zone)
    met = Meetup(id="m1", trip_id="t1", contact_ids=("ada",), kind="coffee", start=start, end=start + timedelta(minutes=45),
                 uid="u1", status="met")
    the_plan = plan(TRIP, [ada], now=NOW, planned=[met])
    for channel in ("email", "dm", "sms"):
        d = draft(the_plan, "ada", SAM, now=NOW, channel=channel, follow_up=met)
        assert "property-based testing" in d.body and "Wednesday" in d.body
        assert d.case == "follow-up" and d.options == ()
        assert re.search(r"thank", d.body, re.IGNORECASE)
        assert len(d.body.split()) < 80
    assert draft(the_plan, "ada", SAM, now=NOW, channel="email", follow_up=met).subject


def test_no_slot_or_unknown_channel_is_a_clear_error():
    ada, _ = CAST["never-met online friend"]
    with pytest.raises(ValidationError, match="carrier pigeon"):
        make(ada, "carrier pigeon")
    over = Trip(id="t9", name="Old", destination=BERLIN, start=date(2026, 1, 5), end=date(2026, 1, 6))
    with pytest.raises(ValidationError, match="no free slot"):
        draft(plan(over, [ada], now=NOW), "ada", SAM, now=NOW)


def test_user_templates_override_and_a_broken_one_falls_back_with_its_file_and_line(tmp_path):
    ada, _ = CAST["never-met online friend"]
    (tmp_path / "sms.txt").write_text("# mine\n{greeting} {opener} {ask} {options} {easy_out} Sammy\n", encoding="utf-8")
    d = make(ada, "sms", templates_dir=tmp_path)
    assert d.body.endswith("Sammy") and d.template == str(tmp_path / "sms.txt")
    (tmp_path / "email.txt").write_text("Subject: hi\n{greeting}\n\n{how_we_met_typo}\n", encoding="utf-8")
    d = make(ada, "email", templates_dir=tmp_path)
    assert d.template == "built-in:email.txt"
    assert any(f"{tmp_path / 'email.txt'}, line 4" in h and "how_we_met_typo" in h for h in d.hints)
    (tmp_path / "dm.txt").write_text("{greeting}\n{opener\n", encoding="utf-8")
    d = make(ada, "dm", templates_dir=tmp_path)
    assert d.template == "built-in:dm.txt" and any("line 2" in h and "lone" in h for h in d.hints)
    # Nothing in a template is executed: attribute and format tricks stay literal or are refused.
    (tmp_path / "sms.txt").write_text("{greeting.__class__} {greeting!r}\n", encoding="utf-8")
    d = make(ada, "sms", templates_dir=tmp_path)
    assert d.template == "built-in:sms.txt" and "class" not in d.body


def test_builtin_templates_ship_in_the_package():
    from importlib import resources

    names = {p.name for p in resources.files("irlmeet").joinpath("templates").iterdir()}
    assert {"email.txt", "linkedin-note.txt", "dm.txt", "sms.txt", "post.txt", "follow-up.txt", "follow-up-email.txt"} <= names


def test_options_keep_clear_of_held_meetups_and_an_invitation_out_keeps_its_one_time():
    """Options follow the plan's own rules and the life cycle: a meetup only accepted (planned)
    still gets alternatives beside its time; once invited it keeps its one time; another
    person's held meetup is never offered."""
    jonas = person("jonas", "Jonas Weber", emails=["j@example.org"], last_seen=date(2024, 1, 1))
    eva = person("eva", "Eva Klein", emails=["e@example.org"])
    first = plan(TRIP, [jonas, eva], now=NOW)
    p = first.for_contact("jonas")
    mine = Meetup(id="m1", trip_id=TRIP.id, contact_ids=("jonas",), kind=p.kind, start=p.start, end=p.end,
                  uid="m1@irlmeet", status="planned")
    thu = datetime(2026, 12, 10, 12, 0, tzinfo=BERLIN.zone)  # where a third option would go
    hers = Meetup(id="m2", trip_id=TRIP.id, contact_ids=("eva",), kind="lunch", start=thu,
                  end=thu + timedelta(hours=1), uid="m2@irlmeet", status="confirmed")
    planned = plan(TRIP, [jonas, eva], now=NOW, planned=[mine, hers])
    opts = options_for(planned, "jonas", now=NOW, n=3)
    assert len(opts) == 3 and p.start in [o.start for o in opts]
    assert all(o.end + timedelta(minutes=30) <= hers.start or hers.end + timedelta(minutes=30) <= o.start for o in opts)
    invited = plan(TRIP, [jonas, eva], now=NOW, planned=[dataclasses.replace(mine, status="invited"), hers])
    assert [o.start for o in options_for(invited, "jonas", now=NOW, n=3)] == [p.start]
