from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from irlmeet.core.models import BusyBlock, Circle, Contact, ContactPlace, Meetup, MeetupKind, MeetupStatus, Trip
from irlmeet.core.planner import days_label, plan, rank, sync_ideas
from tests.conftest import BERLIN, HAMBURG, LISBON, POTSDAM

BER = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=ZoneInfo("Europe/Lisbon"))
TODAY = NOW.date()


def person(cid, name, place=BERLIN, **kw):
    return Contact(id=cid, name=name, places=(ContactPlace(place),), **kw)


def trip(**kw):
    base = dict(id="t1", name="DataConf Berlin", destination=BERLIN, start=date(2026, 12, 8), end=date(2026, 12, 10))
    base.update(kw)
    return Trip(**base)


def test_only_people_near_the_destination_are_ranked_and_never_met_come_first():
    contacts = [
        person("seen-recently", "Tomasz", last_seen=TODAY - timedelta(days=30)),
        person("long-unseen", "Jonas", last_seen=TODAY - timedelta(days=800)),
        person("online-only", "Ada"),
        person("potsdam", "Mira", place=POTSDAM, last_seen=TODAY - timedelta(days=400)),
        person("hamburg", "Felix", place=HAMBURG),  # 255 km away
        person("lisbon", "Inês", place=LISBON),
        person("dni", "Sofia", do_not_invite=True),
    ]
    ranked = rank(trip(), contacts, today=TODAY)
    order = [c.contact.id for c in ranked]
    assert order == ["online-only", "long-unseen", "potsdam", "seen-recently"]
    assert "never met in person" in ranked[0].reasons
    assert any("not seen in person for 2 years" in r for r in ranked[1].reasons)
    assert ranked[2].distance_km > 20  # Potsdam is ~27 km out
    assert any("km away" in r for r in ranked[2].reasons)


def test_cadence_and_new_connections_raise_the_score():
    a = person("a", "A", last_seen=TODAY - timedelta(days=200))
    b = person("b", "B", last_seen=TODAY - timedelta(days=200), cadence_days=60)
    ranked = rank(trip(), [a, b], today=TODAY)
    assert ranked[0].contact.id == "b"
    assert any("overdue" in r for r in ranked[0].reasons)
    new = person("n", "New", met_on=TODAY - timedelta(days=20))
    old = person("o", "Old", met_on=TODAY - timedelta(days=2000))
    ranked = rank(trip(), [old, new], today=TODAY)
    assert [c.contact.id for c in ranked] == ["n", "o"]
    assert any(r.startswith("new connection") for r in ranked[0].reasons)


def test_slots_are_in_the_destination_zone_inside_the_trip_and_around_busy_time():
    talks = BusyBlock(datetime(2026, 12, 9, 9, 0, tzinfo=BER), datetime(2026, 12, 9, 17, 30, tzinfo=BER), "talks")
    t = trip(busy=(talks,))
    contacts = [person(f"c{i}", f"Person {i}") for i in range(7)]
    p = plan(t, contacts, now=NOW)
    scheduled = p.scheduled
    assert len(scheduled) == 7
    starts = []
    for prop in scheduled:
        assert prop.start.tzinfo.key == "Europe/Berlin"
        assert t.start <= prop.start.date() <= t.end
        assert prop.end > prop.start
        assert not talks.overlaps(prop.start - timedelta(minutes=15), prop.end + timedelta(minutes=15))
        starts.append((prop.start, prop.end))
    for (s1, e1), (s2, e2) in itertools.combinations(starts, 2):
        assert e1 <= s2 or e2 <= s1, "two proposals overlap"
    per_day = {}
    for s, _ in starts:
        per_day[s.date()] = per_day.get(s.date(), 0) + 1
    assert max(per_day.values()) <= 3
    # a first meeting is offered a coffee when one is free
    assert scheduled[0].kind is MeetupKind.COFFEE


def test_when_the_trip_is_full_the_rest_get_an_honest_note():
    busy = tuple(
        BusyBlock(datetime(2026, 12, d, 7, tzinfo=BER), datetime(2026, 12, d, 23, tzinfo=BER), "all day")
        for d in (8, 9)
    )
    t = trip(busy=busy)
    contacts = [person(f"c{i}", f"P{i}") for i in range(5)]
    p = plan(t, contacts, now=NOW)
    assert len(p.scheduled) == 3  # only 10 Dec is free, 3 a day
    unplaced = [x for x in p.proposals if not x.has_slot]
    assert len(unplaced) == 2 and all("no free slot" in x.note for x in unplaced)


def test_no_slot_is_proposed_in_the_past_of_a_trip_under_way():
    """The minimum notice is three hours, to the minute: a slot exactly 3 h ahead is offered,
    one 2 h 59 min ahead is not (and a trip under way still gets its later slots). Personal
    contacts on a day open from morning to night, so only the notice limits what is offered."""
    t = trip(start=date(2026, 11, 22), end=date(2026, 11, 22), arrive=time(7, 0), leave=time(23, 59))
    people = [person(c, c.upper(), circle=Circle.PERSONAL) for c in "abc"]

    def starts(hour: int, minute: int) -> list[str]:
        now = datetime(2026, 11, 22, hour, minute, tzinfo=BER)
        return sorted(f"{p.start.astimezone(BER):%H:%M}" for p in plan(t, people, now=now).scheduled)

    assert starts(12, 30) == ["15:30", "19:00"]  # afternoon coffee at 15:30 is exactly 3 h ahead
    assert starts(12, 31) == ["15:45", "19:00"]  # 2 h 59 min is too soon: the next start on the grid
    assert starts(17, 0) == ["20:00"]  # dinner's last start, exactly 3 h ahead
    assert starts(17, 1) == []


def test_sync_ideas_keeps_uids_stable_bumps_sequence_and_cancels_dropped_ideas():
    counter = itertools.count(1)
    new_id = lambda: f"m{next(counter)}"  # noqa: E731
    t = trip()
    ada, jonas = person("ada", "Ada"), person("jonas", "Jonas", last_seen=TODAY - timedelta(days=900))
    first = sync_ideas(plan(t, [ada, jonas], now=NOW), [], now=NOW, new_id=new_id)
    assert {m.contact_ids for m in first} == {("ada",), ("jonas",)}
    assert all(m.status is MeetupStatus.IDEA and m.sequence == 0 for m in first)
    uid_ada = next(m.uid for m in first if m.contact_ids == ("ada",))

    # Same plan again: nothing changes.
    assert sync_ideas(plan(t, [ada, jonas], now=NOW), first, now=NOW, new_id=new_id) == []

    # A busy block lands on Ada's slot: her idea moves, keeps id and UID, sequence goes up.
    ada_m = next(m for m in first if m.contact_ids == ("ada",))
    moved_trip = replace(t, busy=(BusyBlock(ada_m.start, ada_m.end, "client call"),))
    later = NOW + timedelta(hours=1)
    second = sync_ideas(plan(moved_trip, [ada, jonas], now=later), first, now=later, new_id=new_id)
    moved = {m.contact_ids: m for m in second}[("ada",)]
    assert moved.id == ada_m.id and moved.uid == uid_ada
    assert moved.sequence == 1 and moved.start != ada_m.start and moved.updated == later

    # Jonas drops out of the plan (marked do-not-invite): his idea is dropped, not deleted.
    store = {m.id: m for m in first}
    store.update({m.id: m for m in second})
    third = sync_ideas(plan(moved_trip, [ada, replace(jonas, do_not_invite=True)], now=later), list(store.values()), now=later, new_id=new_id)
    assert [(m.contact_ids, m.status) for m in third] == [(("jonas",), MeetupStatus.DROPPED)]


def test_meetups_past_the_idea_stage_are_kept_and_block_their_time():
    t = trip()
    start = datetime(2026, 12, 8, 10, 30, tzinfo=BER)
    confirmed = Meetup(
        id="m1", trip_id="t1", contact_ids=("ada",), kind="coffee", start=start,
        end=start + timedelta(minutes=45), uid="u1@irlmeet", status="confirmed",
    )
    p = plan(t, [person("ada", "Ada"), person("bo", "Bo")], now=NOW, planned=[confirmed])
    ada = p.for_contact("ada")
    assert ada.note == "already confirmed" and ada.start == start
    bo = p.for_contact("bo")
    assert bo.has_slot and not (bo.start < confirmed.end and confirmed.start < bo.end)
    assert sync_ideas(p, [confirmed], now=NOW, new_id=lambda: "x")[0].contact_ids == ("bo",)


def test_days_label_reads_like_a_person_wrote_it():
    assert days_label(trip()) == "8–10 Dec 2026"
    assert days_label(trip(start=date(2026, 4, 30), end=date(2026, 5, 2))) == "30 Apr – 2 May 2026"
    assert days_label(trip(start=date(2026, 12, 30), end=date(2027, 1, 2))) == "30 Dec 2026 – 2 Jan 2027"


def test_a_trip_that_is_over_says_so_instead_of_no_free_slot():
    t = trip(start=date(2026, 11, 2), end=date(2026, 11, 4))
    p = plan(t, [person("a", "A")], now=NOW)
    assert [x.note for x in p.proposals] == ["this trip is over"]
