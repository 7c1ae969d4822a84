"""Property tests of the planner (issue 7 item 11): over random contacts, trips and busy time,
every plan keeps the rules a person would, and stays put under unrelated changes.

Bounded and derandomised: the same examples run every time, the whole file in a few seconds.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irlmeet.core.models import (
    BusyBlock,
    Circle,
    Contact,
    ContactPlace,
    Meetup,
    MeetupStatus,
    Trip,
)
from irlmeet.core.plan_rules import PlanRules
from irlmeet.core.planner import plan
from tests.conftest import BERLIN, HAMBURG, NEW_YORK, POTSDAM

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN.zone)
RULES = PlanRules()
BUFFER = timedelta(minutes=RULES.buffer_minutes)
TRAVEL = timedelta(minutes=RULES.travel_day_buffer_minutes)

BOUNDED = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


UP_TO_14 = st.integers(0, 14)


@st.composite
def contacts(draw, prefix="c", n=UP_TO_14):
    out = []
    for i in range(draw(n)):
        last_seen = draw(st.none() | st.dates(date(2015, 1, 1), date(2027, 2, 1)))
        out.append(
            Contact(
                id=f"{prefix}{i}",
                name=f"Person {prefix}{i}",
                places=(ContactPlace(draw(st.sampled_from([BERLIN, POTSDAM, BERLIN, HAMBURG]))),),
                circle=draw(st.sampled_from(list(Circle))),
                last_seen=last_seen,
                cadence_days=draw(st.none() | st.sampled_from([90, 180, 365])),
                closeness=draw(st.none() | st.integers(1, 5)),
                met_on=draw(st.none() | st.dates(date(2026, 6, 1), date(2027, 2, 28))),
            )
        )
    return out


@st.composite
def trips(draw):
    start = date(2027, 3, 1) + timedelta(days=draw(st.integers(0, 40)))  # spans the DST change of 28 Mar
    days = draw(st.integers(1, 6))
    end = start + timedelta(days=days - 1)
    busy = []
    for _ in range(draw(st.integers(0, 4))):
        day = start + timedelta(days=draw(st.integers(0, days - 1)))
        hour = draw(st.integers(6, 21))
        length = draw(st.integers(1, 10)) * 30
        s = datetime.combine(day, time(hour, draw(st.sampled_from([0, 15, 30, 45]))), BERLIN.zone)
        e = min(s + timedelta(minutes=length), datetime.combine(end + timedelta(days=1), time(0), BERLIN.zone))
        busy.append(BusyBlock(s, e, "busy"))
    arrive = draw(st.none() | st.sampled_from([time(7, 0), time(10, 30), time(15, 0)]))
    leave = draw(st.none() | st.sampled_from([time(9, 0), time(18, 0), time(21, 0)]))
    if days == 1 and arrive and leave and leave <= arrive:
        leave = None
    return Trip(id="t", name="Trip", destination=BERLIN, start=start, end=end, busy=tuple(busy),
                arrive=arrive, leave=leave, weekends=draw(st.booleans()))


def _limits(trip: Trip) -> tuple[datetime, datetime]:
    arrive = datetime.combine(trip.start, trip.arrive or RULES.arrive, trip.zone) + TRAVEL
    leave = datetime.combine(trip.end, trip.leave or RULES.leave, trip.zone) - TRAVEL
    return arrive, leave


def as_ideas(the_plan) -> list[Meetup]:
    return [
        Meetup(id=f"m-{p.contact.id}", trip_id=the_plan.trip.id, contact_ids=(p.contact.id,), kind=p.kind,
               start=p.start, end=p.end, uid=f"u-{p.contact.id}", place=p.where, status=MeetupStatus.IDEA)
        for p in the_plan.scheduled
    ]


@BOUNDED
@given(trip=trips(), people=contacts())
def test_every_plan_keeps_the_rules(trip, people):
    the_plan = plan(trip, people, now=NOW, rules=RULES)
    times = [(p.start, p.end) for p in the_plan.scheduled]
    opens, closes = _limits(trip)
    for p in the_plan.scheduled:
        assert opens <= p.start and p.end <= closes, "inside the trip and its arrival/departure limits"
        assert p.start >= NOW + timedelta(minutes=RULES.min_notice_minutes)
        for b in trip.busy:
            assert not b.overlaps(p.start - BUFFER, p.end + BUFFER), f"{p.start} is within a buffer of busy time"
        if p.contact.circle is Circle.PROFESSIONAL and not trip.weekends:
            assert p.start.weekday() < 5, "work meetups on weekdays"
    for (s1, e1), (s2, e2) in itertools.combinations(times, 2):
        assert e1 + BUFFER <= s2 or e2 + BUFFER <= s1, "two meetups overlap or leave no travel time"
    per_day: dict[date, int] = {}
    for s, _e in times:
        per_day[s.date()] = per_day.get(s.date(), 0) + 1
    assert all(n <= RULES.max_per_day for n in per_day.values())
    # groups never mix circles and only take people of the plan
    for g in the_plan.groups:
        circles = {c.contact.circle for c in g.candidates}
        assert circles <= {g.circle, Circle.BOTH} and len(g.candidates) >= RULES.group_min
    # the order follows from the reasons shown
    scores = [p.candidate.score for p in the_plan.proposals]
    assert scores == sorted(scores, reverse=True)
    for p in the_plan.proposals:
        assert p.candidate.score == round(sum(r.points for r in p.candidate.breakdown), 1)


@BOUNDED
@given(trip=trips(), people=contacts())
def test_same_inputs_same_plan(trip, people):
    assert plan(trip, people, now=NOW, rules=RULES) == plan(trip, list(reversed(people)), now=NOW, rules=RULES)


@BOUNDED
@given(trip=trips(), people=contacts(), newcomers=contacts(prefix="n", n=st.integers(1, 4)),
       far=st.booleans())
def test_unrelated_changes_move_no_stored_idea(trip, people, newcomers, far):
    first = plan(trip, people, now=NOW, rules=RULES)
    ideas = as_ideas(first)
    if far:  # someone far away changes nothing at all
        newcomers = [replace(c, places=(ContactPlace(NEW_YORK),)) for c in newcomers]
    # new people, an edited unrelated contact, a removed one
    changed = [*people, *newcomers]
    if people:
        changed[0] = replace(changed[0], notes="new note", closeness=5)
    again = plan(trip, changed, now=NOW, planned=ideas, rules=RULES)
    for idea in ideas:
        p = again.for_contact(idea.contact_ids[0])
        assert p is not None and (p.start, p.end) == (idea.start, idea.end), "a stored idea moved"
        assert p.meetup_id == idea.id
    if far:
        assert {p.contact.id: p.start for p in again.proposals} == {p.contact.id: p.start for p in first.proposals}
    removed = plan(trip, people[1:], now=NOW, planned=ideas, rules=RULES)
    for idea in ideas[1:] if people else ():
        p = removed.for_contact(idea.contact_ids[0])
        if p is not None:
            assert (p.start, p.end) == (idea.start, idea.end)


@BOUNDED
@given(trip=trips(), people=contacts(n=st.integers(1, 10)))
def test_a_planned_meetup_is_a_fixed_point(trip, people):
    first = plan(trip, people, now=NOW, rules=RULES)
    if not first.scheduled:
        return
    top = first.scheduled[0]
    fixed = replace(as_ideas(first)[0], status=MeetupStatus.PLANNED)
    again = plan(trip, people, now=NOW, planned=[fixed], rules=RULES)
    p = again.for_contact(top.contact.id)
    assert (p.start, p.note) == (fixed.start, "already planned")
    for other in again.scheduled:
        if other.contact.id != top.contact.id:
            assert other.end + BUFFER <= fixed.start or fixed.end + BUFFER <= other.start
