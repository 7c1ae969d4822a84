"""Who is worth seeing on a trip, and when.

Three steps, each a pure function of its inputs (``today``/``now`` are parameters):

1. :func:`rank` finds the contacts near the destination and orders them by how much a meeting
   would mean now: never met in person first, then long-unseen ties (weighted by the cadence the
   user wants), new connections, and so on. Every point of score comes with a reason a person
   can read, so the ranking explains itself.
2. :func:`propose` gives each ranked contact a concrete slot (breakfast, coffee, lunch, drinks,
   dinner) inside the trip, in the destination's zone, around the trip's busy blocks and the
   meetups already planned, spreading the days.
3. :func:`sync_ideas` turns the proposals into stored :class:`Meetup` ideas with stable calendar
   UIDs, so re-exporting updates calendar events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone

from irlmeet.core.ics import new_meetup_uid
from irlmeet.core.models import (
    Circle,
    Contact,
    Meetup,
    MeetupKind,
    MeetupStatus,
    Place,
    Trip,
)
from irlmeet.core.places import DEFAULT_RADIUS_KM, near_filter
from irlmeet.core.wording import ago as _ago
from irlmeet.core.wording import days_label  # noqa: F401  (kept importable from here)

__all__ = [
    "Candidate",
    "Plan",
    "Proposal",
    "SLOT_TEMPLATES",
    "nearest_places",
    "options_for",
    "plan",
    "propose",
    "rank",
    "sync_ideas",
]


# --------------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True, slots=True)
class Candidate:
    """A contact within reach of the trip, with the score and the reasons behind it."""

    contact: Contact
    place: Place  # the contact's place that is near the destination
    distance_km: float
    score: float
    reasons: tuple[str, ...]

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def score_contact(contact: Contact, today: date, distance_km: float) -> tuple[float, tuple[str, ...]]:
    """Score one contact for a trip. Higher is more worth seeing now.

    The weights are deliberately simple and visible in the reasons:
    - never met in person: +100 (the whole point of irlmeet)
    - not seen in person for a long time: up to +80, growing with the years
    - overdue against the user's own cadence: up to +60
    - a new connection (met or connected in the last six months): +25
    - personal or both circles: +10 (close ties)
    - closeness set by the user: +8 per step above 3, -4 per step below (1-5 scale)
    - contacted very recently (last two weeks): -15 (the conversation is already going)
    - distance: -0.3 per km (across town is a bigger ask)
    """
    score = 0.0
    reasons: list[str] = []
    if contact.last_seen is None:
        score += 100
        reasons.append("never met in person")
    else:
        days = max((today - contact.last_seen).days, 0)
        score += min(days / 365 * 40, 80)
        if days >= 180:
            reasons.append(f"not seen in person for {_ago(days)}")
        else:
            reasons.append(f"seen {_ago(days)} ago")
        if contact.cadence_days:
            overdue = days / contact.cadence_days
            if overdue > 1:
                score += min((overdue - 1) * 30, 60)
                reasons.append(f"overdue: you aim to meet {contact.cadence_label}")
    if contact.met_on is not None:
        since = (today - contact.met_on).days
        if 0 <= since <= 182:
            score += 25
            reasons.append(f"new connection ({_ago(since)} ago)" if since >= 1 else "new connection")
    if contact.circle in (Circle.PERSONAL, Circle.BOTH):
        score += 10
    if contact.closeness is not None:
        score += (contact.closeness - 3) * (8 if contact.closeness > 3 else 4)
        if contact.closeness >= 4:
            reasons.append(f"close tie ({contact.closeness}/5)")
    if contact.last_contacted is not None and 0 <= (today - contact.last_contacted).days <= 14:
        score -= 15
        reasons.append("already in touch this fortnight")
    score -= 0.3 * distance_km
    if distance_km >= 1:
        reasons.append(f"{distance_km:.0f} km away")
    return round(score, 2), tuple(reasons)


def nearest_places(
    origin: Place, contacts: Iterable[Contact], radius_km: float = DEFAULT_RADIUS_KM
) -> list[tuple[Contact, Place, float]]:
    """Each contact with a place near ``origin``, once, with its nearest such place and km."""
    pairs = [(contact, cp.place) for contact in contacts for cp in contact.places]
    nearest: dict[str, tuple[Contact, Place, float]] = {}
    for contact, place, km in near_filter(origin, pairs, radius_km):
        if contact.id not in nearest or km < nearest[contact.id][2]:
            nearest[contact.id] = (contact, place, km)
    return list(nearest.values())


def rank(
    trip: Trip,
    contacts: Iterable[Contact],
    *,
    today: date,
    radius_km: float = DEFAULT_RADIUS_KM,
) -> list[Candidate]:
    """Contacts near the destination, best first. Do-not-invite contacts are left out."""
    invitable = (c for c in contacts if not c.do_not_invite)
    nearest = nearest_places(trip.destination, invitable, radius_km)
    out = []
    for contact, place, km in nearest:
        score, reasons = score_contact(contact, today, km)
        out.append(Candidate(contact, place, km, score, reasons))
    out.sort(key=lambda c: (-c.score, c.distance_km, c.contact.name.casefold(), c.contact.id))
    return out


# --------------------------------------------------------------------------------------------
# Slots


@dataclass(frozen=True, slots=True)
class SlotTemplate:
    kind: MeetupKind
    start: time
    minutes: int


SLOT_TEMPLATES: tuple[SlotTemplate, ...] = (
    SlotTemplate(MeetupKind.BREAKFAST, time(8, 0), 60),
    SlotTemplate(MeetupKind.COFFEE, time(10, 30), 45),
    SlotTemplate(MeetupKind.LUNCH, time(12, 30), 60),
    SlotTemplate(MeetupKind.COFFEE, time(15, 30), 45),
    SlotTemplate(MeetupKind.DRINKS, time(18, 0), 90),
    SlotTemplate(MeetupKind.DINNER, time(19, 30), 120),
)

#: Which kinds of meetup suit whom, most fitting first. A first meeting is a low-pressure coffee;
#: a close personal tie gets dinner; a long-unseen colleague gets lunch.
_PREFERENCES: dict[str, tuple[MeetupKind, ...]] = {
    "first": (MeetupKind.COFFEE, MeetupKind.LUNCH, MeetupKind.BREAKFAST, MeetupKind.DRINKS),
    "personal": (MeetupKind.DINNER, MeetupKind.DRINKS, MeetupKind.LUNCH, MeetupKind.COFFEE, MeetupKind.BREAKFAST),
    "catch_up": (MeetupKind.LUNCH, MeetupKind.DRINKS, MeetupKind.COFFEE, MeetupKind.BREAKFAST, MeetupKind.DINNER),
}

BUFFER = timedelta(minutes=15)  # travel time kept free on each side of a busy block
MAX_PER_DAY = 3
MIN_NOTICE = timedelta(hours=3)  # never propose a slot that starts sooner than this


def _preference(contact: Contact) -> tuple[MeetupKind, ...]:
    if contact.circle is Circle.PERSONAL:
        return _PREFERENCES["personal"]
    if contact.last_seen is None:
        return _PREFERENCES["first"]
    return _PREFERENCES["catch_up"]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A ranked candidate and, when one was free, the slot proposed to them."""

    candidate: Candidate
    kind: MeetupKind | None = None
    start: datetime | None = None
    end: datetime | None = None
    where: str = ""
    note: str = ""  # why there is no slot, or what is already planned

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

    @property
    def scheduled(self) -> list[Proposal]:
        return [p for p in self.proposals if p.has_slot]

    def for_contact(self, contact_id: str) -> Proposal | None:
        for p in self.proposals:
            if p.contact.id == contact_id:
                return p
        return None


def _where(trip: Trip, candidate: Candidate) -> str:
    dest = trip.destination
    if candidate.place.name == dest.name and candidate.place.country_code == dest.country_code:
        return f"central {dest.name}"
    return f"near {candidate.place.name}"


def propose(
    trip: Trip,
    candidates: Sequence[Candidate],
    *,
    now: datetime,
    planned: Iterable[Meetup] = (),
    max_per_day: int = MAX_PER_DAY,
) -> Plan:
    """Give each candidate, best first, the most fitting free slot.

    A slot is free when it keeps ``BUFFER`` from every busy block, does not overlap a slot
    already given out or a meetup already planned (``planned``), starts at least ``MIN_NOTICE``
    after ``now`` and its day has fewer than ``max_per_day`` meetups. Among fitting slots the
    quietest day wins, so meetups spread over the trip instead of piling onto day one.
    Contacts who already have a live meetup on this trip keep it and get no new slot.
    """
    zone = trip.zone
    taken: list[tuple[datetime, datetime]] = []
    per_day: dict[date, int] = {}
    already: dict[str, Meetup] = {}
    for m in planned:
        if m.trip_id != trip.id or m.status in (MeetupStatus.CANCELLED, MeetupStatus.DECLINED):
            continue
        if m.status is MeetupStatus.IDEA:
            continue  # ideas are re-planned from scratch every time
        taken.append((m.start, m.end))
        day = m.start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + 1
        for cid in m.contact_ids:
            already[cid] = m

    def usable(day: date, start: datetime, end: datetime) -> bool:
        return per_day.get(day, 0) < max_per_day and not any(s < end and start < e for s, e in taken)

    # The open slots, kept pruned as slots are given out, so once the trip is full every
    # further candidate is answered at once (thousands of people near one city stay cheap).
    slots: list[tuple[date, SlotTemplate, datetime, datetime]] = []
    for day in trip.days():
        for tpl in SLOT_TEMPLATES:
            start = datetime.combine(day, tpl.start, zone)
            end = start + timedelta(minutes=tpl.minutes)
            if start < now + MIN_NOTICE:
                continue
            if not trip.is_free(start - BUFFER, end + BUFFER):
                continue
            if usable(day, start, end):
                slots.append((day, tpl, start, end))
    if now >= trip.window()[1]:
        no_slot = "this trip is over"
    elif not slots:
        no_slot = "no free time on this trip outside its busy blocks"
    else:
        no_slot = "no free slot left on this trip"

    proposals: list[Proposal] = []
    for cand in candidates:
        existing = already.get(cand.contact.id)
        if existing is not None:
            proposals.append(
                Proposal(cand, existing.kind, existing.start, existing.end, existing.place,
                         note=f"already {existing.status.value}")
            )
            continue
        best: tuple[date, SlotTemplate, datetime, datetime] | None = None
        for kind in _preference(cand.contact) if slots else ():
            options = [slot for slot in slots if slot[1].kind is kind]
            if options:
                best = min(options, key=lambda o: (per_day.get(o[0], 0), o[2]))
                break
        if best is None:
            proposals.append(Proposal(cand, note=no_slot))
            continue
        day, tpl, start, end = best
        taken.append((start, end))
        per_day[day] = per_day.get(day, 0) + 1
        slots = [slot for slot in slots if usable(slot[0], slot[2], slot[3])]
        proposals.append(Proposal(cand, tpl.kind, start, end, _where(trip, cand)))
    return Plan(trip, tuple(proposals))


def plan(
    trip: Trip,
    contacts: Iterable[Contact],
    *,
    now: datetime,
    planned: Iterable[Meetup] = (),
    radius_km: float = DEFAULT_RADIUS_KM,
) -> Plan:
    """Rank the contacts near ``trip`` and propose a slot to each."""
    today = now.astimezone(trip.zone).date()
    return propose(trip, rank(trip, contacts, today=today, radius_km=radius_km), now=now, planned=planned)


# --------------------------------------------------------------------------------------------
# Turning proposals into stored meetup ideas


def sync_ideas(
    the_plan: Plan,
    existing: Iterable[Meetup],
    *,
    now: datetime,
    new_id: Callable[[], str],
) -> list[Meetup]:
    """The meetups to store so the trip's ideas match the plan. Returns only what changed.

    ``existing`` must be the meetups as stored *now* (the caller holds the store's write lock,
    see ``Service.sync_ideas``): deciding on a stale list is how two exports used to create
    the same idea twice.

    - A proposal whose people already have an idea (or an idea cancelled by an earlier sync)
      updates it in place: same id and UID, ``sequence`` + 1 when time, kind or place moved.
      If they have several, the newest is reused.
    - A new proposal becomes a new idea whose UID comes from its own id
      (:func:`~irlmeet.core.ics.new_meetup_uid`), so every meetup has its own calendar event.
    - An idea no longer proposed (or a second idea for the same people) is cancelled, not
      deleted, so a calendar that imported it learns to drop it on the next export.
    Meetups beyond the idea stage (invited, confirmed, ...) are never touched here, and their
    people get no idea beside them.
    """
    trip = the_plan.trip
    mine = [m for m in existing if m.trip_id == trip.id]
    by_people: dict[frozenset[str], list[Meetup]] = {}
    for m in mine:
        by_people.setdefault(frozenset(m.contact_ids), []).append(m)
    changed: list[Meetup] = []
    kept: set[str] = set()  # ids of the ideas that stay ideas
    for p in the_plan.scheduled:
        people = frozenset({p.contact.id})
        group = by_people.get(people, [])
        if any(m.status not in (MeetupStatus.IDEA, MeetupStatus.CANCELLED) for m in group):
            continue  # a real meetup (or a declined one) already speaks for these people
        if not group:
            meetup_id = new_id()
            changed.append(
                Meetup(
                    id=meetup_id, trip_id=trip.id, contact_ids=(p.contact.id,), kind=p.kind, start=p.start,
                    end=p.end, uid=new_meetup_uid(trip.id, meetup_id), place=p.where,
                    status=MeetupStatus.IDEA, sequence=0, updated=now,
                )
            )
            continue
        old = max(group, key=_newest)
        kept.add(old.id)
        if (old.status, old.kind, old.start, old.end, old.place) == (
            MeetupStatus.IDEA, p.kind, p.start, p.end, p.where,
        ):
            continue
        changed.append(
            replace(old, kind=p.kind, start=p.start, end=p.end, place=p.where,
                    status=MeetupStatus.IDEA, sequence=old.sequence + 1, updated=now)
        )
    for old in mine:
        if old.status is MeetupStatus.IDEA and old.id not in kept:
            changed.append(replace(old, status=MeetupStatus.CANCELLED, sequence=old.sequence + 1, updated=now))
    return changed


def _newest(m: Meetup) -> tuple:
    """Ideas before cancelled ones, then the latest updated, the highest sequence, the id."""
    return (m.status is MeetupStatus.IDEA, m.updated or _EPOCH, m.sequence, m.id)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# Options for an invitation


def options_for(
    the_plan: Plan,
    contact_id: str,
    *,
    now: datetime,
    n: int = 3,
    kinds: Sequence[MeetupKind] | None = None,
    include_proposed: bool = True,
) -> list[Proposal]:
    """Up to ``n`` concrete times to offer one person, earliest first: their proposed slot and
    the next free slots of a kind that suits them (``kinds``, else the proposed kind and their
    next preferred one), on other days where possible. Free means what :func:`propose` means:
    clear of busy time with ``BUFFER``, of every other proposal in the plan, of the day's cap
    and of ``MIN_NOTICE``. Professional contacts get weekday alternatives only. A meetup already
    acted on (invited, confirmed...) keeps its one time; no slot, no options.
    ``include_proposed`` False: only other slots (a group post offers its own times)."""
    p = the_plan.for_contact(contact_id)
    if p is None or p.start is None or p.end is None or p.kind is None:
        return []
    if p.note.startswith("already"):
        return [p]
    trip = the_plan.trip
    zone = trip.zone
    if kinds is None:
        kinds = (p.kind, *(k for k in _preference(p.contact) if k is not p.kind))[:2]
    others = [q for q in the_plan.proposals if q.start is not None and q.end is not None and q.contact.id != contact_id]
    per_day: dict[date, int] = {}
    for q in others:
        day = q.start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + 1
    weekdays_only = p.contact.circle is Circle.PROFESSIONAL
    picked = [p]
    free: list[tuple[bool, int, datetime, datetime, MeetupKind]] = []
    for day in trip.days():
        if weekdays_only and day.weekday() >= 5 or per_day.get(day, 0) >= MAX_PER_DAY:
            continue
        for tpl in SLOT_TEMPLATES:
            if tpl.kind not in kinds:
                continue
            start = datetime.combine(day, tpl.start, zone)
            end = start + timedelta(minutes=tpl.minutes)
            if start < now + MIN_NOTICE or not trip.is_free(start - BUFFER, end + BUFFER):
                continue
            if any(q.start < end and start < q.end for q in others):
                continue
            free.append((day == p.start.astimezone(zone).date(), list(kinds).index(tpl.kind), start, end, tpl.kind))
    if not include_proposed:
        n += 1  # the proposed slot only keeps its time free; it is dropped below
    ordered = sorted(free, key=lambda f: (f[0], f[1], f[2]))
    for spread in (True, False):  # first one per day, then fill from any day
        for _same_day, _rank, start, end, kind in ordered:
            days = {x.start.astimezone(zone).date() for x in picked}
            if len(picked) >= n or (spread and start.astimezone(zone).date() in days):
                continue
            if any(x.start - BUFFER < end and start < x.end + BUFFER for x in picked):
                continue
            picked.append(replace(p, kind=kind, start=start, end=end))
    if not include_proposed:
        picked = picked[1:]
    return sorted(picked, key=lambda x: x.start)
