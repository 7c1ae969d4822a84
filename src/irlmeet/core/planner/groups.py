"""Group evenings: one gathering for several people of one circle instead of several 1:1s.

Offered when at least ``PlanRules.group_min`` people of a circle are near and free to ask.
Circles never mix: a professional group and a personal group are offered apart, and someone in
both circles joins one of them (whichever lets more groups happen, else the personal one), so no
group ever brings colleagues and friends together through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from irlmeet.core.models import Circle, Contact, MeetupKind, Trip
from irlmeet.core.plan_rules import PlanRules
from irlmeet.core.planner.ranking import Candidate
from irlmeet.core.planner.slots import Schedule, weekday_only

__all__ = ["GroupOffer", "offer_groups"]

#: The evening day parts each circle's group prefers, first choice first.
_EVENING = {Circle.PROFESSIONAL: ("drinks", "dinner"), Circle.PERSONAL: ("dinner", "drinks")}


@dataclass(frozen=True, slots=True)
class GroupOffer:
    """One group gathering offered as an alternative to these people's 1:1s."""

    circle: Circle  # professional or personal, never both
    candidates: tuple[Candidate, ...]  # best ranked first
    kind: MeetupKind | None = None
    start: datetime | None = None
    end: datetime | None = None
    where: str = ""
    note: str = ""  # why there is no time, when there is none

    @property
    def contacts(self) -> tuple[Contact, ...]:
        return tuple(c.contact for c in self.candidates)

    @property
    def has_slot(self) -> bool:
        return self.start is not None


def _split(candidates: Sequence[Candidate], rules: PlanRules) -> dict[Circle, list[Candidate]]:
    pure = {Circle.PROFESSIONAL: [], Circle.PERSONAL: []}
    both: list[Candidate] = []
    for c in candidates:
        (both if c.contact.circle is Circle.BOTH else pure[c.contact.circle]).append(c)

    def viable(groups: dict[Circle, list[Candidate]]) -> int:
        return sum(1 for g in groups.values() if len(g) >= rules.group_min)

    options = []
    for side in (Circle.PERSONAL, Circle.PROFESSIONAL):
        groups = {k: list(v) for k, v in pure.items()}
        groups[side] += both
        options.append(groups)
    best = max(options, key=viable)  # max keeps the first (personal) on a tie
    order = {id(c): i for i, c in enumerate(candidates)}
    return {k: sorted(v, key=lambda c: order[id(c)]) for k, v in best.items()}


def offer_groups(
    trip: Trip,
    candidates: Sequence[Candidate],
    schedule: Schedule,
    *,
    rules: PlanRules,
    where: str,
    members_own: dict[str, str],
) -> tuple[GroupOffer, ...]:
    """The group evenings to offer. ``candidates``: ranked people free to ask (no live meetup
    on this trip yet). ``members_own``: contact id -> the schedule owner key of their own 1:1
    proposal, which a group would replace (so its time is free for the group)."""
    out: list[GroupOffer] = []
    for circle, members in _split(candidates, rules).items():
        if len(members) < rules.group_min:
            continue
        members = members[: rules.group_max]
        ignore = frozenset(members_own[c.contact.id] for c in members if c.contact.id in members_own)
        weekdays = weekday_only(circle, trip)
        found = None
        for name in _EVENING[circle]:
            part = rules.part(name)
            if part is None:
                continue
            for slot in schedule.grid([part]):
                if schedule.fits(slot.start, slot.end, weekdays=weekdays, ignore=ignore):
                    found = slot
                    break
            if found:
                break
        if found is None:
            out.append(GroupOffer(circle, tuple(members), note="no free evening left on this trip"))
            continue
        schedule.take(found.start, found.end, f"group:{circle.value}")
        out.append(GroupOffer(circle, tuple(members), found.part.kind, found.start, found.end, where))
    return tuple(out)

