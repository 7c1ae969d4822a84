"""A trip's plan: each ranked person with a time, and group evenings as alternatives.

What the user already acted on is a fixed point the plan works around: a meetup planned or
beyond keeps its time (a clash is for the meetup life cycle to flag, never fixed by moving it), and
a stored idea keeps its time while that time is still valid (inside the trip's limits and rules,
off busy time, not crowding a fixed meetup). New people fill the time left. So adding, editing or
removing an unrelated contact moves no stored idea, and the same inputs give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from irlmeet.core.models import Contact, Meetup, MeetupKind, MeetupStatus, Trip
from irlmeet.core.places import DEFAULT_RADIUS_KM
from irlmeet.core.plan_rules import PlanRules
from irlmeet.core.planner.groups import GroupOffer, offer_groups
from irlmeet.core.planner.ranking import Candidate, rank
from irlmeet.core.planner.slots import (
    PREFERENCES,
    Schedule,
    Slot,
    preference,
    weekday_only,
)

__all__ = ["CLOSED_FOR_TRIP", "Plan", "Proposal", "keep_ideas", "plan", "propose"]



@dataclass(frozen=True, slots=True)
class Proposal:
    """A ranked candidate and, when one was free, the slot proposed to them."""

    candidate: Candidate
    kind: MeetupKind | None = None
    start: datetime | None = None
    end: datetime | None = None
    where: str = ""
    note: str = ""  # why there is no slot, or what is already planned
    meetup_id: str | None = None  # the stored meetup this stands for (a kept idea, a planned one)

    @property
    def contact(self) -> Contact:
        return self.candidate.contact

    @property
    def has_slot(self) -> bool:
        return self.start is not None


@dataclass(frozen=True, slots=True)
class Plan:
    trip: Trip
    proposals: tuple[Proposal, ...] = field(default_factory=tuple)
    groups: tuple[GroupOffer, ...] = field(default_factory=tuple)
    rules: PlanRules = field(default_factory=PlanRules)  # what the plan was made under
    held: tuple[Meetup, ...] = ()  # the trip's meetups planned or beyond: fixed points of the plan

    @property
    def scheduled(self) -> list[Proposal]:
        return [p for p in self.proposals if p.has_slot]

    def for_contact(self, contact_id: str) -> Proposal | None:
        for p in self.proposals:
            if p.contact.id == contact_id:
                return p
        return None

    def group(self, circle: str | None = None) -> GroupOffer | None:
        """The group offer of ``circle`` ("professional"/"personal"), or the first one."""
        for g in self.groups:
            if circle is None or g.circle.value == circle:
                return g
        return None


def _where(trip: Trip, candidate: Candidate) -> str:
    dest = trip.destination
    if candidate.place.name == dest.name and candidate.place.country_code == dest.country_code:
        return f"central {dest.name}"
    return f"near {candidate.place.name}"


#: Statuses after which a person gets no new proposal on the same trip (see core/lifecycle.py).
CLOSED_FOR_TRIP = frozenset({MeetupStatus.DECLINED, MeetupStatus.CANCELLED, MeetupStatus.SKIPPED,
                             MeetupStatus.MISSED, MeetupStatus.MET})


def _idea_key(m: Meetup) -> tuple:
    return (m.updated.timestamp() if m.updated else 0.0, m.sequence, m.id)


def keep_ideas(
    ideas: Iterable[Meetup],
    ranked_ids: Sequence[str],
    valid: Callable[[str, datetime, datetime], bool],
    take: Callable[[str, datetime, datetime], None],
) -> dict[str, Meetup]:
    """The stored 1:1 ideas that keep their time, by contact id: stability for ideas.

    Taken in rank order (``ranked_ids``: the contacts still proposed, best first), an idea is
    kept while ``valid(contact_id, start, end)`` holds; ``take(contact_id, start, end)`` then
    marks its time as taken, so ``valid`` sees the ideas kept before it. Ideas of people no
    longer ranked are not kept; of several ideas for one person the newest counts. New data
    then only fills the free slots.
    """
    newest: dict[str, Meetup] = {}
    for m in ideas:
        if len(m.contact_ids) != 1:
            continue
        cid = m.contact_ids[0]
        if cid not in newest or _idea_key(m) > _idea_key(newest[cid]):
            newest[cid] = m
    kept: dict[str, Meetup] = {}
    for cid in ranked_ids:
        m = newest.get(cid)
        if m is not None and valid(cid, m.start, m.end):
            kept[cid] = m
            take(cid, m.start, m.end)
    return kept


def propose(
    trip: Trip,
    candidates: Sequence[Candidate],
    *,
    now: datetime,
    planned: Iterable[Meetup] = (),
    rules: PlanRules | None = None,
) -> Plan:
    """Give each candidate, best first, the most fitting free slot (see the module doc).

    ``planned``: the trip's stored meetups. Planned-or-later ones (met too) are fixed and their
    people get no new slot; a person's idea keeps its time while valid (:func:`keep_ideas`);
    people declined, cancelled, skipped or missed on this trip are not asked again; dropped
    ideas count for nothing. Among fitting slots of the preferred day part the quietest
    day wins, then the earliest start, so meetups spread over the trip.
    """
    rules = rules or PlanRules()
    sched = Schedule(trip, rules, now)
    fixed: dict[str, Meetup] = {}
    blocked: dict[str, str] = {}
    ideas: list[Meetup] = []
    held: list[Meetup] = []
    for m in sorted(planned, key=lambda m: (m.start, m.id)):
        if m.trip_id != trip.id or m.status is MeetupStatus.DROPPED:
            continue
        if m.status is MeetupStatus.IDEA:
            ideas.append(m)  # kept where still valid (keep_ideas, below), else planned afresh
        elif m.status in CLOSED_FOR_TRIP and m.status is not MeetupStatus.MET:
            for cid in m.contact_ids:  # declined, cancelled, skipped, missed: no new slot, no time held
                blocked.setdefault(cid, f"{m.status.value} on this trip")
        else:  # planned, invited, confirmed, met: a fixed point
            held.append(m)
            sched.take(m.start, m.end, m.id)
            for cid in m.contact_ids:
                fixed.setdefault(cid, m)

    # Stored ideas keep their time while it is valid; the better-ranked idea wins a clash.
    weekdays_of = {c.contact.id: weekday_only(c.contact.circle, trip) for c in candidates}
    kept = keep_ideas(
        ideas,
        [cid for cid in weekdays_of if cid not in fixed and cid not in blocked],
        lambda cid, start, end: sched.fits(start, end, weekdays=weekdays_of[cid]),
        lambda cid, start, end: sched.take(start, end, cid),
    )

    # The open slots, pruned as they are given out; a kind of person for whom nothing fits
    # is remembered, so thousands of people near one city are answered at once.
    open_slots = sched.slots()
    initially_open = bool(open_slots)
    full: dict[tuple[str, bool], str] = {}  # kind of person -> why nothing fits them
    proposals: list[Proposal] = []
    for cand in candidates:
        cid = cand.contact.id
        if cid in fixed:
            m = fixed[cid]
            proposals.append(Proposal(cand, m.kind, m.start, m.end, m.place, note=f"already {m.status.value}", meetup_id=m.id))
            continue
        if cid in blocked:
            proposals.append(Proposal(cand, note=blocked[cid]))
            continue
        if cid in kept:
            m = kept[cid]
            proposals.append(Proposal(cand, m.kind, m.start, m.end, m.place or _where(trip, cand), meetup_id=m.id))
            continue
        pref = preference(cand.contact)
        weekdays = weekday_only(cand.contact.circle, trip)
        key = (pref, weekdays)
        best = None if key in full else _pick(open_slots, PREFERENCES[pref], weekdays, sched)
        if best is None:
            if key not in full:
                full[key] = _no_slot(trip, now, initially_open, open_slots, weekdays)
            proposals.append(Proposal(cand, note=full[key]))
            continue
        sched.take(best.start, best.end, cid)
        open_slots = sched.still_free(open_slots, best.start, best.end)
        proposals.append(Proposal(cand, best.part.kind, best.start, best.end, _where(trip, cand)))

    free = [p.candidate for p in proposals if p.candidate.contact.id not in fixed and p.candidate.contact.id not in blocked]
    own = {p.contact.id: p.contact.id for p in proposals if p.has_slot}
    groups = offer_groups(trip, free, sched, rules=rules, where=f"central {trip.destination.name}", members_own=own)
    return Plan(trip, tuple(proposals), groups, rules, tuple(held))


def _pick(open_slots: list[Slot], tiers, weekdays: bool, sched: Schedule) -> Slot | None:
    for tier in tiers:
        options = [s for s in open_slots if s.part.name in tier and not (weekdays and s.day.weekday() >= 5)]
        if options:
            return min(options, key=lambda s: (sched.per_day.get(s.day, 0), s.start))
    return None


def _no_slot(trip: Trip, now: datetime, initially_open: bool, open_slots: list[Slot], weekdays: bool) -> str:
    if now >= trip.window()[1]:
        return "this trip is over"
    if not initially_open:
        return "no free time on this trip outside its busy blocks and travel days"
    if weekdays and any(s.day.weekday() >= 5 for s in open_slots):
        return ("no weekday slot left (work meetups stay on weekdays; "
                "`irlmeet trip edit TRIP --weekends` allows weekends)")
    return "no free slot left on this trip"


def plan(
    trip: Trip,
    contacts: Iterable[Contact],
    *,
    now: datetime,
    planned: Iterable[Meetup] = (),
    radius_km: float = DEFAULT_RADIUS_KM,
    rules: PlanRules | None = None,
    history: Iterable[Meetup] | None = None,
) -> Plan:
    """Rank the contacts near ``trip`` and propose a slot to each.

    ``planned``: the trip's stored meetups; ``history``: meetups of every trip, for the
    ranking's recent-decline rule (default: ``planned``).
    """
    planned = list(planned)
    today = now.astimezone(trip.zone).date()
    ranked = rank(trip, contacts, today=today, radius_km=radius_km, meetups=planned if history is None else history)
    return propose(trip, ranked, now=now, planned=planned, rules=rules)
