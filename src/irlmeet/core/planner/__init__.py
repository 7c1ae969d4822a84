"""Who is worth seeing on a trip, and when.

Three steps, each a pure function of its inputs (``today``/``now`` are parameters):

1. :func:`rank` (:mod:`.ranking`) finds the contacts near the destination and orders them by how
   much a meeting would mean: never met in person first, then long-unseen ties (weighted by the
   cadence the user wants), new connections, and so on. Every point of score comes with a
   reason a person can read, so the ranking explains itself.
2. :func:`propose` (:mod:`.proposals`, :mod:`.slots`) gives each ranked contact a concrete slot
   (breakfast, coffee, lunch, drinks, dinner; :mod:`irlmeet.core.plan_rules`) inside the trip, in the
   destination's zone, around busy time and the meetups already planned or proposed, spreading
   the days; and offers group evenings (:mod:`.groups`).
3. :func:`sync_ideas` turns the proposals into stored :class:`Meetup` ideas with stable calendar
   UIDs, so re-exporting updates calendar events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from irlmeet.core.ics import new_meetup_uid
from irlmeet.core.models import Meetup, MeetupStatus
from irlmeet.core.plan_rules import DEFAULT_DAY_PARTS, DayPart, PlanRules
from irlmeet.core.planner.groups import GroupOffer
from irlmeet.core.planner.options import options_for
from irlmeet.core.planner.proposals import CLOSED_FOR_TRIP, Plan, Proposal, keep_ideas, plan, propose
from irlmeet.core.planner.ranking import (
    Candidate,
    Reason,
    nearest_places,
    rank,
    score_contact,
)
from irlmeet.core.planner.slots import Slot, free_slots, weekday_only
from irlmeet.core.wording import days_label  # kept importable from here

__all__ = [
    "CLOSED_FOR_TRIP",
    "DEFAULT_DAY_PARTS",
    "Candidate",
    "DayPart",
    "GroupOffer",
    "Plan",
    "PlanRules",
    "Proposal",
    "Reason",
    "Slot",
    "days_label",
    "free_slots",
    "keep_ideas",
    "nearest_places",
    "options_for",
    "plan",
    "propose",
    "rank",
    "score_contact",
    "sync_ideas",
    "weekday_only",
]


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
    the same idea twice. The plan was made from the same meetups, so an idea whose time is
    still valid comes back at that time (:func:`keep_ideas`) and is left as it is.

    - A proposal whose people already have an idea (or a dropped one) updates it in place:
      same id and UID, ``sequence`` + 1 when time, kind or place moved. If they have several,
      the newest is reused.
    - A new proposal becomes a new idea whose UID comes from its own id
      (:func:`~irlmeet.core.ics.new_meetup_uid`), so every meetup has its own calendar event.
    - An idea no longer proposed (or a second idea for the same people) is dropped, not
      deleted, so a calendar that imported it learns to drop it on the next export.
    Meetups the user acted on (planned, invited, confirmed, met, declined, cancelled, skipped,
    missed) are never touched here, and their people get no idea beside them.
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
        if any(m.status not in (MeetupStatus.IDEA, MeetupStatus.DROPPED) for m in group):
            continue  # a meetup the user acted on already speaks for these people
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
            changed.append(replace(old, status=MeetupStatus.DROPPED, sequence=old.sequence + 1, updated=now))
    return changed


def _newest(m: Meetup) -> tuple:
    """Ideas before dropped ones, then the latest updated, the highest sequence, the id."""
    return (m.status is MeetupStatus.IDEA, m.updated or _EPOCH, m.sequence, m.id)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
