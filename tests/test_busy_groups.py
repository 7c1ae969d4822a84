"""Busy time, trip arrival/departure, ranking reasons with points, group evenings and RSVPs, the
planning config, and the schema-3 migration (issue 7 items 3-6), through the CLI and real files."""

from __future__ import annotations

import json
from datetime import date, datetime

import orjson
import pytest

from irlmeet.core.errors import ConfigError
from irlmeet.core.models import Circle, Contact, ContactPlace, Trip
from irlmeet.core.planner import rank
from irlmeet.core.settings import Paths, Settings
from irlmeet.core.store import Store
from irlmeet.core.store.steps import v2_to_v3
from tests.conftest import BERLIN


@pytest.fixture
def trip_id(irlmeet):
    return irlmeet("trip", "add", "Berlin", "--from", "2027-05-10", "--to", "2027-05-14", "--arrive", "10:00").out.strip()


def test_busy_add_list_rm_and_the_plan_keeps_off_it(irlmeet, trip_id):
    for name in ("Ada Brandt", "Jonas Weber", "Mira Okafor"):
        irlmeet("contact", "add", name, "--city", "Berlin")
    bid = irlmeet("busy", "add", trip_id, "--from", "2027-05-12 09:00", "--to", "2027-05-12 17:00",
                  "--title", "Conference talks").out.strip()
    listed = json.loads(irlmeet("busy", "list", trip_id, "--json").out)
    assert listed == [{"id": bid, "start": "2027-05-12T09:00:00+02:00", "end": "2027-05-12T17:00:00+02:00",
                       "title": "Conference talks"}]
    plan = json.loads(irlmeet("plan", trip_id, "--json").out)
    assert plan["busy"] == listed
    for p in plan["proposals"]:
        start, end = datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"])
        assert not (start < datetime.fromisoformat("2027-05-12T17:30:00+02:00")
                    and end > datetime.fromisoformat("2027-05-12T08:30:00+02:00")), "off busy time and its buffer"
        assert start >= datetime.fromisoformat("2027-05-10T11:00:00+02:00"), "not before arrival plus a buffer"
        assert p["score"] == round(sum(r["points"] for r in p["breakdown"]), 1)
    text = irlmeet("plan", trip_id).out
    assert "Wed 12 May 09:00-17:00  Conference talks" in text and "never met in person (+100)" in text
    irlmeet("busy", "rm", bid)
    assert json.loads(irlmeet("busy", "list", trip_id, "--json").out) == []
    bad = irlmeet("busy", "rm", bid, ok=False)
    assert bad.code != 0 and "no busy block matches" in bad.err


@pytest.mark.parametrize(
    ("start", "end", "says"),
    [
        ("2027-05-12 19:00", "2027-05-12 17:00", "--to: 2027-05-12 17:00 is not after the start"),
        ("2027-05-20 09:00", "2027-05-20 10:00", "--from: 2027-05-20 09:00 is outside the trip"),
        ("2027-05-14 22:00", "2027-05-15 01:00", "--to: 2027-05-15 01:00 is outside the trip"),
        ("12.5.2027 9:00", "2027-05-12 10:00", '--from: \'12.5.2027 9:00\' is not a date and time in the form "YYYY-MM-DD HH:MM"'),
        ("2027-05-12 25:00", "2027-05-12 10:00", "--from: '2027-05-12 25:00' is not a real date and time"),
    ],
)
def test_bad_busy_times_name_the_flag_and_store_nothing(irlmeet, trip_id, start, end, says):
    bad = irlmeet("busy", "add", trip_id, "--from", start, "--to", end, ok=False)
    assert bad.code != 0 and says in bad.err
    assert json.loads(irlmeet("busy", "list", trip_id, "--json").out) == []


def test_a_time_the_clocks_skip_is_refused(irlmeet):
    tid = irlmeet("trip", "add", "Berlin", "--from", "2027-03-27", "--to", "2027-03-29").out.strip()
    bad = irlmeet("busy", "add", tid, "--from", "2027-03-28 02:30", "--to", "2027-03-28 04:00", ok=False)
    assert "--from: 2027-03-28 02:30 does not exist in Europe/Berlin" in bad.err


def test_trip_flags_weekends_and_departure(irlmeet):
    tid = irlmeet("trip", "add", "Berlin", "--from", "2027-05-14", "--to", "2027-05-16", "--leave", "13:00").out.strip()
    irlmeet("contact", "add", "Work Person", "--city", "Berlin")
    irlmeet("contact", "add", "Old Friend", "--city", "Berlin", "--circle", "personal")
    plan = {p["name"]: p for p in json.loads(irlmeet("plan", tid, "--json").out)["proposals"]}
    work = datetime.fromisoformat(plan["Work Person"]["start"])
    assert work.weekday() < 5, "work meetups on Friday, not the weekend"
    irlmeet("trip", "edit", tid, "--weekends", "--arrive", "15:00")
    trip = json.loads(irlmeet("trip", "list", "--json").out)[0]
    assert trip["weekends"] is True and trip["arrive"] == "15:00" and trip["leave"] == "13:00"
    for p in json.loads(irlmeet("plan", tid, "--json").out)["proposals"]:
        end = datetime.fromisoformat(p["end"])
        assert end <= datetime.fromisoformat("2027-05-16T12:00:00+02:00"), "nothing after leaving minus a buffer"
    bad = irlmeet("trip", "edit", tid, "--arrive", "9h", ok=False)
    assert "--arrive: '9h' is not a time of day in the form HH:MM" in bad.err


def test_group_evening_is_offered_per_circle_stored_and_answered(irlmeet, trip_id):
    for name in ("Ana Lima", "Ben Ode", "Cleo Park"):
        irlmeet("contact", "add", name, "--city", "Berlin", "--circle", "personal")
    irlmeet("contact", "add", "Dev Rao", "--city", "Berlin")  # professional: never in a personal group
    plan = json.loads(irlmeet("plan", trip_id, "--json").out)
    assert [g["circle"] for g in plan["groups"]] == ["personal"]
    group = plan["groups"][0]
    assert sorted(p["name"] for p in group["people"]) == ["Ana Lima", "Ben Ode", "Cleo Park"]
    assert group["kind"] == "dinner" and datetime.fromisoformat(group["start"]).hour >= 17
    stored = json.loads(irlmeet("meetup", "group", trip_id, "--circle", "personal", "--json").out)
    assert stored["status"] == "planned" and set(stored["rsvp"].values()) == {"invited"}
    assert stored["start"]["at"] == group["start"]
    irlmeet("meetup", "rsvp", stored["id"], "Ben", "yes")
    after = json.loads(irlmeet("meetup", "rsvp", stored["id"], "Cleo", "maybe", "--json").out)
    names = {p["name"]: p["contact_id"] for p in group["people"]}
    assert after["rsvp"] == {names["Ana Lima"]: "invited", names["Ben Ode"]: "yes", names["Cleo Park"]: "maybe"}
    # the group now stands for its people: no 1:1 beside it, and no second personal group
    again = json.loads(irlmeet("plan", trip_id, "--json").out)
    for p in again["proposals"]:
        if p["name"] != "Dev Rao":
            assert p["note"] == "already planned" and p["start"] == group["start"]
    assert again["groups"] == []
    bad = irlmeet("meetup", "rsvp", stored["id"], "Dev", "yes", ok=False)
    assert bad.code != 0
    bad = irlmeet("meetup", "group", trip_id, "--circle", "professional", ok=False)
    assert "--circle: no professional group evening to offer" in bad.err


def test_overdue_reason_and_points():
    day = date(2027, 5, 10)
    ada = Contact(id="a", name="Ada", places=(ContactPlace(BERLIN),), last_seen=date(2025, 12, 1),
                  cadence_days=180, closeness=2, last_contacted=date(2027, 4, 1))
    trip = Trip(id="t", name="T", destination=BERLIN, start=day, end=day)
    [cand] = rank(trip, [ada], today=date(2026, 11, 1))  # counted as of the trip, not today
    texts = {r.text: r.points for r in cand.breakdown}
    assert "overdue: you aim for every 6 months, last seen 17 months ago" in texts
    assert texts["loose tie (2/5)"] == -4
    assert cand.score == round(sum(texts.values()), 1)


def test_a_recent_decline_asks_more_gently():
    from irlmeet.core.models import Meetup

    day = date(2027, 5, 10)
    trip = Trip(id="t", name="T", destination=BERLIN, start=day, end=day)
    a = Contact(id="a", name="A", places=(ContactPlace(BERLIN),))
    b = Contact(id="b", name="B", places=(ContactPlace(BERLIN),))
    when = datetime(2027, 1, 5, 12, 0, tzinfo=BERLIN.zone)
    declined = Meetup(id="m", trip_id="old", contact_ids=("a",), kind="coffee", start=when,
                      end=when.replace(hour=13), uid="u", status="declined")
    ranked = rank(trip, [a, b], today=day, meetups=[declined])
    assert [c.contact.id for c in ranked] == ["b", "a"]
    assert any(r.text.startswith("declined last time (Jan 2027)") and r.points < 0 for r in ranked[1].breakdown)


def _settings(tmp_path, text: str) -> Settings:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    return Settings.load(Paths(tmp_path / "d.json", cfg, tmp_path / "cache", tmp_path / "themes"))


def test_planning_config_is_read_value_by_value(tmp_path):
    s = _settings(tmp_path, '[planning]\nmax_per_day = 2\nbuffer_minutes = 45\narrive = "09:30"\n'
                            '[day_parts.lunch]\nfrom = "11:30"\nminutes = 75\n')
    rules = s.planning
    assert (rules.max_per_day, rules.buffer_minutes, rules.arrive.hour, rules.arrive.minute) == (2, 45, 9, 30)
    lunch = rules.part("lunch")
    assert (lunch.start.hour, lunch.start.minute, lunch.end.hour, lunch.minutes) == (11, 30, 14, 75)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[planning]\nmax_per_day = 0\n", "planning.max_per_day must be a whole number from 1 to 12, got 0"),
        ("[planning]\nbuffer = 5\n", "unknown setting planning.buffer"),
        ('[planning]\narrive = "9am"\n', "planning.arrive: '9am' is not a time of day"),
        ('[day_parts.brunch]\nfrom = "10:00"\n', "unknown day part day_parts.brunch"),
        ('[day_parts.dinner]\nfrom = "21:00"\nto = "20:00"\n', "day_parts.dinner.to (20:00) must be after day_parts.dinner.from (21:00)"),
        ("[day_parts.coffee]\nminutes = 500\n", "day_parts.coffee.minutes (500) does not fit between from and to"),
        ("[day_parts.lunch]\nminutes = true\n", "day_parts.lunch.minutes must be a whole number"),
    ],
)
def test_a_bad_planning_value_names_file_and_key(tmp_path, text, says):
    with pytest.raises(ConfigError) as exc:
        _settings(tmp_path, text)
    assert str(tmp_path / "config.toml") in str(exc.value) and says in str(exc.value)


def test_schema_2_file_gains_busy_ids_trip_times_and_rsvp(tmp_path):
    db = tmp_path / "irlmeet.json"
    trip = Trip(id="t1", name="T", destination=BERLIN, start=date(2027, 5, 10), end=date(2027, 5, 12))
    with Store(db) as s:
        s.put_trip(trip)
    raw = orjson.loads(db.read_bytes())
    doc = raw["trips"]["t1"]
    for key in ("arrive", "leave", "weekends"):
        doc.pop(key)
    doc["busy"] = [{"start": {"at": "2027-05-11T09:00:00+02:00", "tz": "Europe/Berlin"},
                    "end": {"at": "2027-05-11T17:00:00+02:00", "tz": "Europe/Berlin"}, "title": "Talks"}]
    raw["_meta"]["meta"]["schema"] = 2
    db.write_bytes(orjson.dumps(raw))
    migrated = v2_to_v3(orjson.loads(db.read_bytes()))
    assert migrated == v2_to_v3(orjson.loads(db.read_bytes())), "the same file gets the same ids"
    with Store(db) as s:
        t = s.trip("t1")
        assert t.busy[0].id and t.busy[0].title == "Talks" and t.arrive is None and t.weekends is False
    assert db.with_name(db.name + ".v2.bak").exists()


def test_circles_never_mix_in_a_group():
    from irlmeet.core.planner import plan

    people = [Contact(id=f"p{i}", name=f"P{i}", places=(ContactPlace(BERLIN),), circle=Circle.PROFESSIONAL) for i in range(2)]
    people += [Contact(id=f"f{i}", name=f"F{i}", places=(ContactPlace(BERLIN),), circle=Circle.PERSONAL) for i in range(2)]
    people += [Contact(id="b0", name="B0", places=(ContactPlace(BERLIN),), circle=Circle.BOTH)]
    trip = Trip(id="t", name="T", destination=BERLIN, start=date(2027, 5, 10), end=date(2027, 5, 12))
    the_plan = plan(trip, people, now=datetime(2027, 5, 1, tzinfo=BERLIN.zone))
    assert len(the_plan.groups) == 1, "two groups of 2 + one 'both' make only one group of 3"
    g = the_plan.groups[0]
    assert g.circle is Circle.PERSONAL and {c.contact.id for c in g.candidates} == {"f0", "f1", "b0"}
