"""Two or three concrete times to offer one person in an invitation.

:func:`options_for` starts from the plan's proposal for the person and adds the next free
slots of the day parts that suit them, under the rules the plan was made with (day parts,
travel days, buffers, the daily cap, notice, weekdays for work contacts unless the trip allows
weekends), clear of every other proposal and of the trip's held meetups. An invitation that is
already out (invited, confirmed, met) keeps its one time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from irlmeet.core.models import MeetupKind, MeetupStatus
from irlmeet.core.planner.proposals import Plan, Proposal
from irlmeet.core.planner.slots import PREFERENCES, Schedule, preference, weekday_only

__all__ = ["options_for"]


def _kinds_for(p: Proposal, plan: Plan) -> tuple[MeetupKind, ...]:
    """The proposed kind and the person's next preferred one."""
    order: list[MeetupKind] = [p.kind] if p.kind is not None else []
    for tier in PREFERENCES[preference(p.contact)]:
        for name in tier:
            part = plan.rules.part(name)
            if part is not None and part.kind not in order:
                order.append(part.kind)
    return tuple(order[:2])


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
    next preferred one), on other days where possible. Free means what :func:`propose` means
    (:class:`~.slots.Schedule` under ``the_plan.rules``), clear of every other proposal and
    every held meetup. A meetup whose invitation is out (invited, confirmed, met) keeps its one
    time; one only planned (accepted, not yet sent) gets alternatives beside its time. No slot,
    no options. ``include_proposed`` False: only other slots (a group post offers its own times)."""
    p = the_plan.for_contact(contact_id)
    if p is None or p.start is None or p.end is None or p.kind is None:
        return []
    own = next((m for m in the_plan.held if m.id == p.meetup_id), None)
    if own is not None and own.status is not MeetupStatus.PLANNED:
        return [p]
    trip = the_plan.trip
    sched = Schedule(trip, the_plan.rules, now)
    for m in the_plan.held:
        if m.id != p.meetup_id:
            sched.take(m.start, m.end, m.id)
    held_ids = {m.id for m in the_plan.held}
    for q in the_plan.proposals:
        if q.has_slot and q.contact.id != contact_id and q.meetup_id not in held_ids:
            sched.take(q.start, q.end, q.contact.id)
    kinds = tuple(kinds) if kinds is not None else _kinds_for(p, the_plan)
    weekdays = weekday_only(p.contact.circle, trip)
    proposed_day = sched.day_of(p.start)
    free = [
        s for s in sched.grid([part for part in the_plan.rules.day_parts if part.kind in kinds])
        if sched.fits(s.start, s.end, weekdays=weekdays)
    ]
    free.sort(key=lambda s: (s.day == proposed_day, kinds.index(s.part.kind), s.start))
    if not include_proposed:
        n += 1  # the proposed slot only keeps its time free; it is dropped below
    picked = [p]
    buffer = sched.buffer
    for spread in (True, False):  # first one per day, then fill from any day
        for s in free:
            days = {sched.day_of(x.start) for x in picked}
            if len(picked) >= n or (spread and s.day in days):
                continue
            if any(x.start - buffer < s.end and s.start < x.end + buffer for x in picked):
                continue
            picked.append(replace(p, kind=s.part.kind, start=s.start, end=s.end))
    if not include_proposed:
        picked = picked[1:]
    return sorted(picked, key=lambda x: x.start)
