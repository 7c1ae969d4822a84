"""The plan holds still: once stored, a meetup's time changes only when it must.

Property (hypothesis, over random contacts, trips and busy time): adding, editing or removing an
unrelated contact changes no existing meetup's time. Planned (accepted) meetups never move;
ideas keep their time while it is valid. Also the life-cycle table and conflicts, unit by unit.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irlmeet.core import lifecycle
from irlmeet.core.errors import WrongMove
from irlmeet.core.models import (
    BusyBlock,
    Circle,
    Contact,
    ContactPlace,
    Meetup,
    MeetupStatus,
    Trip,
)
from irlmeet.core.planner import plan, sync_ideas
from tests.conftest import BERLIN, NOW, POTSDAM

Z = ZoneInfo("Europe/Berlin")
TRIP_START = date(2026, 12, 7)  # a Monday, two weeks after NOW


def person(i: int, *, seen: int | None, circle: Circle, closeness: int | None, potsdam: bool) -> Contact:
    return Contact(
        id=f"c{i:03d}", name=f"Person {i:03d}",
        places=(ContactPlace(place=POTSDAM if potsdam else BERLIN),),
        last_seen=None if seen is None else NOW.date() - timedelta(days=seen),
        circle=circle, closeness=closeness,
    )


contacts_st = st.builds(
    dict,
    seen=st.one_of(st.none(), st.integers(0, 3000)),
    circle=st.sampled_from(list(Circle)),
    closeness=st.one_of(st.none(), st.integers(1, 5)),
    potsdam=st.booleans(),
)


@st.composite
def worlds(draw):
    days = draw(st.integers(1, 5))
    busy = []
    for _ in range(draw(st.integers(0, 3))):
        day = TRIP_START + timedelta(days=draw(st.integers(0, days - 1)))
        start = datetime.combine(day, time(draw(st.integers(7, 20)), draw(st.sampled_from([0, 30]))), Z)
        busy.append(BusyBlock(start, start + timedelta(minutes=draw(st.sampled_from([30, 60, 120, 240]))), "busy"))
    trip = Trip(id="t1", name="Berlin", destination=BERLIN, start=TRIP_START, end=TRIP_START + timedelta(days=days - 1),
                busy=tuple(busy))
    people = [person(i, **kw) for i, kw in enumerate(draw(st.lists(contacts_st, min_size=1, max_size=14)))]
    accept = draw(st.lists(st.booleans(), min_size=len(people), max_size=len(people)))
    change = draw(st.sampled_from(["add", "edit", "remove"]))
    new = draw(contacts_st)
    victim = draw(st.integers(0, len(people) - 1))
    edit = draw(st.fixed_dictionaries({"closeness": st.one_of(st.none(), st.integers(1, 5)),
                                       "last_seen_days": st.one_of(st.none(), st.integers(0, 3000)),
                                       "circle": st.sampled_from(list(Circle))}))
    return trip, people, accept, change, new, victim, edit


def stored_plan(trip, people, meetups, ids):
    """What Service.sync_ideas does: plan on the stored meetups, store what changed."""
    the_plan = plan(trip, people, now=NOW, planned=meetups.values())
    for m in sync_ideas(the_plan, list(meetups.values()), now=NOW, new_id=ids):
        meetups[m.id] = m
    return meetups


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_an_unrelated_contact_change_moves_no_stored_meetup(world):
    trip, people, accept, change, new, victim, edit = world
    ids = (f"m{i}" for i in count()).__next__
    meetups = stored_plan(trip, people, {}, ids)
    # The user accepts some proposals: those are planned meetups now.
    by_person = {m.contact_ids[0]: m for m in meetups.values() if m.status is MeetupStatus.IDEA}
    for p, yes in zip(people, accept, strict=True):
        m = by_person.get(p.id)
        if yes and m is not None:
            meetups[m.id] = lifecycle.apply(m, "accept", now=NOW, label="x")
    meetups = stored_plan(trip, people, meetups, ids)  # a plan in between: nothing moves either
    before = {m.id: (m.start, m.end, m.status) for m in meetups.values()}

    if change == "add":
        people = [*people, person(999, **new)]
        related: set[str] = set()
    elif change == "edit":
        old = people[victim]
        seen = edit["last_seen_days"]
        people[victim] = dataclasses.replace(
            old, closeness=edit["closeness"], circle=edit["circle"],
            last_seen=None if seen is None else NOW.date() - timedelta(days=seen),
        )
        related = set()  # still near and invitable: even their own idea keeps its time
    else:
        related = {people[victim].id}
        people = [p for i, p in enumerate(people) if i != victim]

    after = stored_plan(trip, people, dict(meetups), ids)
    for mid, (start, end, status) in before.items():
        m = after[mid]
        if status is MeetupStatus.DROPPED:
            continue
        if related & set(m.contact_ids) and status is MeetupStatus.IDEA:
            continue  # the removed person's own idea may go
        assert (m.start, m.end) == (start, end), f"{mid} ({status.value}) moved after {change}"
        assert m.status is status, f"{mid} changed status after {change}"


def test_adding_a_top_ranked_contact_moves_no_existing_idea():
    """The issue's report: one new contact moved four proposed meetups to other days."""
    trip = Trip(id="t1", name="Berlin", destination=BERLIN, start=TRIP_START, end=TRIP_START + timedelta(days=2))
    people = [person(i, seen=400 + i * 100, circle=Circle.PROFESSIONAL, closeness=None, potsdam=False) for i in range(6)]
    ids = (f"m{i}" for i in count()).__next__
    meetups = stored_plan(trip, people, {}, ids)
    before = {m.id: (m.start, m.sequence) for m in meetups.values()}
    newcomer = person(99, seen=None, circle=Circle.PERSONAL, closeness=5, potsdam=False)  # outranks everyone
    after = stored_plan(trip, [*people, newcomer], dict(meetups), ids)
    assert {mid: (after[mid].start, after[mid].sequence) for mid in before} == before, "no time, no SEQUENCE bump"
    assert any(m.contact_ids == (newcomer.id,) and m.status is MeetupStatus.IDEA for m in after.values()), \
        "the newcomer gets a free slot"


def test_an_idea_whose_time_becomes_busy_moves_and_a_planned_one_is_flagged_instead():
    trip = Trip(id="t1", name="Berlin", destination=BERLIN, start=TRIP_START, end=TRIP_START + timedelta(days=2))
    people = [person(i, seen=None, circle=Circle.PROFESSIONAL, closeness=None, potsdam=False) for i in range(2)]
    ids = (f"m{i}" for i in count()).__next__
    meetups = stored_plan(trip, people, {}, ids)
    idea, other = sorted(meetups.values(), key=lambda m: m.start)
    planned = lifecycle.apply(other, "accept", now=NOW, label="x")
    meetups[planned.id] = planned
    busy = (BusyBlock(idea.start, idea.end, "talk"), BusyBlock(planned.start, planned.end, "client"))
    trip = dataclasses.replace(trip, busy=busy)
    after = stored_plan(trip, people, dict(meetups), ids)
    assert after[idea.id].start != idea.start and after[idea.id].status is MeetupStatus.IDEA
    assert after[idea.id].sequence == idea.sequence + 1 and after[idea.id].uid == idea.uid
    assert after[planned.id] == planned, "a planned meetup is never rescheduled"
    found = lifecycle.conflicts(trip, after.values(), {p.id: p.name for p in people})
    assert list(found) == [planned.id] and found[planned.id].code == "busy"
    assert "'client'" in found[planned.id].reason and found[planned.id].public == "overlaps busy time"


# --------------------------------------------------------------------------------------------
# The table


def _m(status: str, *, start: datetime | None = None) -> Meetup:
    start = start or datetime(2026, 12, 8, 10, 30, tzinfo=Z)
    return Meetup(id="m1", trip_id="t1", contact_ids=("c1",), kind="coffee", start=start,
                  end=start + timedelta(minutes=45), uid="u@x", status=status, sequence=3)


@pytest.mark.parametrize(("verb", "frm", "to"), [
    ("accept", "idea", "planned"), ("accept", "declined", "planned"), ("accept", "skipped", "planned"),
    ("invite", "idea", "invited"), ("invite", "planned", "invited"), ("confirm", "invited", "confirmed"),
    ("confirm", "planned", "confirmed"), ("decline", "confirmed", "declined"), ("cancel", "invited", "cancelled"),
    ("skip", "idea", "skipped"), ("skip", "planned", "skipped"),
])
def test_every_allowed_move_bumps_sequence_and_updated(verb, frm, to):
    later = NOW + timedelta(hours=1)
    after = lifecycle.apply(_m(frm), verb, now=later, label="Ada's coffee")
    assert (after.status.value, after.sequence, after.updated) == (to, 4, later)
    assert after.uid == "u@x" and after.start == _m(frm).start


@pytest.mark.parametrize(("verb", "frm", "message"), [
    ("confirm", "declined", "Ada's coffee is declined; it can't be confirmed - accept it again first"),
    ("confirm", "idea", "Ada's coffee is still an idea; it can't be confirmed - accept it first"),
    ("decline", "idea", "it was never sent; skip it instead"),
    ("skip", "confirmed", "they were invited; cancel it instead"),
    ("met", "idea", "Ada's coffee is still an idea; it can't be marked met - accept it first"),
    ("invite", "met", "it already happened"),
    ("accept", "dropped", "the planner no longer proposes it"),
    ("accept", "planned", "Ada's coffee is already planned"),
])
def test_wrong_moves_say_why_and_what_to_do(verb, frm, message):
    with pytest.raises(WrongMove) as info:
        lifecycle.apply(_m(frm), verb, now=NOW + timedelta(days=30), label="Ada's coffee")
    assert message in str(info.value)


@pytest.mark.parametrize("frm", ["planned", "invited", "confirmed", "declined", "cancelled", "skipped", "missed"])
def test_met_works_from_any_acted_on_status_once_its_time_has_come(frm):
    m = _m(frm)
    with pytest.raises(WrongMove, match="once its time has come"):
        lifecycle.apply(m, "met", now=m.start - timedelta(minutes=1), label="Ada's coffee")
    assert lifecycle.apply(m, "met", now=m.start, label="x").status is MeetupStatus.MET


def test_moving_an_idea_makes_it_planned_and_keeps_other_statuses():
    new = datetime(2026, 12, 9, 18, 0, tzinfo=Z)
    moved = lifecycle.apply(_m("idea"), "move", now=NOW, label="x", start=new, end=new + timedelta(hours=1))
    assert (moved.status, moved.start, moved.sequence) == (MeetupStatus.PLANNED, new, 4)
    kept = lifecycle.apply(_m("confirmed"), "move", now=NOW, label="x", start=new, end=new + timedelta(hours=1))
    assert kept.status is MeetupStatus.CONFIRMED


def test_last_outcomes_expose_the_latest_met_declined_or_missed_per_person():
    a = dataclasses.replace(_m("met"), id="a", contact_ids=("c1", "c2"))
    b = dataclasses.replace(_m("declined", start=datetime(2027, 3, 1, 10, 0, tzinfo=Z)), id="b")
    c = dataclasses.replace(_m("confirmed"), id="c", contact_ids=("c3",))
    out = lifecycle.last_outcomes([a, b, c], lambda m: Z)
    assert {k: (v.status.value, v.on.isoformat()) for k, v in out.items()} == {
        "c1": ("declined", "2027-03-01"), "c2": ("met", "2026-12-08"),
    }
