"""Who is most worth seeing on a trip, with every point of the score explained.

A contact's score is the sum of its reasons' points, nothing else: each :class:`Reason` is a
``(points, text)`` pair and the plan shows both, so the order a user sees follows from what they
read ("overdue: you aim for every 6 months, last seen 17 months ago  +40"). Pure functions of
their inputs: the same contacts, meetups and date give the same ranking.

"Not seen for" and every other age is counted as of the day the meetup could happen (the trip's
first day, or today once the trip has begun), not as of the day the plan is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from irlmeet.core.models import Circle, Contact, Meetup, Place, Trip
from irlmeet.core.places import DEFAULT_RADIUS_KM, near_filter
from irlmeet.core.wording import ago as _ago

__all__ = ["Candidate", "Reason", "as_of", "last_meetups", "nearest_places", "rank", "score_contact"]

#: Points of each rule. Kept together so the weights are visible in one place.
NEVER_MET = 100.0
UNSEEN_PER_YEAR = 40.0  # up to UNSEEN_MAX
UNSEEN_MAX = 80.0
OVERDUE_PER_CADENCE = 30.0  # per cadence period past due, up to OVERDUE_MAX
OVERDUE_MAX = 60.0
NEW_CONNECTION = 25.0  # met or connected in the last NEW_DAYS days
NEW_DAYS = 182
PERSONAL = 10.0
CLOSE_STEP_UP = 8.0  # per closeness step above 3 (of 5)
CLOSE_STEP_DOWN = 4.0  # per step below 3
IN_TOUCH = -15.0  # contacted in the last IN_TOUCH_DAYS days: the conversation is already going
IN_TOUCH_DAYS = 14
DECLINED = -20.0  # their last meetup was declined, in the last DECLINED_DAYS days: a gentler ask
DECLINED_DAYS = 365
PER_KM = -0.3


class Reason(NamedTuple):
    """One part of a score: its points and the words that explain them."""

    points: float
    text: str

    def label(self) -> str:
        """``never met in person (+100)``."""
        return f"{self.text} ({self.points:+g})"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A contact within reach of the trip, with the score and the reasons behind it."""

    contact: Contact
    place: Place  # the contact's place that is near the destination
    distance_km: float
    score: float  # the sum of ``breakdown``'s points
    breakdown: tuple[Reason, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons' words, most points (either way) first."""
        return tuple(r.text for r in self.breakdown)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def as_of(trip: Trip, today: date) -> date:
    """The day ages are counted to: the trip's first day, or today once the trip has begun."""
    return max(today, trip.start)


def _r(points: float, text: str) -> Reason:
    return Reason(round(points, 1), text)


def score_contact(
    contact: Contact, day: date, distance_km: float, *, last_meetup: Meetup | None = None
) -> tuple[float, tuple[Reason, ...]]:
    """Score one contact for a meetup on ``day``. Higher is more worth seeing.

    Returns the score and its reasons; the score is exactly the sum of the reasons' points.
    ``last_meetup``: their latest meetup on another trip (a recent decline lowers the score).
    """
    out: list[Reason] = []
    if contact.last_seen is None:
        out.append(_r(NEVER_MET, "never met in person"))
    else:
        days = max((day - contact.last_seen).days, 0)
        unseen = min(days / 365 * UNSEEN_PER_YEAR, UNSEEN_MAX)
        out.append(_r(unseen, f"not seen in person for {_ago(days)}" if days >= 180 else f"seen {_ago(days)} ago"))
        if contact.cadence_days and days > contact.cadence_days:
            overdue = min((days / contact.cadence_days - 1) * OVERDUE_PER_CADENCE, OVERDUE_MAX)
            out.append(_r(overdue, f"overdue: you aim for {contact.cadence_label}, last seen {_ago(days)} ago"))
    if contact.met_on is not None and 0 <= (day - contact.met_on).days <= NEW_DAYS:
        since = (day - contact.met_on).days
        where = f" at {contact.met_at}" if contact.met_at else (f" via {contact.met_via}" if contact.met_via else "")
        when = f" {_ago(since)} ago" if since >= 1 else ""
        out.append(_r(NEW_CONNECTION, f"new connection: met{where}{when}"))
    if contact.circle is Circle.PERSONAL:
        out.append(_r(PERSONAL, "personal circle"))
    elif contact.circle is Circle.BOTH:
        out.append(_r(PERSONAL, "friend as well as colleague"))
    if contact.closeness is not None and contact.closeness != 3:
        step = CLOSE_STEP_UP if contact.closeness > 3 else CLOSE_STEP_DOWN
        word = "close tie" if contact.closeness > 3 else "loose tie"
        out.append(_r((contact.closeness - 3) * step, f"{word} ({contact.closeness}/5)"))
    if contact.last_contacted is not None and 0 <= (day - contact.last_contacted).days <= IN_TOUCH_DAYS:
        gap = (day - contact.last_contacted).days
        out.append(_r(IN_TOUCH, f"already in touch: last contact {_ago(gap)} before" if gap else "already in touch"))
    if last_meetup is not None and last_meetup.status.value == "declined":
        since = (day - last_meetup.start.date()).days
        if 0 <= since <= DECLINED_DAYS:
            out.append(_r(DECLINED, f"declined last time ({last_meetup.start:%b %Y}): ask gently"))
    km = round(PER_KM * distance_km, 1)
    if km:
        out.append(Reason(km, f"{distance_km:.0f} km away" if distance_km >= 1 else f"{distance_km * 1000:.0f} m away"))
    out = [r for r in out if r.points or r.text == "never met in person"]
    out.sort(key=lambda r: -abs(r.points))
    return round(sum(r.points for r in out), 1), tuple(out)


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


_DONE = frozenset({"invited", "confirmed", "met", "declined", "planned"})


def last_meetups(meetups: Iterable[Meetup], *, exclude_trip: str | None = None) -> dict[str, Meetup]:
    """Each person's latest meetup that got past the idea stage (not cancelled or skipped),
    leaving out ``exclude_trip``'s: what the ranking reads a recent decline from."""
    out: dict[str, Meetup] = {}
    for m in meetups:
        if m.trip_id == exclude_trip or m.status.value not in _DONE:
            continue
        for cid in m.contact_ids:
            old = out.get(cid)
            if old is None or (m.start, m.id) > (old.start, old.id):
                out[cid] = m
    return out


def rank(
    trip: Trip,
    contacts: Iterable[Contact],
    *,
    today: date,
    radius_km: float = DEFAULT_RADIUS_KM,
    meetups: Iterable[Meetup] = (),
) -> list[Candidate]:
    """Contacts near the destination, best first. Do-not-invite contacts are left out.

    ``meetups``: stored meetups of any trip; a person whose last one was declined is asked
    more gently. Ties go to the nearer, then by name and id, so the order is total.
    """
    day = as_of(trip, today)
    last = last_meetups(meetups, exclude_trip=trip.id)
    invitable = (c for c in contacts if not c.do_not_invite)
    out = []
    for contact, place, km in nearest_places(trip.destination, invitable, radius_km):
        score, reasons = score_contact(contact, day, km, last_meetup=last.get(contact.id))
        out.append(Candidate(contact, place, km, score, reasons))
    out.sort(key=lambda c: (-c.score, c.distance_km, c.contact.name.casefold(), c.contact.id))
    return out
