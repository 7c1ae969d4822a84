"""The rules a plan follows: day parts, buffers, a daily cap, travel days, group size.

Defaults are what a thoughtful person does on a work trip; every one can be changed in
``config.toml`` (see :mod:`irlmeet.core.settings`, which reads them into :class:`PlanRules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from irlmeet.core.models import MeetupKind

__all__ = ["DAY_PART_KINDS", "DEFAULT_DAY_PARTS", "DayPart", "PlanRules"]


@dataclass(frozen=True, slots=True)
class DayPart:
    """A part of the day a meetup fits in: it starts between ``start`` and ``end`` minus its
    length, on a ``PlanRules.step_minutes`` grid, and lasts ``minutes``."""

    name: str
    kind: MeetupKind
    start: time
    end: time
    minutes: int

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")


#: The day parts config.toml may set (``[day_parts.<name>]``), and the kind of meetup each is.
DAY_PART_KINDS: dict[str, MeetupKind] = {
    "breakfast": MeetupKind.BREAKFAST,
    "coffee": MeetupKind.COFFEE,
    "lunch": MeetupKind.LUNCH,
    "afternoon_coffee": MeetupKind.COFFEE,
    "drinks": MeetupKind.DRINKS,
    "dinner": MeetupKind.DINNER,
}

DEFAULT_DAY_PARTS: tuple[DayPart, ...] = (
    DayPart("breakfast", MeetupKind.BREAKFAST, time(7, 30), time(9, 30), 60),
    DayPart("coffee", MeetupKind.COFFEE, time(9, 30), time(11, 30), 45),
    DayPart("lunch", MeetupKind.LUNCH, time(12, 0), time(14, 0), 60),
    DayPart("afternoon_coffee", MeetupKind.COFFEE, time(14, 30), time(17, 0), 45),
    DayPart("drinks", MeetupKind.DRINKS, time(17, 30), time(20, 0), 90),
    DayPart("dinner", MeetupKind.DINNER, time(19, 0), time(22, 0), 120),
)


@dataclass(frozen=True, slots=True)
class PlanRules:
    day_parts: tuple[DayPart, ...] = field(default=DEFAULT_DAY_PARTS)
    buffer_minutes: int = 30  # travel time kept free between meetups and around busy time
    max_per_day: int = 3
    min_notice_minutes: int = 180  # never propose a slot that starts sooner than this from now
    arrive: time = time(12, 0)  # a trip's arrival on its first day, unless the trip says
    leave: time = time(17, 0)  # a trip's departure on its last day, unless the trip says
    travel_day_buffer_minutes: int = 60  # after arriving / before leaving
    step_minutes: int = 15  # start times lie on this grid within a day part
    group_min: int = 3  # people of one circle near before a group evening is offered
    group_max: int = 8  # the most people one group evening invites

    def part(self, name: str) -> DayPart | None:
        for p in self.day_parts:
            if p.name == name:
                return p
        return None
