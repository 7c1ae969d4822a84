"""What needs doing now, across trips: the agenda.

- **Invitations to send this week**: planned meetups (not yet invited) whose send-by date falls
  within the next seven days, or has passed while the meetup is still ahead. The send-by date is
  about :attr:`Settings.send_by_days_1to1` days (10) before a 1:1 and
  :attr:`Settings.send_by_days_group` days (3) before a group meetup: a 1:1 needs room in two
  calendars, a casual group evening is lighter to say yes to.
- **Upcoming**: planned, invited and confirmed meetups in the next :data:`UPCOMING_DAYS` days.
- **Conflicts**: held meetups whose time became impossible (see :mod:`irlmeet.core.lifecycle`).
- **Debriefs due**: trips that are over with meetups whose outcome is not recorded yet.

A pure function of its inputs (``now`` is a parameter).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from irlmeet.core.lifecycle import HELD
from irlmeet.core.models import Meetup, MeetupKind, MeetupStatus, Trip
from irlmeet.core.settings import Settings

if TYPE_CHECKING:
    from irlmeet.core.service import MeetupView

__all__ = ["UPCOMING_DAYS", "Agenda", "DebriefDue", "SendBy", "build", "send_by"]

UPCOMING_DAYS = 30
WEEK = 7


@dataclass(frozen=True, slots=True)
class SendBy:
    view: MeetupView
    send_by: date
    overdue: bool  # the send-by date has passed


@dataclass(frozen=True, slots=True)
class DebriefDue:
    trip: Trip
    open: int  # meetups whose outcome is not recorded yet


@dataclass(frozen=True, slots=True)
class Agenda:
    today: date
    to_send: tuple[SendBy, ...]
    upcoming: tuple[MeetupView, ...]
    conflicts: tuple[MeetupView, ...]
    debriefs: tuple[DebriefDue, ...]

    @property
    def empty(self) -> bool:
        return not (self.to_send or self.upcoming or self.conflicts or self.debriefs)


def is_group(m: Meetup) -> bool:
    return m.kind is MeetupKind.GROUP or len(m.contact_ids) > 1


def send_by(m: Meetup, trip: Trip, settings: Settings) -> date:
    """The day the invitation should go out, in the trip's calendar."""
    days = settings.send_by_days_group if is_group(m) else settings.send_by_days_1to1
    return m.start.astimezone(trip.zone).date() - timedelta(days=days)


def build(
    trips: Iterable[Trip], views: Mapping[str, Sequence[MeetupView]], *, now: datetime, settings: Settings
) -> Agenda:
    """The agenda from each trip's meetup views (``views[trip.id]``), as of ``now``."""
    to_send: list[SendBy] = []
    upcoming: list[MeetupView] = []
    conflicts: list[MeetupView] = []
    debriefs: list[DebriefDue] = []
    today = now.date()
    horizon = now + timedelta(days=UPCOMING_DAYS)
    for trip in trips:
        local_today = now.astimezone(trip.zone).date()
        open_ = 0
        for v in views.get(trip.id, ()):
            m = v.meetup
            if m.status not in HELD:
                continue
            if m.start <= now:
                open_ += 1
                continue
            if v.conflict is not None:
                conflicts.append(v)
            if m.status is MeetupStatus.PLANNED:
                by = send_by(m, trip, settings)
                if by <= local_today + timedelta(days=WEEK - 1):
                    to_send.append(SendBy(v, by, by < local_today))
            if m.start <= horizon:
                upcoming.append(v)
        if open_ and now >= trip.window()[1]:
            debriefs.append(DebriefDue(trip, open_))
    to_send.sort(key=lambda s: (s.send_by, s.view.meetup.start, s.view.meetup.id))
    upcoming.sort(key=lambda v: (v.meetup.start, v.meetup.id))
    conflicts.sort(key=lambda v: (v.meetup.start, v.meetup.id))
    debriefs.sort(key=lambda d: (d.trip.end, d.trip.id))
    return Agenda(today, tuple(to_send), tuple(upcoming), tuple(conflicts), tuple(debriefs))
