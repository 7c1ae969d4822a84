"""Concrete times for meetups, picked as a person would pick them.

:class:`Schedule` holds what a trip's days already hold (busy blocks, meetups that are fixed
points) and answers whether a time is free under the rules: inside the trip and its light
arrival and departure days, a travel buffer from every busy block and meetup, at most
``max_per_day`` meetups a day, enough notice, and a professional meetup on a weekday unless the
trip allows weekends. :func:`assign` gives ranked candidates the most fitting free slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from irlmeet.core.models import Circle, Contact, Meetup, MeetupKind, MeetupStatus, Trip
from irlmeet.core.plan_rules import DayPart, PlanRules

__all__ = ["PREFERENCES", "Schedule", "Slot", "free_slots", "preference"]

_UTC = UTC


@dataclass(frozen=True, slots=True)
class Slot:
    day: date
    part: DayPart
    start: datetime
    end: datetime

    @property
    def kind(self) -> MeetupKind:
        return self.part.kind


#: Which day parts suit whom, most fitting first (parts of one tier are equally fitting). A
#: first meeting is a low-pressure coffee; a close personal tie gets dinner; a long-unseen
#: colleague gets lunch.
PREFERENCES: dict[str, tuple[tuple[str, ...], ...]] = {
    "first": (("coffee", "afternoon_coffee"), ("lunch",), ("breakfast",), ("drinks",)),
    "personal": (("dinner",), ("drinks",), ("lunch",), ("coffee", "afternoon_coffee"), ("breakfast",)),
    "catch_up": (("lunch",), ("drinks",), ("coffee", "afternoon_coffee"), ("breakfast",), ("dinner",)),
}


def preference(contact: Contact) -> str:
    if contact.circle is Circle.PERSONAL:
        return "personal"
    if contact.last_seen is None:
        return "first"
    return "catch_up"


def weekday_only(contact_circle: Circle, trip: Trip) -> bool:
    """Professional meetups stay on weekdays unless the trip allows weekends."""
    return contact_circle is Circle.PROFESSIONAL and not trip.weekends


def _local(day: date, t: time, trip: Trip) -> datetime:
    """``day`` at wall time ``t`` in the trip's zone; a time the clocks skip is moved past the gap."""
    z = trip.zone
    dt = datetime.combine(day, t, z)
    back = dt.astimezone(_UTC).astimezone(z)
    return back if back.replace(tzinfo=None) != dt.replace(tzinfo=None) else dt


def _plus(start: datetime, minutes: int) -> datetime:
    """``minutes`` of real time after ``start`` (across a DST change too), in start's zone."""
    end = start + timedelta(minutes=minutes)  # wall-clock arithmetic: right unless the offset changed
    if end.utcoffset() == start.utcoffset():
        return end
    return (start.astimezone(_UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


class Schedule:
    """A trip's time as the planner sees it; :meth:`take` books a meetup."""

    def __init__(self, trip: Trip, rules: PlanRules, now: datetime) -> None:
        self.trip = trip
        self.zone = trip.zone
        self.rules = rules
        self.buffer = timedelta(minutes=rules.buffer_minutes)
        self.earliest = now + timedelta(minutes=rules.min_notice_minutes)
        arrive = trip.arrive or rules.arrive
        leave = trip.leave or rules.leave
        travel = timedelta(minutes=rules.travel_day_buffer_minutes)
        first, after = trip.window()
        self.opens = max(first, _local(trip.start, arrive, trip) + travel)
        self.closes = min(after, _local(trip.end, leave, trip) - travel)
        self.taken: list[tuple[datetime, datetime, str]] = []  # start, end, owner (a meetup or contact id)
        self.per_day: dict[date, int] = {}
        self.busy = [(b.start - self.buffer, b.end + self.buffer) for b in trip.busy]

    def day_of(self, start: datetime) -> date:
        return start.date() if start.tzinfo is self.zone else start.astimezone(self.zone).date()

    def inside(self, start: datetime, end: datetime, *, weekdays: bool) -> bool:
        """Within the trip's limits, rules and busy time (not counting other meetups)."""
        if start < self.opens or end > self.closes or start < self.earliest:
            return False
        if weekdays and self.day_of(start).weekday() >= 5:
            return False
        return not any(s < end and start < e for s, e in self.busy)

    def clashes(self, start: datetime, end: datetime, *, ignore: frozenset[str] = frozenset()) -> bool:
        """Whether a booked meetup (not one of ``ignore``'s) lies within a buffer of this time."""
        b = self.buffer
        return any(s - b < end and start < e + b for s, e, who in self.taken if who not in ignore)

    def room(self, day: date, *, ignore: frozenset[str] = frozenset()) -> bool:
        if not ignore:
            return self.per_day.get(day, 0) < self.rules.max_per_day
        n = sum(1 for s, _e, who in self.taken if who not in ignore and self.day_of(s) == day)
        return n < self.rules.max_per_day

    def fits(self, start: datetime, end: datetime, *, weekdays: bool, ignore: frozenset[str] = frozenset()) -> bool:
        return (
            self.inside(start, end, weekdays=weekdays)
            and self.room(self.day_of(start), ignore=ignore)
            and not self.clashes(start, end, ignore=ignore)
        )

    def take(self, start: datetime, end: datetime, owner: str) -> None:
        self.taken.append((start, end, owner))
        day = self.day_of(start)
        self.per_day[day] = self.per_day.get(day, 0) + 1

    def grid(self, parts: Sequence[DayPart] | None = None) -> list[Slot]:
        """Every start on the grid of each day part, on every day of the trip, free or not."""
        step = max(self.rules.step_minutes, 1)
        out: list[Slot] = []
        for day in self.trip.days():
            for part in parts if parts is not None else self.rules.day_parts:
                start = _local(day, part.start, self.trip)
                last = _local(day, part.end, self.trip)
                while (end := _plus(start, part.minutes)) <= last:
                    out.append(Slot(day, part, start, end))
                    start = _plus(start, step)
        return out

    def slots(self, parts: Sequence[DayPart] | None = None) -> list[Slot]:
        """The grid's starts that are free now (weekends included)."""
        return [s for s in self.grid(parts) if self.fits(s.start, s.end, weekdays=False)]

    def still_free(self, slots: list[Slot], start: datetime, end: datetime) -> list[Slot]:
        """``slots`` less those the meetup just booked at ``start``-``end`` rules out: the ones
        within a buffer of it, and all of its day once the day is full."""
        day = self.day_of(start)
        full = not self.room(day)
        lo, hi = start - self.buffer, end + self.buffer
        return [s for s in slots if not ((full and s.day == day) or (lo < s.end and s.start < hi))]


#: The statuses whose time is held on the trip: a moved meetup must keep clear of them.
_HOLDING = frozenset({MeetupStatus.PLANNED, MeetupStatus.INVITED, MeetupStatus.CONFIRMED, MeetupStatus.MET})


def free_slots(
    trip: Trip,
    meetups: Iterable[Meetup],
    *,
    now: datetime,
    exclude: str | None = None,
    rules: PlanRules | None = None,
    weekdays: bool = False,
) -> list[Slot]:
    """The slots of ``trip`` a meetup could move to, earliest first: for each day and day part
    the planner uses, its earliest start that keeps the rules (inside the trip and its travel
    days, clear of busy time and of every held or met meetup but ``exclude`` (the one being
    moved) by the buffer, days under the daily cap, enough notice; weekdays only with
    ``weekdays``). Ideas do not block a slot: they make room on the next plan."""
    sched = Schedule(trip, rules or PlanRules(), now)
    for m in meetups:
        if m.trip_id == trip.id and m.id != exclude and m.status in _HOLDING:
            sched.take(m.start, m.end, m.id)
    seen: set[tuple[date, str]] = set()
    out: list[Slot] = []
    for s in sched.grid():
        if (s.day, s.part.name) in seen or not sched.fits(s.start, s.end, weekdays=weekdays):
            continue
        seen.add((s.day, s.part.name))
        out.append(s)
    out.sort(key=lambda s: (s.start, s.part.name))
    return out
